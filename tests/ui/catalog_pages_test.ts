/**
 * The dashboard's catalog pages (events, automations, variables, secrets)
 * through the app's handler: what they list, every form's refusal, and the
 * CSRF token every form needs.
 */
import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { csrfOf, postForm } from "./_forms.ts";
import { appendEvents } from "../../engine/events/mod.ts";
import {
  evaluateAutomations,
  findAutomation,
  listAutomations,
} from "../../engine/automations/mod.ts";
import { runFiringActions } from "../../server/services/automation_actions.ts";
import { SecretCipher } from "../../engine/secrets/mod.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import { FakeClock, testEngine } from "./_fixtures.ts";
import { flow } from "../../sdk/mod.ts";
import { createLocalControlPlane } from "../../sdk/mod.ts";

const AUTOMATION = `name: on-landing
trigger:
  type: event
  match: ["acme.file.landed"]
actions:
  - type: emit-event
    event: acme.seen
    resource: acme.x
`;

Deno.test("events page lists events newest first, pages back by cursor and links runs", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using t = testEngine(clock);
  const app = createApp({ engine: t.engine, clock });
  const hello = flow({ name: "hello" }, () => 1);
  await hello.runWith({ plane: createLocalControlPlane(t.engine, clock) });
  const runId = t.engine.listRuns({ kind: "flow" }).items[0]!.id;
  for (let i = 0; i < 60; i++) {
    clock.tick(1_000);
    await t.engine.transact((tx) =>
      appendEvents(tx, [{ event: `acme.n${i}`, resource: `acme.bucket.${i % 2}` }], {
        now: clock.now(),
      })
    );
  }
  const first = await (await app.request("/events")).text();
  const names = [...first.matchAll(/>(acme\.n\d+)</g)].map((m) => m[1]);
  assert.equal(names.length, 50);
  assert.equal(names[0], "acme.n59", "newest first");
  assert.equal(names[49], "acme.n10");
  const next = first.match(/href="(\/events\?cursor=[^"]+)" rel="next"/)![1]!;
  const second = await (await app.request(next.replaceAll("&amp;", "&"))).text();
  const older = [...second.matchAll(/>(acme\.n\d+)</g)].map((m) => m[1]);
  assert.deepEqual(older.slice(0, 2), ["acme.n9", "acme.n8"]);
  assert.ok(older.includes("acme.n0"));
  assert.match(second, /ironflow\.flow-run\.Completed/, "state changes are in the same feed");
  assert.ok(second.includes(`href="/runs/${runId}"`), "a run's resource links to its page");
  assert.ok(second.includes(`href="/flows/hello"`), "a related flow links to its page");
  assert.doesNotMatch(second, /rel="next"/, "the last page has no next page");
});

Deno.test("events page filters by name prefix, resource prefix and time; a bad time is shown", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 9, 0));
  await using t = testEngine(clock);
  const app = createApp({ engine: t.engine, clock });
  const emit = (event: string, resource: string) =>
    t.engine.transact((tx) => appendEvents(tx, [{ event, resource }], { now: clock.now() }));
  await emit("acme.file.landed", "acme.bucket.raw");
  clock.tick(3_600_000);
  await emit("acme.file.landed", "acme.bucket.clean");
  await emit("other.thing", "acme.bucket.raw");
  const rows = async (query: string) =>
    [...(await (await app.request(`/events?${query}`)).text()).matchAll(/data-event-id=/g)].length;
  assert.equal(await rows("prefix=acme.file"), 2);
  assert.equal(await rows("resource=acme.bucket.r"), 2);
  assert.equal(await rows("prefix=acme.&resource=acme.bucket.raw"), 1);
  assert.equal(await rows("since=2026-01-01T09:30"), 2);
  assert.equal(await rows("until=2026-01-01T09:30"), 1);
  const bad = await (await app.request("/events?since=yesterday")).text();
  assert.match(bad, /id="since-error"[^>]*>&quot;yesterday&quot; is not a date and time/);
  const page = await (await app.request("/events")).text();
  assert.match(page, /data-stream="\/api\/events\/stream\?cursor=/, "the newest page follows");
  assert.match(page, /data-live="events"/);
});

Deno.test("automation forms create from YAML, refuse bad text next to the field, pause, resume, delete", async (ctx) => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: new FakeClock(Date.UTC(2026, 0, 1)) });
  const token = await csrfOf(app, "/automations");

  await ctx.step("text that is not YAML creates nothing", async () => {
    const res = await postForm(app, "/automations", { _csrf: token, spec: "name: [unclosed" });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /id="automation-spec-error"[^>]*>The text is not YAML or JSON/);
    assert.match(html, /aria-invalid="true"/);
    assert.ok(html.includes("name: [unclosed"), "the posted text is kept");
    assert.equal(listAutomations(t.engine.reader).length, 0);
  });
  await ctx.step("a shape the schema refuses names the field", async () => {
    const res = await postForm(app, "/automations", {
      _csrf: token,
      spec: '{"name": "x", "trigger": {"type": "event", "match": []}, "actions": []}',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Invalid automation: trigger\.match: /);
    assert.equal(listAutomations(t.engine.reader).length, 0);
  });
  await ctx.step("an unknown deployment is refused by the API's validator", async () => {
    const res = await postForm(app, "/automations", {
      _csrf: token,
      spec: AUTOMATION.replace(
        /actions:[\s\S]*/,
        "actions:\n  - type: run-deployment\n    deployment: nope\n",
      ),
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /deployment &quot;nope&quot; does not exist/);
    assert.equal(listAutomations(t.engine.reader).length, 0);
  });
  await ctx.step("a valid automation is created and listed with its summaries", async () => {
    const res = await postForm(app, "/automations", { _csrf: token, spec: AUTOMATION });
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location")!, /^\/automations\/on-landing\?flash=/);
    const list = await (await app.request("/automations")).text();
    assert.match(list, /1 × acme\.file\.landed/);
    assert.match(list, /emit acme\.seen/);
    assert.match(list, /enabled/);
  });
  await ctx.step("pause and resume", async () => {
    const pause = await postForm(app, "/automations/on-landing/pause", { _csrf: token });
    assert.equal(pause.status, 303);
    assert.equal(findAutomation(t.engine.reader, "on-landing")?.enabled, false);
    const page = await (await app.request(pause.headers.get("location")!)).text();
    assert.match(page, /data-automation-state[^>]*>paused/);
    assert.match(page, /action="\/automations\/on-landing\/resume"/);
    await postForm(app, "/automations/on-landing/resume", { _csrf: token });
    assert.equal(findAutomation(t.engine.reader, "on-landing")?.enabled, true);
    // From the list, the button comes back to the list.
    const list = await (await app.request("/automations")).text();
    assert.match(list, /action="\/automations\/on-landing\/pause"/);
    const fromList = await postForm(app, "/automations/on-landing/pause", {
      _csrf: token,
      next: "/automations",
    });
    assert.match(fromList.headers.get("location")!, /^\/automations\?flash=/);
    const after = await (await app.request(fromList.headers.get("location")!)).text();
    assert.match(after, /Automation &quot;on-landing&quot; paused\./);
    assert.match(after, /action="\/automations\/on-landing\/resume"/);
    await postForm(app, "/automations/on-landing/resume", { _csrf: token });
  });
  await ctx.step("edit keeps the name; another name is refused", async () => {
    const page = await (await app.request("/automations/on-landing")).text();
    assert.match(page, /name: on-landing/, "the edit form holds the automation as YAML");
    const renamed = await postForm(app, "/automations/on-landing", {
      _csrf: token,
      spec: AUTOMATION.replace("on-landing", "other"),
    });
    assert.equal(renamed.status, 400);
    assert.match(await renamed.text(), /The name &quot;other&quot; is not this automation/);
    const saved = await postForm(app, "/automations/on-landing", {
      _csrf: token,
      spec: AUTOMATION.replace("acme.seen", "acme.noticed"),
    });
    assert.equal(saved.status, 303);
    const actions = findAutomation(t.engine.reader, "on-landing")!.actions;
    assert.deepEqual(actions.map((a) => "event" in a && a.event), ["acme.noticed"]);
  });
  await ctx.step("delete", async () => {
    const res = await postForm(app, "/automations/on-landing/delete", { _csrf: token });
    assert.equal(res.status, 303);
    assert.equal(listAutomations(t.engine.reader).length, 0);
  });
});

Deno.test("automation page shows its recent firings with their action results", async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  await using t = testEngine(clock);
  const app = createApp({ engine: t.engine, clock });
  const token = await csrfOf(app, "/automations");
  const spec = AUTOMATION.replace(
    "    resource: acme.x\n",
    "    resource: acme.x\n  - type: pause-work-pool\n    work_pool: nowhere\n",
  );
  assert.equal((await postForm(app, "/automations", { _csrf: token, spec })).status, 303);
  await evaluateAutomations(t.engine, { now: clock.now() });
  clock.tick(1_000);
  await t.engine.transact((tx) =>
    appendEvents(tx, [{ event: "acme.file.landed", resource: "acme.b" }], { now: clock.now() })
  );
  await evaluateAutomations(t.engine, { now: clock.now() });
  await runFiringActions(t.engine, { now: clock.now() });
  const page = await (await app.request("/automations/on-landing")).text();
  const firings = [...page.matchAll(/<tr\s+data-firing="[^"]+">([\s\S]*?)<\/tr>/g)];
  assert.equal(firings.length, 1);
  assert.match(firings[0]![1]!, /s-COMPLETED">succeeded/);
  assert.match(firings[0]![1]!, /s-FAILED">failed<\/span> · [^<]*nowhere/);
  const list = await (await app.request("/automations")).text();
  assert.match(list, /data-automation="on-landing"[\s\S]*?<time datetime="2026-01-01T00:00:01/);
  const id = findAutomation(t.engine.reader, "on-landing")!.id;
  const feed = await (await app.request(`/events?resource=ironflow.automation.${id}`)).text();
  assert.match(feed, /ironflow\.automation\.triggered/);
  assert.match(feed, /ironflow\.automation\.action\.succeeded/);
  assert.ok(feed.includes(`href="/automations/on-landing"`), "the resource links back");
});

Deno.test("variable form saves JSON, shows a wrong JSON or name next to its field, deletes", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: new FakeClock(Date.UTC(2026, 0, 1)) });
  const variables = new VariableService({ engine: t.engine, clock: new FakeClock() });
  const token = await csrfOf(app, "/variables");

  const bad = await postForm(app, "/variables", { _csrf: token, name: "batch", value: "{nope" });
  assert.equal(bad.status, 400);
  const html = await bad.text();
  assert.match(html, /id="variable-value-error"[^>]*>The value is not JSON: /);
  assert.ok(html.includes("{nope"), "the posted text is kept");
  assert.equal(variables.get("batch"), undefined);

  const badName = await postForm(app, "/variables", { _csrf: token, name: "Batch!", value: "1" });
  assert.equal(badName.status, 400);
  assert.match(await badName.text(), /id="variable-name-error"[^>]*>Variable name &quot;Batch!/);

  const ok = await postForm(app, "/variables", {
    _csrf: token,
    name: "batch",
    value: '{"size": 500}',
  });
  assert.equal(ok.status, 303);
  assert.deepEqual(variables.get("batch")?.value, { size: 500 });
  const list = await (await app.request("/variables")).text();
  assert.match(list, /data-variable="batch"/);
  assert.ok(list.includes("{&quot;size&quot;:500}"), "the value's preview is listed");
  const edit = await (await app.request("/variables?edit=batch")).text();
  assert.match(edit, /<textarea[^>]*>\{\n {2}&quot;size&quot;: 500\n\}<\/textarea>/);

  const gone = await postForm(app, "/variables/batch/delete", { _csrf: token });
  assert.equal(gone.status, 303);
  assert.equal(variables.get("batch"), undefined);
});

Deno.test("secrets page lists names only; a value is never in any answer", async () => {
  await using t = testEngine();
  const secretCipher = await SecretCipher.fromKey("a key of sixteen or more characters");
  const app = createApp({
    engine: t.engine,
    clock: new FakeClock(Date.UTC(2026, 0, 1)),
    secretCipher,
  });
  const token = await csrfOf(app, "/secrets");
  const value = "hunter2-very-secret-value";
  const res = await postForm(app, "/secrets", { _csrf: token, name: "db_password", value });
  assert.equal(res.status, 303);
  const page = await (await app.request(res.headers.get("location")!)).text();
  assert.match(page, /data-secret="db_password"/);
  assert.ok(!page.includes(value));
  const refused = await postForm(app, "/secrets", { _csrf: token, name: "Bad Name", value });
  assert.equal(refused.status, 400);
  const html = await refused.text();
  assert.match(html, /id="secret-error"[^>]*>Secret name &quot;Bad Name&quot; is invalid/);
  assert.ok(!html.includes(value), "a refused value is not echoed back");
  await postForm(app, "/secrets/db_password/delete", { _csrf: token });
  assert.doesNotMatch(await (await app.request("/secrets")).text(), /data-secret=/);
});

Deno.test("secrets page without IRONFLOW_SECRET_KEY says how to set it and disables the form", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: new FakeClock() });
  const page = await (await app.request("/secrets")).text();
  assert.match(page, /has no <code>IRONFLOW_SECRET_KEY<\/code>/);
  assert.match(page, /<fieldset disabled/);
  const token = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const res = await postForm(app, "/secrets", { _csrf: token, name: "x", value: "y" });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /no IRONFLOW_SECRET_KEY: nothing was saved/);
});

Deno.test("catalog forms refuse a post without the session's CSRF token and change nothing", async () => {
  await using t = testEngine();
  const secretCipher = await SecretCipher.fromKey("a key of sixteen or more characters");
  const app = createApp({ engine: t.engine, clock: new FakeClock(), secretCipher });
  const variables = new VariableService({ engine: t.engine, clock: new FakeClock() });
  await variables.set("keep", 1);
  const token = await csrfOf(app, "/automations");
  await postForm(app, "/automations", { _csrf: token, spec: AUTOMATION });
  const cases: [string, Record<string, string>][] = [
    ["/variables", { name: "v", value: "1" }],
    ["/variables/keep/delete", {}],
    ["/secrets", { name: "s", value: "x" }],
    ["/automations", { spec: AUTOMATION.replace("on-landing", "forged") }],
    ["/automations/on-landing", { spec: AUTOMATION }],
    ["/automations/on-landing/pause", {}],
    ["/automations/on-landing/delete", {}],
  ];
  for (const [path, fields] of cases) {
    for (const forged of [{}, { _csrf: "forged" }]) {
      const res = await postForm(app, path, { ...fields, ...forged });
      assert.equal(res.status, 403, `${path} without a valid token`);
    }
  }
  assert.equal(variables.get("keep")?.value, 1);
  assert.equal(variables.get("v"), undefined);
  assert.deepEqual(listAutomations(t.engine.reader).map((a) => [a.name, a.enabled]), [
    ["on-landing", true],
  ]);
  assert.equal(
    await (await app.request("/secrets")).text().then((h) => h.includes("data-secret=")),
    false,
  );
});

Deno.test("with an API key the catalog pages and forms need a signed-in session", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: new FakeClock(), apiKey: "catalog-key" });
  for (const path of ["/events", "/automations", "/automations/x", "/variables", "/secrets"]) {
    const res = await app.request(path);
    assert.equal(res.status, 303, path);
    assert.match(res.headers.get("location")!, /^\/login\?next=/);
  }
  const res = await postForm(app, "/variables", { name: "v", value: "1" });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/login");
  assert.equal(
    new VariableService({ engine: t.engine, clock: new FakeClock() }).get("v"),
    undefined,
  );
});
