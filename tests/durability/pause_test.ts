import assert from "node:assert/strict";
import { z } from "zod";
import { FakeClock, InvalidInputError } from "../../engine/mod.ts";
import {
  cancelFlowRun,
  flow,
  gate,
  getRunContext,
  MissingContextError,
  pauseFlowRun,
  resumeFlowRun,
  retryFlowRun,
  task,
  TimeoutError,
} from "../../sdk/mod.ts";
import {
  advance,
  deferred,
  flowRunsOf,
  historyOf,
  nextTurn,
  taskRunNamed,
  taskRunsOf,
  type TestPlane,
  testPlane,
  until,
  untilAborted,
} from "./_helpers.ts";

function stateOf(plane: TestPlane, runId: string): string {
  const run = plane.engine.getRun(runId)!;
  return `${run.state} ${run.stateName}`;
}

Deno.test("pause: drain lets the running task finish and holds new ones until resumed", async () => {
  await using plane = testPlane();
  const release = deferred();
  const started: string[] = [];
  const extract = task(async () => {
    started.push("extract");
    await release.promise;
    return 5;
  });
  const load = task(async (n: number) => {
    started.push("load");
    return await Promise.resolve(n * 2);
  });
  const drained = flow({ name: "pause-drain" }, async () => await load(await extract()));

  const running = drained.runWith({ plane });
  await until(() => started.length === 1, "extract to start");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  const paused = await pauseFlowRun(flowRunId, { mode: "drain", plane });
  assert.equal(paused.status, "accepted");
  assert.equal(stateOf(plane, flowRunId), "PAUSED Draining", "draining while extract still runs");

  release.resolve();
  await until(() => taskRunsOf(plane, flowRunId).length === 2, "load to be created");
  for (let i = 0; i < 20; i++) await nextTurn();
  assert.equal(taskRunNamed(plane, flowRunId, "extract").state, "COMPLETED", "in-flight finished");
  assert.equal(
    taskRunNamed(plane, flowRunId, "load").state,
    "PENDING",
    "load started while drained",
  );
  assert.deepEqual(started, ["extract"]);
  assert.equal(stateOf(plane, flowRunId), "PAUSED Paused");

  const resumed = await resumeFlowRun(flowRunId, { plane });
  assert.ok("status" in resumed && resumed.status === "accepted");
  const outcome = await running;
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, 10);
  assert.deepEqual(started, ["extract", "load"]);
  assert.deepEqual(
    plane.engine.events(flowRunId).map((event) => event.kind).filter((kind) =>
      kind.startsWith("operator")
    ),
    ["operator_pause_drain", "operator_resume"],
  );
});

Deno.test("pause: a drained run whose body finished stays PAUSED until resumed", async () => {
  await using plane = testPlane();
  const release = deferred();
  let started = false;
  const last = task(async () => {
    started = true;
    await release.promise;
    return "last";
  });
  const draining = flow({ name: "pause-drain-finished" }, async () => await last());

  let finished = false;
  const running = draining.runWith({ plane }).finally(() => finished = true);
  await until(() => started, "the last task to start");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  await pauseFlowRun(flowRunId, { mode: "drain", plane });
  release.resolve();
  await until(() => taskRunNamed(plane, flowRunId, "last").state === "COMPLETED", "last to end");
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal(finished, false, "the drained run ended without a resume");
  assert.equal(stateOf(plane, flowRunId), "PAUSED Paused");

  await resumeFlowRun(flowRunId, { plane });
  const outcome = await running;
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, "last");
});

Deno.test("pause: cancelling a drained run cancels the task runs it held back", async () => {
  await using plane = testPlane();
  const release = deferred();
  let started = false;
  let heldBackRan = false;
  const first = task(async () => {
    started = true;
    await release.promise;
    return 1;
  });
  const heldBack = task(async (n: number) => {
    heldBackRan = true;
    return await Promise.resolve(n);
  });
  const draining = flow({ name: "pause-drain-cancel" }, async () => await heldBack(await first()));

  const running = draining.runWith({ plane });
  await until(() => started, "first to start");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  await pauseFlowRun(flowRunId, { mode: "drain", plane });
  release.resolve();
  await until(() => taskRunsOf(plane, flowRunId).length === 2, "heldBack to be created");
  await cancelFlowRun(flowRunId, { plane });
  const outcome = await running;

  assert.equal(outcome.state.type, "CANCELLED");
  assert.equal(heldBackRan, false);
  assert.deepEqual(historyOf(plane, taskRunNamed(plane, flowRunId, "heldBack").id), [
    "PENDING Pending",
    "CANCELLED Cancelled",
  ]);
});

Deno.test("pause: terminate cancels the running task run and leaves the flow run PAUSED", async () => {
  await using plane = testPlane();
  const bodies = { fetch: 0, score: 0 };
  let blocking = true;
  const fetchData = task(async () => {
    bodies.fetch += 1;
    return await Promise.resolve([3, 4]);
  }, { persistResult: true, name: "fetch" });
  const score = task(async (xs: number[]) => {
    bodies.score += 1;
    if (blocking) await untilAborted(getRunContext().signal);
    return xs[0]! + xs[1]!;
  });
  const terminated = flow({ name: "pause-terminate" }, async () => await score(fetchData.submit()));

  const running = terminated.runWith({ plane });
  await until(() => bodies.score === 1, "score to start");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  await pauseFlowRun(flowRunId, { mode: "terminate", plane });
  const paused = await running;

  assert.equal(paused.state.type, "PAUSED");
  assert.equal(stateOf(plane, flowRunId), "PAUSED Suspended");
  const cancelled = taskRunNamed(plane, flowRunId, "score");
  assert.equal(cancelled.state, "CANCELLED");
  assert.match(cancelled.message ?? "", /paused \(terminate\)/);

  blocking = false;
  const resumed = await resumeFlowRun(flowRunId, { plane });
  assert.ok("runId" in resumed);
  assert.equal(resumed.state.type, "COMPLETED");
  assert.equal(resumed.result, 7);
  assert.deepEqual(bodies, { fetch: 1, score: 2 }, "fetch ran again after resume");
  const names = taskRunsOf(plane, flowRunId).map((run) => `${run.name} ${run.stateName}`);
  assert.deepEqual(names.sort(), [
    "fetch Cached",
    "fetch Completed",
    "score Cancelled",
    "score Completed",
  ]);
});

Deno.test("pause: an operator cannot pause a run that is not RUNNING", async () => {
  await using plane = testPlane();
  const quick = flow({ name: "pause-not-running" }, async () => await Promise.resolve(1));
  const { runId } = await quick.runWith({ plane });
  await assert.rejects(
    pauseFlowRun(runId, { mode: "drain", plane }),
    {
      name: "InvalidTransitionError",
      message: `Cannot pause flow run "${runId}": it is "COMPLETED", only a RUNNING run pauses`,
    },
  );
  await assert.rejects(
    resumeFlowRun(runId, { plane }),
    {
      name: "InvalidTransitionError",
      message: `Cannot resume flow run "${runId}": it is "COMPLETED", not "PAUSED"`,
    },
  );
});

Deno.test("pause: pauseFlowRun() without a run id outside a flow body throws MissingContextError", async () => {
  await using plane = testPlane();
  const inTask = task(async () => await pauseFlowRun());
  const misplaced = flow({ name: "pause-in-task" }, async () => await inTask());

  const outcome = await misplaced.runWith({ plane });

  assert.equal(outcome.state.type, "FAILED");
  assert.ok(outcome.error instanceof MissingContextError);
  await assert.rejects(pauseFlowRun(), MissingContextError);
});

const Approval = z.object({ approved: z.boolean(), by: z.string() });

Deno.test("pause: pauseFlowRun() in a flow suspends it until resumed with valid input", async () => {
  await using plane = testPlane();
  const approval = flow({ name: "pause-input-valid" }, async () => {
    const input = await pauseFlowRun({ waitForInput: Approval });
    return input.approved ? `approved by ${input.by}` : "rejected";
  });

  const running = approval.runWith({ plane });
  await until(() => flowRunsOf(plane)[0]?.state === "PAUSED", "the flow to suspend");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  assert.equal(stateOf(plane, flowRunId), "PAUSED Paused");
  const suspended = plane.engine.events(flowRunId).at(-1)!;
  assert.equal(suspended.data?.["waitsForInput"], true);

  await resumeFlowRun(flowRunId, { plane, input: { approved: true, by: "ada" } });
  const outcome = await running;
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, "approved by ada");
});

Deno.test("pause: invalid resume input is refused as the engine refuses it, and the run stays PAUSED", async () => {
  await using plane = testPlane();
  const approval = flow({ name: "pause-input-invalid" }, async () => {
    const input = await pauseFlowRun({ waitForInput: Approval });
    return input.by;
  });

  const running = approval.runWith({ plane });
  await until(() => flowRunsOf(plane)[0]?.state === "PAUSED", "the flow to suspend");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  const version = plane.engine.getRun(flowRunId)!.version;

  const invalid = { approved: "yes", by: "bob" };
  // The flow waits in this process and checks its own schema first; the refusal
  // is the one the engine gives any other entry point (API, CLI, dashboard).
  const here = await resumeFlowRun(flowRunId, { plane, input: invalid }).catch((e) => e);
  const there = await plane.actions.resume(flowRunId, { input: invalid }).catch((e) => e);
  assert.ok(here instanceof InvalidInputError, String(here));
  assert.ok(there instanceof InvalidInputError, String(there));
  assert.equal(here.message, there.message);
  assert.deepEqual(here.problems, there.problems);
  assert.match(here.message, /^Invalid input for flow run ".+": approved: /);
  assert.equal((here.cause as Error).name, "ZodError");
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal(stateOf(plane, flowRunId), "PAUSED Paused");
  assert.equal(plane.engine.getRun(flowRunId)!.version, version, "the run moved");

  await resumeFlowRun(flowRunId, { plane, input: { approved: false, by: "bob" } });
  assert.equal((await running).result, "bob");
});

Deno.test("pause: a suspended flow run that is not resumed in time fails", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const forgotten = flow({ name: "pause-timeout" }, async () => {
    await pauseFlowRun({ timeoutSeconds: 60 });
    return "resumed";
  });

  let finished = false;
  const running = forgotten.runWith({ plane }).finally(() => finished = true);
  await advance(clock, 59_999);
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal(finished, false, "timed out early");
  const flowRunId = flowRunsOf(plane)[0]!.id;
  assert.equal(stateOf(plane, flowRunId), "PAUSED Paused");
  clock.tick(1);
  const outcome = await running;

  assert.equal(outcome.state.type, "FAILED");
  assert.ok(outcome.error instanceof TimeoutError);
  assert.match(outcome.error.message, /was not resumed within 60 s/);
});

Deno.test("gate: the flow run shows PAUSED AwaitingGate until the gate opens", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let after = false;
  const nightly = flow({ name: "gate-after" }, async () => {
    await gate({ name: "market-close", after: 60 });
    after = true;
  });

  const running = nightly.runWith({ plane });
  await advance(clock, 59_999);
  for (let i = 0; i < 5; i++) await nextTurn();
  const flowRunId = flowRunsOf(plane)[0]!.id;
  assert.equal(after, false, "the gate opened early");
  assert.equal(stateOf(plane, flowRunId), "PAUSED AwaitingGate");
  const waiting = taskRunNamed(plane, flowRunId, "gate:market-close");
  assert.equal(waiting.state, "SCHEDULED");
  assert.equal(waiting.expectedStartTime, clock.now() + 1);

  await advance(clock, 1);
  const outcome = await running;
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(after, true);
  assert.deepEqual(historyOf(plane, flowRunId), [
    "PENDING Pending",
    "RUNNING Running",
    "PAUSED AwaitingGate",
    "RUNNING Running",
    "COMPLETED Completed",
  ]);
  assert.equal(taskRunNamed(plane, flowRunId, "gate:market-close").state, "COMPLETED");
});

Deno.test("gate: an until in the past opens at once without pausing", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const late = flow({ name: "gate-past" }, async () => {
    await gate({ name: "yesterday", until: new Date(clock.now() - 86_400_000) });
    return "through";
  });

  const outcome = await late.runWith({ plane });

  assert.equal(outcome.result, "through");
  assert.equal(clock.pendingSleepers, 0);
  assert.ok(!historyOf(plane, outcome.runId).some((entry) => entry.startsWith("PAUSED")));
});

Deno.test("gate: maxWait bounds how long a gate waits", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const start = clock.now();
  let openedAt: number | undefined;
  const bounded = flow({ name: "gate-max-wait" }, async () => {
    await gate({ name: "next-day", after: 86_400, maxWait: 10 });
    openedAt = clock.now();
  });

  const running = bounded.runWith({ plane });
  await advance(clock, 9_999);
  for (let i = 0; i < 5; i++) await nextTurn();
  assert.equal(openedAt, undefined, "opened before maxWait");
  await advance(clock, 1);
  await running;
  assert.equal(openedAt, start + 10_000);
});

Deno.test("gate: a gate passed in an earlier attempt is not waited for on retry", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let failing = true;
  const staged = flow({ name: "gate-retry" }, async () => {
    await gate({ name: "cool-down", after: 300 });
    if (failing) throw new Error("after the gate");
    return "done";
  });

  const running = staged.runWith({ plane });
  await advance(clock, 300_000);
  const first = await running;
  assert.equal(first.state.type, "FAILED");

  failing = false;
  const second = await retryFlowRun(first.runId, { plane });
  assert.equal(second.result, "done");
  assert.equal(clock.pendingSleepers, 0);
  assert.ok(!historyOf(plane, second.runId).some((entry) => entry.startsWith("PAUSED")));
  const passed = taskRunNamed(plane, second.runId, "gate:cool-down");
  assert.deepEqual(historyOf(plane, passed.id), [
    "PENDING Pending",
    "RUNNING Running",
    "COMPLETED Cached",
  ]);
});
