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

// Prefect 3 "Customize job variables" (docs.prefect.io/v3/deploy/infrastructure-concepts/customize).
Deno.test("job variables API: pool base, deployment job_variables and run job_variables; unknown keys answer 400", async () => {
  const { app } = testServer();
  const pool = await call(app, "/api/work-pools", {
    body: { name: "etl", base_job_variables: { env: { TIER: "pool" } } },
  });
  assert.deepEqual(pool.body.base_job_variables, { env: { TIER: "pool" } });
  const d = await call(app, "/api/deployments", {
    body: {
      name: "w",
      entrypoint: "./w.ts:w",
      env: { A: "1" },
      work_pool: {
        name: "etl",
        job_variables: { env: { B: "2" }, command_prefix: ["nice", "-n", "5"] },
      },
    },
  });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  assert.deepEqual(d.body.env, { A: "1", B: "2" });
  assert.deepEqual(d.body.job_variables, {
    env: { A: "1", B: "2" },
    command_prefix: ["nice", "-n", "5"],
  });
  const run = await call(app, "/api/deployments/w/run", {
    body: { job_variables: { env: { C: "3" } } },
  });
  assert.equal(run.status, 201, JSON.stringify(run.body));
  const claimed = await call(app, "/api/work-pools/etl/claim", { body: { worker_id: "w1" } });
  assert.deepEqual(claimed.body.runs[0].job_variables, {
    env: { TIER: "pool", A: "1", B: "2", C: "3" },
    working_directory: null,
    command_prefix: ["nice", "-n", "5"],
  });
  const bad = await call(app, "/api/deployments/w/run", {
    body: { job_variables: { image: "python:3.12" } },
  });
  assert.equal(bad.status, 400, JSON.stringify(bad.body));
  assert.match(bad.body.error.message, /unknown job variable "image"/);
  const badDeployment = await call(app, "/api/deployments", {
    body: { name: "x", entrypoint: "./x.ts:x", job_variables: { cpu: 2 } },
  });
  assert.equal(badDeployment.status, 400, JSON.stringify(badDeployment.body));
  assert.match(badDeployment.body.error.message, /Deployment "x": unknown job variable "cpu"/);
});
