import assert from "node:assert/strict";
import { FakeClock } from "../../engine/mod.ts";
import {
  cancelFlowRun,
  CancelledError,
  flow,
  getRunContext,
  SequentialTaskRunner,
  task,
  TimeoutError,
} from "../../sdk/mod.ts";
import {
  advance,
  deferred,
  historyOf,
  nextTurn,
  taskRunNamed,
  taskRunsOf,
  testPlane,
  until,
} from "./_helpers.ts";

/** Resolves never; rejects with the signal's reason when it aborts. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

Deno.test("a task over its timeoutSeconds ends FAILED TimedOut and its signal aborts", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let taskSignal: AbortSignal | undefined;
  const hang = task(async () => {
    taskSignal = getRunContext().signal;
    await untilAborted(taskSignal);
  }, { timeoutSeconds: 5 });
  const impatient = flow({ name: "impatient" }, async () => await hang());

  const running = impatient.runWith({ plane });
  await advance(clock, 4_999);
  assert.equal(taskSignal?.aborted, false, "aborted before the timeout");
  clock.tick(1);
  const outcome = await running;

  assert.equal(taskSignal?.aborted, true);
  assert.ok(taskSignal?.reason instanceof TimeoutError);
  const run = taskRunNamed(plane, outcome.runId, "hang");
  assert.equal(run.state, "FAILED");
  assert.equal(run.stateName, "TimedOut");
  assert.match(run.message ?? "", /timed out after 5 s/);
  assert.equal(outcome.state.type, "FAILED");
  assert.ok(outcome.error instanceof TimeoutError);
});

Deno.test("a flow over its timeoutSeconds ends FAILED TimedOut and cancels its running tasks", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const started = deferred();
  const hang = task(async () => {
    started.resolve();
    await untilAborted(getRunContext().signal);
  });
  const slowFlow = flow({ name: "slow-flow", timeoutSeconds: 2 }, async () => await hang());

  const running = slowFlow.runWith({ plane });
  await started.promise;
  await advance(clock, 2_000);
  const outcome = await running;

  assert.equal(outcome.state.type, "FAILED");
  assert.equal(outcome.state.name, "TimedOut");
  assert.equal(taskRunNamed(plane, outcome.runId, "hang").state, "CANCELLED");
});

Deno.test("cancelFlowRun() stops a running flow: running task CANCELLED and fenced, pending tasks never start", async () => {
  await using plane = testPlane();
  const gate = deferred<string>();
  const blockedStarted = deferred();
  let blockedSignal: AbortSignal | undefined;
  let blockedFinished = false;
  const startedBodies: string[] = [];
  const blocked = task(async () => {
    startedBodies.push("blocked");
    blockedSignal = getRunContext().signal;
    blockedStarted.resolve();
    const value = await gate.promise; // ignores its signal on purpose
    blockedFinished = true;
    return value;
  });
  const queued = task(async () => {
    startedBodies.push("queued");
    return await Promise.resolve("queued");
  });
  const dependent = task(async (input: string) => {
    startedBodies.push("dependent");
    return await Promise.resolve(input);
  });
  let flowRunId = "";
  const stoppable = flow(
    { name: "stoppable", taskRunner: () => new SequentialTaskRunner() },
    async () => {
      flowRunId = getRunContext().flowRun.id;
      const first = blocked.submit();
      queued.submit(); // waits for the only slot
      return await dependent.submit(first);
    },
  );

  const running = stoppable.runWith({ plane });
  await blockedStarted.promise;
  await cancelFlowRun(flowRunId, { plane, reason: "operator stop" });
  const outcome = await running;

  assert.equal(outcome.state.type, "CANCELLED");
  assert.ok(outcome.error instanceof CancelledError);
  assert.equal(blockedSignal?.aborted, true);
  assert.deepEqual(startedBodies, ["blocked"]);
  assert.deepEqual(historyOf(plane, flowRunId), [
    "PENDING Pending",
    "RUNNING Running",
    "CANCELLING Cancelling",
    "CANCELLED Cancelled",
  ]);
  for (const name of ["queued", "dependent"]) {
    const run = taskRunNamed(plane, flowRunId, name);
    assert.equal(run.state, "CANCELLED", `${name} is ${run.state}`);
    assert.equal(run.runCount, 0, `${name} started`);
  }

  // The body of the cancelled task finishes later: its result must not land.
  gate.resolve("too late");
  await until(() => blockedFinished, "the blocked body to finish");
  await nextTurn();
  await plane.flush();
  const blockedRun = taskRunNamed(plane, flowRunId, "blocked");
  assert.equal(blockedRun.state, "CANCELLED");
  assert.deepEqual(historyOf(plane, blockedRun.id), [
    "PENDING Pending",
    "RUNNING Running",
    "CANCELLED Cancelled",
  ]);
  assert.equal(taskRunsOf(plane, flowRunId).length, 3);
});

Deno.test("cancelFlowRun() cancels a flow run that has not started at once", async () => {
  await using plane = testPlane();
  const run = await plane.createRun({ kind: "flow", name: "never-started" });

  const result = await cancelFlowRun(run.id, { plane });

  assert.equal(result.status, "accepted");
  assert.equal(plane.engine.getRun(run.id)?.state, "CANCELLED");
  await assert.rejects(
    () => cancelFlowRun(run.id, { plane }),
    /Cannot cancel flow run ".+": it is already "CANCELLED"/,
  );
});
