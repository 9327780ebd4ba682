import assert from "node:assert/strict";
import { flow, getRunContext, task } from "../../sdk/mod.ts";
import { claimRuns, createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

async function runningFlowRun(server: ReturnType<typeof testServer>, name = "etl") {
  const run = await server.engine.createFlowRun({ name, parameters: { day: 1 }, tags: ["t"] });
  await server.engine.propose(run.id, { to: "RUNNING", token: `start-${run.id}`, kind: "start" });
  return run;
}

// A run of a deployment, claimed by a worker and RUNNING.
async function runningDeploymentRun(server: ReturnType<typeof testServer>) {
  const deployments = new DeploymentService(server.engine);
  const deployment = deployments.find("etl-daily") ??
    await deployments.create({ name: "etl-daily", entrypoint: "./etl.ts:etl", tags: ["t"] });
  const run = await createDeploymentRun(server.engine, deployment, { parameters: { day: 1 } });
  const [claimed] = await claimRuns(server.engine, "default", { workerId: "w1" });
  assert.equal(claimed?.run.id, run.id);
  await server.engine.propose(run.id, { to: "RUNNING", token: `start-${run.id}`, kind: "start" });
  return run;
}

Deno.test("POST /api/flow-runs/:id/cancel cancels a run that has not started at once", async () => {
  const server = testServer();
  const run = await server.engine.createFlowRun({ name: "etl", state: "SCHEDULED" });
  const answer = await call(server.app, `/api/flow-runs/${run.id}/cancel`, { method: "POST" });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.result.status, "accepted");
  assert.equal(answer.body.run.state, "CANCELLED");
  assert.equal(answer.body.run.message, "Cancelled by request");
  const event = server.engine.events(run.id).at(-1)!;
  assert.equal(event.kind, "user_cancel");
});

Deno.test("POST /api/flow-runs/:id/cancel moves a running SDK flow to CANCELLING and its executor ends it CANCELLED", async () => {
  const server = testServer();
  let started!: () => void;
  const running = new Promise<void>((resolve) => started = resolve);
  const wait = task({ name: "wait" }, async () => {
    const { signal } = getRunContext();
    started();
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  });
  const slow = flow({ name: "slow" }, async () => await wait());
  const outcome = slow.runWith({ plane: server.plane });
  await running;
  const id = server.engine.listRuns({ kind: "flow" }).items[0]!.id;

  const answer = await call(server.app, `/api/flow-runs/${id}/cancel`, {
    body: { reason: "operator says stop" },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.run.state, "CANCELLING");
  const finished = await outcome;
  assert.equal(finished.state.type, "CANCELLED");
  assert.equal(server.engine.getRun(id)!.state, "CANCELLED");
});

Deno.test("POST /api/flow-runs/:id/cancel answers 409 for a terminal run and changes nothing", async () => {
  const server = testServer();
  const run = await runningFlowRun(server);
  await server.engine.propose(run.id, { to: "COMPLETED", token: "done", kind: "complete" });
  const before = snapshot(server.engine);
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/cancel`, { method: "POST" }),
    409,
    "invalid_transition",
  );
  assert.deepEqual(snapshot(server.engine), before);
  assertError(
    await call(server.app, "/api/flow-runs/nope/cancel", { method: "POST" }),
    404,
    "flow_run_not_found",
  );
});

Deno.test("POST /api/flow-runs/:id/pause requires a mode and pauses only RUNNING runs", async () => {
  const server = testServer();
  const run = await runningFlowRun(server);
  const before = snapshot(server.engine);
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/pause`, { method: "POST" }),
    400,
    "invalid_request",
  );
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/pause`, { body: { mode: "nap" } }),
    400,
    "invalid_request",
  );
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/pause`, { body: { mode: "drain", extra: 1 } }),
    400,
    "invalid_request",
  );
  assert.deepEqual(snapshot(server.engine), before);

  const drained = await call(server.app, `/api/flow-runs/${run.id}/pause`, {
    body: { mode: "drain" },
  });
  assert.equal(drained.status, 200, JSON.stringify(drained.body));
  assert.equal(drained.body.run.state, "PAUSED");
  assert.equal(
    drained.body.run.state_name,
    "Draining",
    "the executor marks it Paused once in-flight task bodies finish",
  );
  assert.equal(server.engine.events(run.id).at(-1)!.kind, "operator_pause_drain");
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/pause`, { body: { mode: "drain" } }),
    409,
    "invalid_transition",
  );

  const other = await runningFlowRun(server);
  const terminated = await call(server.app, `/api/flow-runs/${other.id}/pause`, {
    body: { mode: "terminate", reason: "maintenance" },
  });
  assert.equal(terminated.body.run.state_name, "Suspended");
  assert.equal(terminated.body.run.message, "maintenance");
  assert.equal(server.engine.events(other.id).at(-1)!.kind, "operator_pause_terminate");
});

Deno.test("POST /api/flow-runs/:id/resume returns a drained run to RUNNING and queues a suspended deployment run", async () => {
  const server = testServer();
  const drained = await runningFlowRun(server);
  const suspended = await runningDeploymentRun(server);
  const scriptRun = await runningFlowRun(server);
  await call(server.app, `/api/flow-runs/${drained.id}/pause`, { body: { mode: "drain" } });
  await call(server.app, `/api/flow-runs/${suspended.id}/pause`, { body: { mode: "terminate" } });
  await call(server.app, `/api/flow-runs/${scriptRun.id}/pause`, { body: { mode: "terminate" } });

  const a = await call(server.app, `/api/flow-runs/${drained.id}/resume`, { method: "POST" });
  assert.equal(a.body.run.state, "RUNNING");
  const b = await call(server.app, `/api/flow-runs/${suspended.id}/resume`, { method: "POST" });
  assert.equal(b.body.run.state, "SCHEDULED");
  assert.equal(server.engine.events(suspended.id).at(-1)!.kind, "operator_resume");
  // Queued for its pool at once: an idle worker claims it.
  const [claimed] = await claimRuns(server.engine, "default", { workerId: "w2" });
  assert.equal(claimed?.run.id, suspended.id);
  // A terminated run of no deployment has no worker: only a process defining its flow resumes it.
  const c = await call(server.app, `/api/flow-runs/${scriptRun.id}/resume`, { method: "POST" });
  assertError(c, 409, "invalid_transition");
  assert.match(c.body.error.message, /resumeFlowRun/);
  assertError(
    await call(server.app, `/api/flow-runs/${drained.id}/resume`, { method: "POST" }),
    409,
    "invalid_transition",
  );
  assertError(
    await call(server.app, `/api/flow-runs/${drained.id}/resume`, { body: { now: true } }),
    400,
    "invalid_request",
  );
});

Deno.test("POST /api/flow-runs/:id/cancel of a suspended run cancels it at once", async () => {
  const server = testServer();
  const run = await runningFlowRun(server);
  await call(server.app, `/api/flow-runs/${run.id}/pause`, { body: { mode: "terminate" } });
  const answer = await call(server.app, `/api/flow-runs/${run.id}/cancel`, { method: "POST" });
  assert.equal(answer.body.run.state, "CANCELLED");
});

Deno.test("POST /api/flow-runs/:id/retry queues the next attempt of a deployment run for its pool", async () => {
  const server = testServer();
  const run = await runningDeploymentRun(server);
  await server.engine.propose(run.id, { to: "FAILED", token: "fail", kind: "fail" });
  const answer = await call(server.app, `/api/flow-runs/${run.id}/retry`, { method: "POST" });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  const retried = answer.body;
  assert.notEqual(retried.id, run.id);
  assert.equal(retried.state, "SCHEDULED");
  assert.equal(retried.lineage_id, run.lineageId);
  assert.equal(retried.attempt, 2);
  assert.equal(retried.deployment_id, run.deploymentId);
  assert.equal(retried.run_name, run.runName);
  assert.deepEqual(retried.parameters, { day: 1 });
  assert.deepEqual(retried.tags, ["t"]);
  // Due now and in the pool's queue: an idle worker picks it up at once.
  assert.equal(retried.expected_start_time, retried.created_at);
  const [claimed] = await claimRuns(server.engine, "default", { workerId: "w2" });
  assert.equal(claimed?.run.id, retried.id);

  // The old attempt was already retried; the new one is not finished.
  const before = snapshot(server.engine);
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/retry`, { method: "POST" }),
    409,
    "conflict",
  );
  assertError(
    await call(server.app, `/api/flow-runs/${retried.id}/retry`, { method: "POST" }),
    409,
    "invalid_transition",
  );
  assert.deepEqual(snapshot(server.engine), before);

  const detail = await call(server.app, `/api/flow-runs/${retried.id}`);
  assert.deepEqual(detail.body.lineage.map((r: { id: string }) => r.id), [run.id]);
});

// Clients (the SDK's remote plane, scripts) send every action with a JSON body, `{}` when empty.
Deno.test("POST /api/flow-runs/:id/retry takes an empty JSON object like the other actions", async () => {
  const server = testServer();
  const run = await runningDeploymentRun(server);
  await server.engine.propose(run.id, { to: "FAILED", token: "fail", kind: "fail" });
  const answer = await call(server.app, `/api/flow-runs/${run.id}/retry`, { body: {} });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  assert.equal(answer.body.attempt, 2);
  assertError(
    await call(server.app, `/api/flow-runs/${answer.body.id}/retry`, { body: { force: true } }),
    400,
    "invalid_request",
  );
});

// Prefect offers a retry from the UI only for deployment runs: a worker must be able to run it.
Deno.test("POST /api/flow-runs/:id/retry refuses a run of no deployment and says where to retry it", async () => {
  const server = testServer();
  const run = await runningFlowRun(server);
  await server.engine.propose(run.id, { to: "FAILED", token: "fail", kind: "fail" });
  const before = snapshot(server.engine);
  const answer = await call(server.app, `/api/flow-runs/${run.id}/retry`, { method: "POST" });
  assertError(answer, 409, "invalid_transition");
  assert.match(answer.body.error.message, /retryFlowRun/);
  assert.deepEqual(snapshot(server.engine), before);
});

Deno.test("POST /api/flow-runs/:id/retry refuses COMPLETED runs and subflow runs", async () => {
  const server = testServer();
  const run = await runningFlowRun(server);
  await server.engine.propose(run.id, { to: "COMPLETED", token: "done", kind: "complete" });
  assertError(
    await call(server.app, `/api/flow-runs/${run.id}/retry`, { method: "POST" }),
    409,
    "invalid_transition",
  );
  const sub = await server.engine.createFlowRun({
    name: "sub",
    parentId: run.id,
    rootId: run.id,
    depth: 1,
  });
  await server.engine.propose(sub.id, { to: "CANCELLED", token: "c", kind: "user_cancel" });
  assertError(
    await call(server.app, `/api/flow-runs/${sub.id}/retry`, { method: "POST" }),
    409,
    "invalid_transition",
  );
});
