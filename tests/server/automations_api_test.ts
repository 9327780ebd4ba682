import assert from "node:assert/strict";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { createScheduler } from "../../server/services/services_loop.ts";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

const ON_FAILURE = {
  name: "page-on-failure",
  trigger: { type: "run-state", deployment: "ingest", states: ["Failed", "Crashed"] },
  actions: [
    { type: "pause-deployment", deployment: "ingest" },
    { type: "http", url: "http://127.0.0.1:9/hook", body: { text: "{{ event.resource }}" } },
  ],
};

Deno.test("automations: create, read, list, pause, resume, apply and delete over the API", async () => {
  const { app, engine } = testServer();
  const ingest = await new DeploymentService(engine).create({
    name: "ingest",
    entrypoint: "./flows/ingest.ts:ingest",
  });
  const created = await call(app, "/api/automations", { body: ON_FAILURE });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.enabled, true);
  assert.deepEqual(created.body.trigger, {
    type: "run-state",
    deployment: ingest.id,
    states: ["Failed", "Crashed"],
  });
  assert.deepEqual(created.body.last_firings, []);
  assertError(await call(app, "/api/automations", { body: ON_FAILURE }), 409, "automation_exists");

  const paused = await call(app, "/api/automations/page-on-failure/pause", { body: {} });
  assert.equal(paused.body.enabled, false);
  const resumed = await call(app, `/api/automations/${created.body.id}/resume`, { body: {} });
  assert.equal(resumed.body.enabled, true);

  const applied = await call(app, "/api/automations/apply", {
    method: "PUT",
    body: { ...ON_FAILURE, description: "changed" },
  });
  assert.equal(applied.status, 200);
  assert.equal(applied.body.id, created.body.id, "apply replaces by name");
  const listed = await call(app, "/api/automations");
  assert.deepEqual(listed.body.items.map((a: { description: string }) => a.description), [
    "changed",
  ]);
  const deleted = await call(app, "/api/automations/page-on-failure", { method: "DELETE" });
  assert.equal(deleted.status, 200);
  assertError(await call(app, "/api/automations/page-on-failure"), 404, "automation_not_found");
});

Deno.test("automations: bad settings give a clear error and store nothing", async (t) => {
  const { app, engine } = testServer();
  const before = snapshot(engine);
  assertError(
    await call(app, "/api/automations", { body: ON_FAILURE }),
    404,
    "deployment_not_found",
  );
  const cases: [string, unknown, string][] = [
    [
      "an action on an unknown deployment",
      { ...ON_FAILURE, trigger: { type: "event", match: ["a.b"] } },
      "invalid_automation",
    ],
    ["no actions", { ...ON_FAILURE, actions: [] }, "invalid_request"],
    ["unknown trigger type", { ...ON_FAILURE, trigger: { type: "cron" } }, "invalid_request"],
    [
      "proactive without a window",
      {
        name: "p",
        trigger: { type: "event", posture: "proactive", match: ["a.b"] },
        actions: [{ type: "emit-event", event: "a.c", resource: "r" }],
      },
      "invalid_automation",
    ],
    [
      "unknown template source",
      {
        name: "p",
        trigger: { type: "event", match: ["a.b"] },
        actions: [{ type: "emit-event", event: "a.c", resource: "{{ evnt.resource }}" }],
      },
      "invalid_automation",
    ],
    [
      "a URL that is not http",
      {
        name: "p",
        trigger: { type: "event", match: ["a.b"] },
        actions: [{ type: "http", url: "file:///etc/passwd" }],
      },
      "invalid_automation",
    ],
    [
      "a secret read outside the headers (it would be sent in clear and recorded)",
      {
        name: "p",
        trigger: { type: "event", match: ["a.b"] },
        actions: [{
          type: "http",
          url: "http://127.0.0.1:1/hook",
          body: { token: "{{ secrets.api_token }}" },
        }],
      },
      "invalid_automation",
    ],
    [
      "an unknown option",
      { ...ON_FAILURE, trigger: { type: "event", match: ["a.b"], thresold: 3 } },
      "invalid_request",
    ],
  ];
  for (const [name, body, code] of cases) {
    await t.step(name, async () => {
      assertError(await call(app, "/api/automations", { body }), 400, code);
    });
  }
  assert.deepEqual(snapshot(engine), before);
  assert.deepEqual((await call(app, "/api/automations")).body.items, []);
});

Deno.test("automations: a firing shows in last_firings and the firings list", async () => {
  const { app, engine, clock } = testServer();
  await call(app, "/api/automations", {
    body: {
      name: "echo",
      trigger: { type: "event", match: ["acme.ping"] },
      actions: [{ type: "emit-event", event: "acme.pong", resource: "{{ event.resource }}" }],
    },
  });
  const services = createScheduler({ engine, clock, holder: "node" });
  await services.tick();
  await call(app, "/api/events", { body: { event: "acme.ping", resource: "acme.x" } });
  await services.tick();
  const shown = await call(app, "/api/automations/echo");
  assert.equal(shown.body.last_firings.length, 1);
  assert.deepEqual(shown.body.last_firings[0].actions.map((a: { status: string }) => a.status), [
    "succeeded",
  ]);
  const firings = await call(app, "/api/automations/echo/firings");
  assert.equal(firings.body.items.length, 1);
  const pong = await call(app, "/api/events?prefix=acme.pong");
  assert.equal(pong.body.items[0].resource, "acme.x");
});
