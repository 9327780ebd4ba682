import assert from "node:assert/strict";
import { assertError, call, T0, testServer } from "../../server/_helpers.ts";

const spec = {
  name: "etl-daily",
  entrypoint: "./flows/etl.ts:etl",
  parameters: { day: "today" },
  tags: ["nightly"],
  concurrency_limit: { limit: 2, collision_strategy: "ENQUEUE" },
  work_pool: "default",
  schedules: [{ cron: "0 6 * * *", timezone: "Europe/Paris" }],
};

Deno.test("deployments API: create, get by id and name, list, patch, pause and resume", async () => {
  const { app } = testServer();
  const created = await call(app, "/api/deployments", { body: spec });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const d = created.body;
  assert.equal(d.flow_name, "etl");
  assert.equal(d.concurrency_limit, 2);
  assert.deepEqual(d.schedules, [{
    cron: "0 6 * * *",
    timezone: "Europe/Paris",
    active: true,
    catchup: "skip",
  }]);
  assert.equal((await call(app, `/api/deployments/${d.id}`)).body.name, "etl-daily");
  assert.equal((await call(app, "/api/deployments/name/etl-daily")).body.id, d.id);
  const listed = await call(app, "/api/deployments");
  assert.deepEqual(listed.body.items.map((x: { name: string }) => x.name), ["etl-daily"]);
  assert.equal(listed.body.next_cursor, null);
  const renamed = await call(app, `/api/deployments/${d.id}`, {
    method: "PATCH",
    body: { name: "etl-nightly", tags: ["renamed"] },
  });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.deepEqual(renamed.body.formerly, ["etl-daily"]);
  assert.equal((await call(app, "/api/deployments/name/etl-daily")).body.name, "etl-nightly");
  const paused = await call(app, `/api/deployments/${d.id}/pause`, { method: "POST" });
  assert.equal(paused.body.paused, true);
  const resumed = await call(app, `/api/deployments/etl-nightly/resume`, { method: "POST" });
  assert.equal(resumed.body.paused, false);
  const next = await call(app, `/api/deployments/${d.id}/schedules/next?count=2`);
  assert.equal(next.body.schedules[0].next.length, 2);
  assertError(await call(app, "/api/deployments/nope"), 404, "deployment_not_found");
  assertError(await call(app, "/api/deployments", { body: spec }), 409, "deployment_exists");
});

Deno.test("deployments API: invalid bodies answer 400 with every problem", async () => {
  const { app } = testServer();
  const bad = await call(app, "/api/deployments", {
    body: { ...spec, schedules: [{ cron: "0 6 * *", timezone: "Nowhere/City" }] },
  });
  assertError(bad, 400, "invalid_deployment");
  assert.match(bad.body.error.message, /must have 5 or 6 fields/);
  const both = await call(app, "/api/deployments", {
    body: { ...spec, schedules: [{ cron: "@daily", interval: 60 }] },
  });
  assertError(both, 400, "invalid_request");
  assert.match(both.body.error.message, /exactly one of interval, cron or rrule/);
});

Deno.test("deployments API: apply upserts, prunes and dry-runs", async () => {
  const { app } = testServer();
  await call(app, "/api/deployments", { body: { name: "old", entrypoint: "./o.ts:o" } });
  const body = {
    deployments: [spec, { name: "second", entrypoint: "./s.ts:s", schedule: { interval: 600 } }],
    prune: true,
  };
  const dry = await call(app, "/api/deployments/apply", { body: { ...body, dry_run: true } });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(dry.body.dry_run, true);
  assert.deepEqual(dry.body.created.map((d: { name: string }) => d.name), ["etl-daily", "second"]);
  assert.deepEqual(dry.body.pruned.map((d: { name: string }) => d.name), ["old"]);
  assert.equal((await call(app, "/api/deployments")).body.items.length, 1);
  const real = await call(app, "/api/deployments/apply", { body });
  assert.deepEqual(real.body.pruned.map((d: { name: string }) => d.name), ["old"]);
  const again = await call(app, "/api/deployments/apply", { body });
  assert.equal(again.body.unchanged.length, 2);
  assert.deepEqual(
    (await call(app, "/api/deployments")).body.items.map((d: { name: string }) => d.name),
    ["etl-daily", "second"],
  );
});

Deno.test("deployments API: run with parameters and an idempotency key; runs list; delete 409", async () => {
  const { app, engine } = testServer();
  const d = (await call(app, "/api/deployments", {
    body: { name: "manual", entrypoint: "./m.ts:m", parameters: { a: 1 } },
  })).body;
  const first = await call(app, `/api/deployments/${d.id}/run`, {
    body: { parameters: { b: 2 }, idempotency_key: "k" },
  });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.state, "SCHEDULED");
  assert.equal(first.body.deployment_id, d.id);
  assert.deepEqual(first.body.parameters, { a: 1, b: 2 });
  assert.equal(first.body.expected_start_time, new Date(T0).toISOString());
  const again = await call(app, `/api/deployments/${d.id}/run`, {
    body: { idempotency_key: "k" },
  });
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  const bare = await app.request(`/api/deployments/manual/run`, {
    method: "POST",
    headers: { "content-type": "application/json" },
  });
  assert.equal(bare.status, 201);
  const runs = await call(app, `/api/deployments/${d.id}/runs`);
  assert.equal(runs.body.items.length, 2);
  assertError(
    await call(app, `/api/deployments/${d.id}`, { method: "DELETE" }),
    409,
    "deployment_in_use",
  );
  for (const run of runs.body.items) {
    await engine.propose(run.id, { to: "CANCELLED", token: "c", kind: "user_cancel" });
  }
  assert.equal(
    (await app.request(`/api/deployments/${d.id}`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
    })).status,
    204,
  );
  assertError(await call(app, `/api/deployments/${d.id}`), 404, "deployment_not_found");
});

Deno.test("work pools API: claim answers 200 with the run or 204, heartbeat, renew, release", async () => {
  const { app, clock } = testServer();
  const d = (await call(app, "/api/deployments", {
    body: { name: "w", entrypoint: "./w.ts:w", work_pool: "etl" },
  })).body;
  const pools = await call(app, "/api/work-pools");
  assert.deepEqual(pools.body.items.map((p: { name: string }) => p.name), ["default", "etl"]);
  const empty = await app.request("/api/work-pools/etl/claim", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ worker_id: "w1" }),
  });
  assert.equal(empty.status, 204);
  const run = (await call(app, `/api/deployments/${d.id}/run`, { body: {} })).body;
  const claimed = await call(app, "/api/work-pools/etl/claim", {
    body: { worker_id: "w1", lease_seconds: 60 },
  });
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  assert.equal(claimed.body.runs[0].run.id, run.id);
  assert.equal(claimed.body.runs[0].run.state, "PENDING");
  assert.equal(claimed.body.runs[0].deployment.entrypoint, "./w.ts:w");
  const claimId = claimed.body.runs[0].claim.claim_id;
  const second = await app.request("/api/work-pools/etl/claim", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ worker_id: "w2" }),
  });
  assert.equal(second.status, 204);
  clock.tick(30_000);
  const renewed = await call(app, `/api/workers/w1/claims/${run.id}/renew`, {
    body: { claim_id: claimId, lease_seconds: 60 },
  });
  assert.deepEqual(renewed.body, {
    held: true,
    lease_expires_at: new Date(clock.now() + 60_000).toISOString(),
    state: "PENDING",
  });
  const released = await app.request(`/api/workers/w1/claims/${run.id}/release`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ claim_id: claimId }),
  });
  assert.equal(released.status, 204);
  const beat = await call(app, "/api/workers/w3/heartbeat", {
    body: { work_pool: "etl", name: "third" },
  });
  assert.equal(beat.body.status, "ONLINE");
  const workers = await call(app, "/api/work-pools/etl/workers");
  assert.deepEqual(workers.body.items.map((w: { id: string }) => w.id), ["w1", "w2", "w3"]);
  assertError(
    await call(app, "/api/work-pools/nope/claim", { body: { worker_id: "w" } }),
    404,
    "work_pool_not_found",
  );
  assertError(
    await call(app, "/api/work-pools/etl/claim", { body: { worker_id: "w", lease_seconds: 0 } }),
    400,
    "invalid_request",
  );
  const paused = await call(app, "/api/work-pools/etl", {
    method: "PATCH",
    body: { paused: true },
  });
  assert.equal(paused.body.paused, true);
});

Deno.test("work pools API: a long-poll claim wakes up when a run is created", async () => {
  const { app } = testServer();
  const d = (await call(app, "/api/deployments", { body: { name: "lp", entrypoint: "./l.ts:l" } }))
    .body;
  const waiting = call(app, "/api/work-pools/default/claim", {
    body: { worker_id: "w", wait_ms: 5000 },
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const run = (await call(app, `/api/deployments/${d.id}/run`, { body: {} })).body;
  const answer = await waiting;
  assert.equal(answer.status, 200);
  assert.equal(answer.body.runs[0].run.id, run.id);
});

Deno.test("schedules preview answers the next times of a schedule", async () => {
  const { app } = testServer();
  const answer = await call(app, "/api/schedules/preview", {
    body: {
      schedule: { cron: "@daily", timezone: "UTC" },
      count: 2,
      after: "2024-01-01T12:00:00Z",
    },
  });
  assert.deepEqual(answer.body.next, ["2024-01-02T00:00:00.000Z", "2024-01-03T00:00:00.000Z"]);
});

// Prefect 3 "Schedules" (docs.prefect.io/v3/concepts/schedules): schedules with slugs and parameters.
Deno.test("deployments API: schedules carry a slug and parameters; one is paused and resumed by slug", async () => {
  const { app } = testServer();
  const created = await call(app, "/api/deployments", {
    body: {
      ...spec,
      schedules: [
        { cron: "0 6 * * *", slug: "morning", parameters: { day: "yesterday" } },
        { cron: "0 18 * * *", slug: "evening" },
      ],
    },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.schedules[0], {
    cron: "0 6 * * *",
    timezone: "UTC",
    active: true,
    catchup: "skip",
    slug: "morning",
    parameters: { day: "yesterday" },
  });
  const paused = await call(app, "/api/deployments/etl-daily/schedules/morning/pause", {
    method: "POST",
  });
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.deepEqual(paused.body.schedules.map((s: { active: boolean }) => s.active), [false, true]);
  const next = await call(app, "/api/deployments/etl-daily/schedules/next?count=1");
  assert.deepEqual(
    next.body.schedules.map((s: { slug: string; active: boolean }) => [s.slug, s.active]),
    [["morning", false], ["evening", true]],
  );
  const resumed = await call(app, "/api/deployments/etl-daily/schedules/morning/resume", {
    method: "POST",
  });
  assert.equal(resumed.body.schedules[0].active, true);
  assertError(
    await call(app, "/api/deployments/etl-daily/schedules/noon/pause", { method: "POST" }),
    404,
    "schedule_not_found",
  );
});
