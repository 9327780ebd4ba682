/**
 * The work pool forms of the dashboard: create, settings (description and
 * concurrency limit), pause/resume and delete; each refused post shows its
 * problem under the field and changes nothing, and a forged post is refused.
 */
import assert from "node:assert/strict";
import { claimRuns, createDeploymentRun, getWorkPool } from "../../engine/deployments/mod.ts";
import { type App, csrfOf, fieldError, formApp as setup, postForm as post } from "./_forms.ts";

const tokenOf = (app: App) => csrfOf(app, "/work-pools");

async function api(app: App, path: string) {
  return await (await app.request(`/api${path}`)).json();
}

Deno.test("the new work pool form creates a pool with its description and concurrency limit", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  const res = await post(t.app, "/work-pools", {
    _csrf: token,
    name: "gpu",
    description: "Big boxes",
    concurrency_limit: "3",
  });
  assert.equal(res.status, 303);
  assert.match(res.headers.get("location")!, /^\/work-pools\/gpu\?flash=/);
  const page = await (await t.app.request(res.headers.get("location")!)).text();
  assert.match(page, /Work pool &quot;gpu&quot; created\./);
  const pool = await api(t.app, "/work-pools/gpu");
  assert.deepEqual([pool.description, pool.concurrency_limit, pool.paused], [
    "Big boxes",
    3,
    false,
  ]);
});

Deno.test("a refused new pool shows each problem under its field, keeps what was typed, creates nothing", async (t) => {
  await using s = setup();
  const token = await tokenOf(s.app);
  await post(s.app, "/work-pools", { _csrf: token, name: "taken" });
  const cases: Array<[string, Record<string, string>, string, RegExp]> = [
    ["empty name", { name: "" }, "new-pool-name", /Give the pool a name/],
    ["bad name", { name: "a b" }, "new-pool-name", /Name "a b" may hold letters/],
    ["name taken", { name: "taken" }, "new-pool-name", /Work pool "taken" already exists/],
    [
      "limit not a number",
      { name: "x", concurrency_limit: "lots" },
      "new-pool-concurrency_limit",
      /Concurrency limit must be a whole number from 0 to 1,000,000, got "lots"/,
    ],
    [
      "negative limit",
      { name: "x", concurrency_limit: "-1" },
      "new-pool-concurrency_limit",
      /got "-1"/,
    ],
  ];
  for (const [label, fields, id, message] of cases) {
    await t.step(label, async () => {
      const res = await post(s.app, "/work-pools", {
        _csrf: token,
        description: "kept",
        ...fields,
      });
      assert.equal(res.status, 400);
      const page = (await res.text()).replaceAll("&quot;", '"');
      assert.match(fieldError(page, id) ?? "(no error under the field)", message);
      assert.match(page, /<textarea id="new-pool-description"[^>]*>kept<\/textarea>/);
      const names = (await api(s.app, "/work-pools")).items.map((p: { name: string }) => p.name);
      assert.deepEqual(names.sort(), ["default", "taken"]);
    });
  }
});

Deno.test("the pool settings form changes the description and limit; a bad limit changes nothing", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  await post(t.app, "/work-pools", { _csrf: token, name: "gpu", concurrency_limit: "3" });
  const train = await t.service.create({ name: "train", entrypoint: "./t.ts:t", workPool: "gpu" });
  await createDeploymentRun(t.engine, train);
  assert.equal((await claimRuns(t.engine, "gpu", { workerId: "w" })).length, 1);
  const page = await (await t.app.request("/work-pools/gpu")).text();
  assert.match(page, /<input id="pool-concurrency_limit"[^>]*value="3"/);
  assert.match(page, /<dt>Concurrency limit<\/dt><dd>1 of 3 active<\/dd>/);

  const bad = await post(t.app, "/work-pools/gpu/settings", {
    _csrf: token,
    description: "new words",
    concurrency_limit: "1.5",
  });
  assert.equal(bad.status, 400);
  assert.match(
    fieldError((await bad.text()).replaceAll("&quot;", '"'), "pool-concurrency_limit") ?? "",
    /got "1\.5"/,
  );
  assert.deepEqual(
    [
      (await api(t.app, "/work-pools/gpu")).description,
      (await getWorkPool(t.engine, "gpu"))
        .concurrencyLimit,
    ],
    [null, 3],
  );

  const ok = await post(t.app, "/work-pools/gpu/settings", {
    _csrf: token,
    description: "new words",
    concurrency_limit: "",
  });
  assert.equal(ok.status, 303);
  const pool = await api(t.app, "/work-pools/gpu");
  assert.deepEqual([pool.description, pool.concurrency_limit], ["new words", null]);
});

Deno.test("pause and resume a pool from its page", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  await post(t.app, "/work-pools", { _csrf: token, name: "gpu" });
  assert.equal((await post(t.app, "/work-pools/gpu/pause", { _csrf: token })).status, 303);
  assert.equal((await api(t.app, "/work-pools/gpu")).paused, true);
  await post(t.app, "/work-pools/gpu/resume", { _csrf: token });
  assert.equal((await api(t.app, "/work-pools/gpu")).paused, false);
});

Deno.test("deleting a pool asks first, is refused with the reason while a deployment uses it, then works", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  await post(t.app, "/work-pools", { _csrf: token, name: "gpu" });
  const deployment = await t.service.create({
    name: "train",
    entrypoint: "./flows/train.ts:train",
    workPool: "gpu",
  });
  const page = await (await t.app.request("/work-pools/gpu")).text();
  assert.match(page, /<details class="confirm" data-delete-pool="gpu">[^]*Yes, delete the pool/);

  const refused = await post(t.app, "/work-pools/gpu/delete", { _csrf: token });
  assert.equal(refused.status, 303);
  const shown = await (await t.app.request(refused.headers.get("location")!)).text();
  assert.match(
    shown,
    /Cannot delete work pool &quot;gpu&quot;: deployment &quot;train&quot; uses it; nothing was deleted\./,
  );
  assert.equal((await t.app.request("/api/work-pools/gpu")).status, 200);

  await t.service.delete(deployment.id);
  const deleted = await post(t.app, "/work-pools/gpu/delete", { _csrf: token });
  assert.equal(deleted.headers.get("location")?.startsWith("/work-pools?flash="), true);
  assert.equal((await t.app.request("/api/work-pools/gpu")).status, 404);
});

Deno.test("work pool forms refuse a forged token and a cross-origin post, and change nothing", async (t) => {
  await using s = setup();
  const token = await tokenOf(s.app);
  await post(s.app, "/work-pools", { _csrf: token, name: "gpu" });
  const forged: Array<[string, string, Record<string, string>, Record<string, string>]> = [
    ["create, forged token", "/work-pools", { _csrf: "forged", name: "x" }, {}],
    ["create, other origin", "/work-pools", { _csrf: token, name: "x" }, {
      origin: "https://evil.example",
    }],
    ["settings, other site", "/work-pools/gpu/settings", {
      _csrf: token,
      concurrency_limit: "9",
    }, { "sec-fetch-site": "cross-site" }],
    ["delete, other origin", "/work-pools/gpu/delete", { _csrf: token }, {
      origin: "https://evil.example",
    }],
  ];
  for (const [label, path, fields, headers] of forged) {
    await t.step(label, async () => {
      const res = await s.app.request(path, {
        method: "POST",
        body: new URLSearchParams(fields),
        headers,
      });
      assert.equal(res.status, 403);
      const names = (await api(s.app, "/work-pools")).items.map((p: { name: string }) => p.name);
      assert.deepEqual(names.sort(), ["default", "gpu"]);
      assert.equal((await api(s.app, "/work-pools/gpu")).concurrency_limit, null);
    });
  }
});
