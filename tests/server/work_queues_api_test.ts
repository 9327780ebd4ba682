/**
 * The work queue API, from Prefect 3's "Work pools" page (docs.prefect.io/v3/concepts/work-pools,
 * "Work queues"): queues of a pool with priority, concurrency limit and pause, a deployment
 * naming its queue (Prefect's `work_pool.work_queue_name`), and claims restricted to queues.
 */
import assert from "node:assert/strict";
import { assertError, call, testServer } from "./_helpers.ts";

Deno.test("work queues API: create, list by priority, patch, pause, resume, delete", async () => {
  const { app } = testServer();
  assert.equal((await call(app, "/api/work-pools", { body: { name: "etl" } })).status, 201);
  const created = await call(app, "/api/work-pools/etl/queues", {
    body: { name: "critical", priority: 1, concurrency_limit: 2 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body, {
    name: "critical",
    work_pool: "etl",
    priority: 1,
    concurrency_limit: 2,
    paused: false,
    description: null,
  });
  await call(app, "/api/work-pools/etl/queues/default", { method: "PATCH", body: { priority: 3 } });
  const listed = await call(app, "/api/work-pools/etl/queues");
  assert.deepEqual(
    listed.body.items.map((q: { name: string; priority: number }) => [q.name, q.priority]),
    [["critical", 1], ["default", 3]],
  );
  const paused = await call(app, "/api/work-pools/etl/queues/critical/pause", { method: "POST" });
  assert.equal(paused.body.paused, true);
  const resumed = await call(app, "/api/work-pools/etl/queues/critical/resume", { method: "POST" });
  assert.equal(resumed.body.paused, false);
  assertError(
    await call(app, "/api/work-pools/etl/queues", { body: { name: "critical" } }),
    409,
    "work_queue_exists",
  );
  assertError(await call(app, "/api/work-pools/etl/queues/nope"), 404, "work_queue_not_found");
  assertError(
    await call(app, "/api/work-pools/etl/queues/critical", {
      method: "PATCH",
      body: { priority: 0 },
    }),
    400,
    "invalid_request",
  );
  const removed = await call(app, "/api/work-pools/etl/queues/critical", { method: "DELETE" });
  assert.equal(removed.status, 204);
  assertError(
    await call(app, "/api/work-pools/etl/queues/default", { method: "DELETE" }),
    409,
    "work_queue_in_use",
  );
});

Deno.test("work queues API: a deployment's queue decides which claims get its runs", async () => {
  const { app } = testServer();
  const d = (await call(app, "/api/deployments", {
    body: {
      name: "w",
      entrypoint: "./w.ts:w",
      work_pool: { name: "etl", work_queue_name: "batch" },
    },
  })).body;
  assert.equal(d.work_queue, "batch");
  const run = (await call(app, `/api/deployments/${d.id}/run`, { body: {} })).body;
  const elsewhere = await app.request("/api/work-pools/etl/claim", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ worker_id: "w1", work_queues: ["default"] }),
  });
  assert.equal(elsewhere.status, 204, "a worker of the default queue gets nothing");
  const claimed = await call(app, "/api/work-pools/etl/claim", {
    body: { worker_id: "w2", work_queues: ["batch"] },
  });
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  assert.equal(claimed.body.runs[0].run.id, run.id);
  assert.equal(claimed.body.runs[0].claim.work_queue, "batch");
  assert.equal(claimed.body.runs[0].deployment.work_queue, "batch");
});
