/**
 * The deployment settings form: every setting saved through the same
 * validation as the API and visible there afterwards; a refused post shows
 * each problem under its field and saves nothing; forged posts are refused.
 */
import assert from "node:assert/strict";
import { createWorkPool } from "../../engine/deployments/mod.ts";
import { type App, csrfOf, fieldError, formApp, postForm as post } from "./_forms.ts";

const SCHEMA = {
  type: "object",
  properties: {
    pages: { type: "integer" },
    mode: { type: "string", enum: ["full", "quick"] },
  },
  required: ["pages"],
};

async function setup() {
  const t = formApp();
  const { app, service } = t;
  await service.create({ name: "etl", entrypoint: "./flows/etl.ts:etl", tags: ["old"] });
  await service.create({
    name: "crawl",
    entrypoint: "./flows/crawl.ts:crawl",
    parameterSchema: SCHEMA,
    parameters: { pages: 3 },
  });
  await createWorkPool(t.engine, { name: "gpu" });
  return { ...t, token: await csrfOf(app, "/deployments/etl") };
}

async function apiDeployment(app: App, name: string) {
  return await (await app.request(`/api/deployments/${name}`)).json();
}

/** The problem shown under the input `id`, if the input is marked invalid. */

const VALID = {
  mode: "json",
  description: "Nightly load",
  tags: "nightly, etl, nightly",
  work_pool: "gpu",
  concurrency_limit: "2",
  collision_strategy: "CANCEL_NEW",
  paused: "on",
  timeout_seconds: "90",
  parameters: '{"day": "2024-05-01"}',
};

Deno.test("the settings form shows the deployment's settings and saves every one, visible on the API", async () => {
  await using t = await setup();
  const page = await (await t.app.request("/deployments/etl")).text();
  assert.match(page, /<details id="settings"[^>]*><summary>Edit settings…<\/summary>/);
  assert.match(page, /<input id="settings-tags"[^>]*value="old"/);
  assert.match(page, /<option\s+value="gpu"\s*>gpu<\/option>/);

  const res = await post(t.app, "/deployments/etl/settings", { _csrf: t.token, ...VALID });
  assert.equal(res.status, 303);
  assert.match(res.headers.get("location")!, /^\/deployments\/etl\?flash=.*#settings$/);
  const d = await apiDeployment(t.app, "etl");
  assert.deepEqual(
    [
      d.description,
      d.tags,
      d.work_pool,
      d.concurrency_limit,
      d.collision_strategy,
      d.paused,
      d.timeout_seconds,
      d.parameters,
    ],
    ["Nightly load", ["nightly", "etl"], "gpu", 2, "CANCEL_NEW", true, 90, {
      day: "2024-05-01",
    }],
  );

  // Emptied fields clear the settings that allow it.
  await post(t.app, "/deployments/etl/settings", {
    _csrf: t.token,
    ...VALID,
    description: "",
    tags: "",
    concurrency_limit: "",
    timeout_seconds: "",
    paused: "",
    parameters: "",
  });
  const cleared = await apiDeployment(t.app, "etl");
  assert.deepEqual(
    [cleared.description, cleared.tags, cleared.concurrency_limit, cleared.paused],
    [null, [], null, false],
  );
  assert.deepEqual([cleared.timeout_seconds, cleared.parameters], [null, {}]);
});

Deno.test("a refused settings form shows each problem under its field and saves nothing", async (t) => {
  await using s = await setup();
  const before = await apiDeployment(s.app, "etl");
  const cases: Array<[string, Record<string, string>, string, RegExp]> = [
    [
      "limit 0",
      { concurrency_limit: "0" },
      "settings-concurrency_limit",
      /whole number of 1 or more.*got "0"/,
    ],
    ["limit not a number", { concurrency_limit: "two" }, "settings-concurrency_limit", /got "two"/],
    [
      "negative timeout",
      { timeout_seconds: "-5" },
      "settings-timeout_seconds",
      /above 0.*got "-5"/,
    ],
    [
      "unknown pool",
      { work_pool: "nope" },
      "settings-work_pool",
      /Work pool "nope" does not exist/,
    ],
    ["bad strategy", { collision_strategy: "SKIP" }, "settings-collision_strategy", /got "SKIP"/],
    ["parameters not JSON", { parameters: "{day" }, "settings-parameters", /not valid JSON/],
    ["parameters a list", { parameters: "[1]" }, "settings-parameters", /must be a JSON object/],
  ];
  for (const [label, change, id, message] of cases) {
    await t.step(label, async () => {
      const res = await post(s.app, "/deployments/etl/settings", {
        _csrf: s.token,
        ...VALID,
        ...change,
      });
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.match(fieldError(page, id) ?? "(no error under the field)", message);
      assert.match(page, /Nothing was saved/);
      // What was typed is kept.
      assert.match(page, /<input id="settings-tags"[^>]*value="nightly, etl, nightly"/);
      assert.deepEqual(await apiDeployment(s.app, "etl"), before);
    });
  }
});

Deno.test("default parameters by schema fields: saved as typed values; a refused value is shown under its field", async () => {
  await using t = await setup();
  const page = await (await t.app.request("/deployments/crawl")).text();
  assert.match(page, /<input id="default-pages" name="p\.pages"[^>]*value="3"/);
  const base = {
    _csrf: t.token,
    mode: "fields",
    work_pool: "default",
    collision_strategy: "ENQUEUE",
  };
  const notNumber = await post(t.app, "/deployments/crawl/settings", { ...base, "p.pages": "x" });
  assert.equal(notNumber.status, 400);
  assert.match(fieldError(await notNumber.text(), "default-pages") ?? "", /"x" is not a number/);
  // Judged by the engine against the schema, like the API.
  const badChoice = await post(t.app, "/deployments/crawl/settings", {
    ...base,
    "p.pages": "5",
    "p.mode": "slow",
  });
  assert.equal(badChoice.status, 400);
  assert.ok(fieldError(await badChoice.text(), "default-mode"), "the problem is under mode");
  assert.deepEqual((await apiDeployment(t.app, "crawl")).parameters, { pages: 3 });

  const ok = await post(t.app, "/deployments/crawl/settings", {
    ...base,
    "p.pages": "5",
    "p.mode": "quick",
  });
  assert.equal(ok.status, 303);
  assert.deepEqual((await apiDeployment(t.app, "crawl")).parameters, { pages: 5, mode: "quick" });
});

Deno.test("a forged or cross-origin settings post is refused and saves nothing", async () => {
  await using t = await setup();
  const before = await apiDeployment(t.app, "etl");
  const forged = await post(t.app, "/deployments/etl/settings", { ...VALID, _csrf: "forged" });
  assert.equal(forged.status, 403);
  const crossOrigin = await t.app.request("/deployments/etl/settings", {
    method: "POST",
    body: new URLSearchParams({ ...VALID, _csrf: t.token }),
    headers: { origin: "https://evil.example" },
  });
  assert.equal(crossOrigin.status, 403);
  assert.deepEqual(await apiDeployment(t.app, "etl"), before);
});
