/**
 * The engine's actions module and the liveness of executors, on a fake
 * clock: what every entry point (SDK, CLI, API, dashboard) relies on.
 */
import assert from "node:assert/strict";
import {
  acquireSlots,
  cancelFlowRun,
  createEngine,
  createMemoryStore,
  type Engine,
  FakeClock,
  heartbeatFlowRuns,
  InvalidInputError,
  LIVENESS_KIND,
  livenessOf,
  offeredActions,
  pauseFlowRun,
  reapLostRuns,
  resumeFlowRun,
  retryFlowRun,
  type RunRecord,
  SequentialIds,
  type Store,
} from "../../engine/mod.ts";
import { createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";
import { STORE_ADAPTERS } from "./_helpers.ts";

const LIVENESS_MS = 30_000;

// Tests read the store beside the engine: liveness documents are the engine's own.
const stores = new WeakMap<Engine, Store>();

function engineOn(
  clock: FakeClock,
  store: Store = createMemoryStore(),
  livenessMs = LIVENESS_MS,
): Engine {
  const engine = createEngine({
    store,
    clock,
    ids: new SequentialIds("run"),
    livenessMs,
  });
  stores.set(engine, store);
  return engine;
}

function deadlineOf(engine: Engine, runId: string) {
  return livenessOf(stores.get(engine)!, runId);
}

async function running(engine: Engine, name = "etl"): Promise<RunRecord> {
  const run = await engine.createFlowRun({ name, state: "PENDING" });
  await engine.propose(run.id, { to: "RUNNING", token: `start-${run.id}`, kind: "start" });
  return engine.getRun(run.id)!;
}

async function runningTask(engine: Engine, flowRun: RunRecord, tags: string[] = []) {
  const task = await engine.createTaskRun({
    name: "load",
    parentId: flowRun.id,
    rootId: flowRun.rootId,
    tags,
  });
  const started = await engine.propose(task.id, {
    to: "RUNNING",
    token: `start-${task.id}`,
    kind: "start",
  });
  assert.equal(started.status, "accepted", started.reason);
  return task;
}

for (const adapter of STORE_ADAPTERS) {
  Deno.test(`${adapter.name}: a flow run whose heartbeats stop is CRASHED with its task runs, and their slots come back`, async () => {
    await using fixture = await adapter.open();
    const clock = new FakeClock();
    const engine = engineOn(clock, fixture.store);
    fixture.store.putConcurrencyLimit({
      name: "tag:db",
      limit: 1,
      slotDecayPerSecond: 0,
      activeSlots: 0,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    const flowRun = await running(engine);
    const task = await runningTask(engine, flowRun, ["db"]);

    clock.tick(LIVENESS_MS - 1);
    assert.deepEqual((await reapLostRuns(engine)).crashed, [], "still within its deadline");
    clock.tick(1);
    const report = await reapLostRuns(engine);
    assert.deepEqual(report.crashed, [flowRun.id]);
    assert.deepEqual(report.ended, [task.id]);
    assert.equal(engine.getRun(flowRun.id)!.state, "CRASHED");
    assert.match(engine.getRun(flowRun.id)!.message ?? "", /no heartbeat for 30 s/);
    assert.equal(engine.getRun(task.id)!.state, "CRASHED");
    assert.equal(deadlineOf(engine, flowRun.id), undefined, "no deadline left behind");
    // The dead holder's slot is free: another task run takes it at once.
    const other = await running(engine, "other");
    await runningTask(engine, other, ["db"]);
    // Fencing: the dead executor can add nothing under its crashed run.
    await assert.rejects(
      engine.createTaskRun({ name: "late", parentId: flowRun.id, rootId: flowRun.rootId }),
      { name: "ConflictError" },
    );
    const late = await engine.propose(task.id, {
      to: "COMPLETED",
      token: "late",
      kind: "complete",
    });
    assert.equal(late.status, "rejected");
    await engine.close();
  });
}

for (const adapter of STORE_ADAPTERS) {
  Deno.test(`${adapter.name}: a run is reaped by its own executor's timeout, and its crash says how long it was silent`, async () => {
    await using fixture = await adapter.open();
    const clock = new FakeClock();
    // The flow's own process runs with the default timeout; the server that
    // reaps shares the store with a shorter one (IRONFLOW_LIVENESS_TIMEOUT_MS).
    const executor = engineOn(clock, fixture.store, 60_000);
    const reaper = engineOn(clock, fixture.store, 5_000);
    const flowRun = await running(executor);
    assert.deepEqual(deadlineOf(executor, flowRun.id), {
      deadline: clock.now() + 60_000,
      timeoutMs: 60_000,
    });
    clock.tick(5_000);
    assert.deepEqual((await reapLostRuns(reaper)).crashed, [], "its own deadline is a minute");
    // The reaper passes a few seconds after the deadline: the message says so.
    clock.tick(55_000 + 4_000);
    assert.deepEqual((await reapLostRuns(reaper)).crashed, [flowRun.id]);
    assert.equal(
      reaper.getRun(flowRun.id)!.message,
      "Crashed: its executor sent no heartbeat for 64 s (the process died or lost its connection)",
    );
  });
}

Deno.test("a liveness document of an older version (deadline only) is worded by the reaper's timeout", async () => {
  const clock = new FakeClock();
  const store = createMemoryStore();
  const engine = engineOn(clock, store, 2_500);
  const flowRun = await running(engine);
  store.putDocument({
    collection: "run_liveness",
    key: flowRun.id,
    ref: null,
    data: { deadline: clock.now() + 2_500 },
    createdAt: clock.now(),
    updatedAt: clock.now(),
    expiresAt: null,
  });
  clock.tick(2_500);
  assert.deepEqual((await reapLostRuns(engine)).crashed, [flowRun.id]);
  assert.match(engine.getRun(flowRun.id)!.message ?? "", /no heartbeat for 2\.5 s /);
});

Deno.test("heartbeats keep a run alive, and the answers tell the executor what to stop", async () => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  const alive = await running(engine, "alive");
  const cancelled = await running(engine, "cancelled");
  for (let i = 0; i < 5; i++) {
    clock.tick(LIVENESS_MS / 2);
    const answers = await heartbeatFlowRuns(engine, [alive.id, cancelled.id, "nope"]);
    if (i === 2) await cancelFlowRun(engine, cancelled.id);
    if (i < 2) assert.ok(answers.every((a) => a.runId === "nope" ? a.stop : !a.stop));
  }
  const answers = await heartbeatFlowRuns(engine, [alive.id, cancelled.id, "nope"]);
  assert.deepEqual(answers.map((a) => [a.state, a.stop]), [
    ["RUNNING", false],
    ["CANCELLING", false],
    [null, true],
  ]);
  assert.deepEqual(await reapLostRuns(engine), { crashed: [], cancelled: [], ended: [] });
  assert.equal(engine.getRun(alive.id)!.state, "RUNNING");
  await engine.close();
});

Deno.test("a heartbeat that commits after the reaper read the deadline still wins", async () => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  const run = await running(engine);
  clock.tick(LIVENESS_MS);
  // What a reaper that read the expired deadline proposes, landing after a heartbeat.
  await heartbeatFlowRuns(engine, [run.id]);
  const late = await engine.propose(run.id, {
    to: "CRASHED",
    token: "reap",
    kind: LIVENESS_KIND,
    expectedVersion: run.version,
  });
  assert.equal(late.status, "rejected");
  assert.match(late.reason ?? "", /has a live executor/);
  assert.equal(engine.getRun(run.id)!.state, "RUNNING");
  await engine.close();
});

Deno.test("a CANCELLING run whose executor died ends CANCELLED, with its task runs", async () => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  const run = await running(engine);
  const task = await runningTask(engine, run);
  const { run: cancelling } = await cancelFlowRun(engine, run.id, { reason: "stop" });
  assert.equal(cancelling.state, "CANCELLING");
  clock.tick(LIVENESS_MS);
  const report = await reapLostRuns(engine);
  assert.deepEqual(report.cancelled, [run.id]);
  assert.equal(engine.getRun(run.id)!.state, "CANCELLED");
  assert.equal(engine.getRun(task.id)!.state, "CANCELLED");
  await engine.close();
});

Deno.test("cancelFlowRun() picks the end a run's state calls for", async (t) => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  await t.step("SCHEDULED → CANCELLED at once", async () => {
    const run = await engine.createFlowRun({ name: "a", state: "SCHEDULED" });
    assert.equal((await cancelFlowRun(engine, run.id)).run.state, "CANCELLED");
  });
  await t.step("RUNNING → CANCELLING: its executor finishes", async () => {
    const run = await running(engine);
    assert.equal((await cancelFlowRun(engine, run.id)).run.state, "CANCELLING");
  });
  await t.step('PAUSED "Suspended" → CANCELLED at once, with its task runs', async () => {
    const run = await running(engine);
    const task = await runningTask(engine, run);
    await pauseFlowRun(engine, run.id, { mode: "terminate" });
    assert.equal((await cancelFlowRun(engine, run.id)).run.state, "CANCELLED");
    assert.equal(engine.getRun(task.id)!.state, "CANCELLED");
  });
  await t.step("RUNNING with an executor past its deadline → CANCELLED at once", async () => {
    const run = await running(engine);
    clock.tick(LIVENESS_MS);
    assert.equal((await cancelFlowRun(engine, run.id)).run.state, "CANCELLED");
  });
  await t.step("terminal or CANCELLING → InvalidTransitionError, nothing changes", async () => {
    const run = await running(engine);
    await cancelFlowRun(engine, run.id);
    const version = engine.getRun(run.id)!.version;
    await assert.rejects(cancelFlowRun(engine, run.id), {
      name: "InvalidTransitionError",
      message: `Cannot cancel flow run "${run.id}": it is already "CANCELLING"`,
    });
    assert.equal(engine.getRun(run.id)!.version, version);
  });
  await t.step("an unknown run → NotFoundError", async () => {
    await assert.rejects(cancelFlowRun(engine, "ghost"), {
      name: "NotFoundError",
      message: 'Flow run "ghost" does not exist',
    });
  });
  await engine.close();
});

Deno.test("resumeFlowRun() checks input against the schema the pause recorded; a refused resume changes nothing", async () => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  const run = await running(engine);
  const schema = {
    type: "object",
    properties: { approved: { type: "boolean" } },
    required: ["approved"],
  };
  await engine.propose(run.id, {
    to: "PAUSED",
    name: "Paused",
    token: "suspend",
    kind: "suspend",
    data: { waitsForInput: true, inputSchema: schema },
  });
  const version = engine.getRun(run.id)!.version;
  await assert.rejects(resumeFlowRun(engine, run.id), (error: unknown) => {
    assert.ok(error instanceof InvalidInputError);
    assert.deepEqual(error.problems, ["input: required"]);
    return true;
  });
  await assert.rejects(resumeFlowRun(engine, run.id, { input: { approved: "yes" } }), (error) => {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0]!, /^approved: /);
    return true;
  });
  assert.equal(engine.getRun(run.id)!.version, version, "the run stays paused");
  const { run: resumed } = await resumeFlowRun(engine, run.id, { input: { approved: true } });
  assert.equal(resumed.state, "RUNNING");
  const event = engine.events(run.id).at(-1)!;
  assert.equal(event.kind, "resume");
  assert.deepEqual(event.data?.["input"], { approved: true });
  await engine.close();
});

Deno.test("a suspended deployment run resumes into its pool's queue; one of no deployment is refused", async () => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  const deployment = await new DeploymentService(engine).create({
    name: "d",
    entrypoint: "./d.ts:d",
  });
  const queued = await createDeploymentRun(engine, deployment);
  await engine.propose(queued.id, { to: "RUNNING", token: "start", kind: "start" });
  await pauseFlowRun(engine, queued.id, { mode: "terminate" });
  assert.equal(deadlineOf(engine, queued.id), undefined, "a suspended run needs no process");
  const { run } = await resumeFlowRun(engine, queued.id);
  assert.equal(run.state, "SCHEDULED");
  assert.equal(run.expectedStartTime, clock.now());

  const script = await running(engine);
  await pauseFlowRun(engine, script.id, { mode: "terminate" });
  await assert.rejects(resumeFlowRun(engine, script.id), {
    name: "InvalidTransitionError",
    message: new RegExp(`resumeFlowRun\\("${script.id}", \\{ flow \\}\\)`),
  });
  await engine.close();
});

Deno.test("the concurrency() leases of a reaped run come back at once, not when their lease expires", async () => {
  const clock = new FakeClock();
  const store = createMemoryStore();
  const engine = engineOn(clock, store);
  store.putConcurrencyLimit({
    name: "warehouse",
    limit: 1,
    slotDecayPerSecond: 0,
    activeSlots: 0,
    createdAt: clock.now(),
    updatedAt: clock.now(),
  });
  const flowRun = await running(engine);
  const task = await runningTask(engine, flowRun);
  const held = await acquireSlots(engine, clock, {
    names: ["warehouse"],
    holder: task.id,
    leaseMs: 300_000,
  });
  assert.equal(held.acquired, true);
  const other = { names: ["warehouse"], holder: "someone-else" };
  assert.equal((await acquireSlots(engine, clock, other)).acquired, false, "the one slot is taken");

  clock.tick(LIVENESS_MS);
  await reapLostRuns(engine);
  assert.equal(engine.getRun(task.id)!.state, "CRASHED");
  assert.equal(
    (await acquireSlots(engine, clock, other)).acquired,
    true,
    "freed 270 s before its lease ends",
  );
  await engine.close();
});

Deno.test("offeredActions() offers exactly the actions the engine then takes, so no button is refused", async () => {
  type Action = "cancel" | "pause" | "resume" | "retry";
  const take: Record<Action, (engine: Engine, id: string) => Promise<unknown>> = {
    cancel: (engine, id) => cancelFlowRun(engine, id),
    pause: (engine, id) => pauseFlowRun(engine, id, { mode: "drain" }),
    resume: (engine, id) => resumeFlowRun(engine, id),
    retry: (engine, id) => retryFlowRun(engine, id),
  };
  const deploymentRun = async (engine: Engine) => {
    const deployment = await new DeploymentService(engine).create({
      name: "d",
      entrypoint: "./d.ts:d",
    });
    const queued = await createDeploymentRun(engine, deployment);
    await engine.propose(queued.id, { to: "RUNNING", token: "start", kind: "start" });
    return engine.getRun(queued.id)!;
  };
  const fail = async (engine: Engine, run: RunRecord) => {
    await engine.propose(run.id, { to: "FAILED", token: "fail", kind: "fail" });
    return engine.getRun(run.id)!;
  };
  const scenarios: Record<string, (engine: Engine) => Promise<RunRecord>> = {
    "SCHEDULED": (engine) => engine.createFlowRun({ name: "etl", state: "SCHEDULED" }),
    "RUNNING": (engine) => running(engine),
    "PAUSED, draining": async (engine) => {
      const run = await running(engine);
      return (await pauseFlowRun(engine, run.id, { mode: "drain" })).run;
    },
    "PAUSED, suspended, of no deployment": async (engine) => {
      const run = await running(engine);
      return (await pauseFlowRun(engine, run.id, { mode: "terminate" })).run;
    },
    "PAUSED, suspended, of a deployment": async (engine) => {
      const run = await deploymentRun(engine);
      return (await pauseFlowRun(engine, run.id, { mode: "terminate" })).run;
    },
    "CANCELLING": async (engine) => (await cancelFlowRun(engine, (await running(engine)).id)).run,
    "FAILED, of no deployment": async (engine) => await fail(engine, await running(engine)),
    "FAILED, of a deployment": async (engine) => await fail(engine, await deploymentRun(engine)),
  };
  for (const [scenario, build] of Object.entries(scenarios)) {
    for (const action of Object.keys(take) as Action[]) {
      const engine = engineOn(new FakeClock());
      const run = await build(engine);
      const offered = offeredActions(run)[action];
      const taken = await take[action](engine, run.id).then(
        () => true,
        (error: Error) => {
          assert.equal(error.name, "InvalidTransitionError", `${scenario}, ${action}: ${error}`);
          return false;
        },
      );
      assert.equal(offered, taken, `${scenario}: ${action} offered ${offered}, taken ${taken}`);
      await engine.close();
    }
  }
});

Deno.test("a task run of no flow heartbeats itself and is reaped CRASHED when they stop; one in a flow has no deadline of its own", async () => {
  const clock = new FakeClock();
  const engine = engineOn(clock);
  const root = await engine.createTaskRun({ name: "send-email", state: "PENDING" });
  await engine.propose(root.id, { to: "RUNNING", token: "start", kind: "start" });
  assert.equal(deadlineOf(engine, root.id)?.deadline, clock.now() + LIVENESS_MS);
  const flowRun = await running(engine);
  const inner = await runningTask(engine, flowRun);
  assert.equal(deadlineOf(engine, inner.id), undefined, "its flow run's executor vouches for it");

  clock.tick(LIVENESS_MS - 1);
  const [answer] = await heartbeatFlowRuns(engine, [root.id]);
  assert.deepEqual(answer, { runId: root.id, state: "RUNNING", stateName: "Running", stop: false });
  const [innerAnswer] = await heartbeatFlowRuns(engine, [inner.id]);
  assert.equal(innerAnswer!.stop, true, "a task run inside a flow is not heartbeaten on its own");
  clock.tick(LIVENESS_MS - 1);
  assert.deepEqual((await reapLostRuns(engine)).crashed, [flowRun.id], "the heartbeat kept it");
  clock.tick(2);
  assert.deepEqual((await reapLostRuns(engine)).crashed, [root.id]);
  assert.equal(engine.getRun(root.id)!.state, "CRASHED");
  assert.equal(deadlineOf(engine, root.id), undefined);
  await engine.close();
});
