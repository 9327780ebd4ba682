import assert from "node:assert/strict";
import {
  createMemoryStore,
  type Engine,
  type EngineEvent,
  isTerminal,
  RunNotFoundError,
  type RunRecord,
  STATE_TYPES,
  type StateType,
  TERMINAL_STATES,
  TRANSITIONS,
} from "../../engine/mod.ts";
import { T0, testEngine } from "./_helpers.ts";

// Shortest legal path from a new PENDING run to each state, found over the matrix.
function legalPaths(): Map<StateType, StateType[]> {
  const paths = new Map<StateType, StateType[]>([["PENDING", []]]);
  const queue: StateType[] = ["PENDING"];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const to of TRANSITIONS[from]) {
      if (paths.has(to)) continue;
      paths.set(to, [...paths.get(from)!, to]);
      queue.push(to);
    }
  }
  return paths;
}

const PATHS = legalPaths();

/** Creates a run and drives it to `state` along a legal path. */
async function runIn(engine: Engine, state: StateType): Promise<RunRecord> {
  const path = PATHS.get(state);
  assert.ok(path, `no legal path reaches "${state}"`);
  const run = await engine.createFlowRun({ name: `to-${state}` });
  for (const [i, to] of path.entries()) {
    const result = await engine.propose(run.id, { to, token: `path-${i}`, kind: "test" });
    assert.equal(result.status, "accepted", `path step to "${to}": ${result.reason}`);
  }
  const reached = engine.getRun(run.id)!;
  assert.equal(reached.state, state);
  return reached;
}

Deno.test("every state is reachable from PENDING along the matrix", () => {
  assert.deepEqual([...PATHS.keys()].sort(), [...STATE_TYPES].sort());
});

Deno.test("propose() moves a run through its lifecycle with versions 1..3", async (t) => {
  for (const initial of ["PENDING", "SCHEDULED"] as const) {
    await t.step(`from ${initial}`, async () => {
      const { engine, clock } = testEngine(createMemoryStore());
      const run = await engine.createFlowRun({ name: "etl", state: initial });
      assert.equal(run.version, 1);
      assert.equal(run.state, initial);
      clock.tick(5);
      const started = await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
      clock.tick(5);
      const done = await engine.propose(run.id, { to: "COMPLETED", token: "t2", kind: "complete" });
      assert.deepEqual(started, {
        status: "accepted",
        state: "RUNNING",
        stateName: "Running",
        version: 2,
        seq: 2,
        message: null,
      });
      assert.deepEqual(done, {
        status: "accepted",
        state: "COMPLETED",
        stateName: "Completed",
        version: 3,
        seq: 3,
        message: null,
      });
      const events = engine.events(run.id);
      assert.deepEqual(
        events.map((e) => [e.from, e.to, e.version, e.token, e.kind]),
        [
          [null, initial, 1, `create:${run.id}`, "create"],
          [initial, "RUNNING", 2, "t1", "start"],
          ["RUNNING", "COMPLETED", 3, "t2", "complete"],
        ],
      );
      assert.equal(engine.events().length, 3);
      assert.equal(engine.getRun(run.id)!.version, 3);
    });
  }
});

Deno.test("an answer carries the run's message as the transition left it, so a mirror need not re-derive it", async () => {
  const { engine } = testEngine(createMemoryStore());
  const run = await engine.createFlowRun({ name: "etl" });
  await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
  const failed = await engine.propose(run.id, {
    to: "FAILED",
    token: "t2",
    kind: "fail",
    data: { message: "boom" },
  });
  assert.equal(failed.message, "boom");
  assert.equal(engine.getRun(run.id)?.message, "boom");
  // A re-sent token answers with the run as it is, message included.
  const again = await engine.propose(run.id, { to: "FAILED", token: "t2", kind: "fail" });
  assert.equal(again.status, "duplicate");
  assert.equal(again.message, "boom");
});

Deno.test("propose() accepts every edge of the matrix", async (t) => {
  for (const from of STATE_TYPES) {
    for (const to of TRANSITIONS[from]) {
      await t.step(`${from} -> ${to}`, async () => {
        const { engine } = testEngine(createMemoryStore());
        const run = await runIn(engine, from);
        const result = await engine.propose(run.id, { to, token: "edge", kind: "test" });
        assert.equal(result.status, "accepted", result.reason);
        assert.equal(result.state, to);
        assert.equal(result.version, run.version + 1);
        assert.equal(engine.events(run.id).length, run.version + 1);
      });
    }
  }
});

Deno.test("propose() rejects every edge outside the matrix and records nothing", async (t) => {
  let illegal = 0;
  for (const from of STATE_TYPES) {
    for (const to of STATE_TYPES) {
      if (TRANSITIONS[from].includes(to)) continue;
      illegal += 1;
      await t.step(`${from} -> ${to}`, async () => {
        const { engine } = testEngine(createMemoryStore());
        const run = await runIn(engine, from);
        const eventsBefore = engine.events().length;
        const result = await engine.propose(run.id, { to, token: "illegal", kind: "test" });
        assert.equal(result.status, "rejected");
        assert.match(result.reason ?? "", /^invalid_transition/);
        assert.equal(result.state, from);
        assert.equal(result.version, run.version);
        assert.equal(result.seq, undefined);
        assert.equal(engine.events().length, eventsBefore);
        assert.deepEqual(engine.getRun(run.id), run);
      });
    }
  }
  // 81 pairs minus the 34 edges of the matrix.
  const legal = STATE_TYPES.reduce((n, from) => n + TRANSITIONS[from].length, 0);
  assert.equal(illegal, 81 - legal);
});

Deno.test("propose() accepts nothing once a run is terminal", async (t) => {
  for (const terminal of TERMINAL_STATES) {
    await t.step(terminal, async () => {
      const { engine } = testEngine(createMemoryStore());
      const run = await runIn(engine, terminal);
      assert.ok(isTerminal(run.state));
      for (const to of STATE_TYPES) {
        const result = await engine.propose(run.id, { to, token: `to-${to}`, kind: "test" });
        assert.equal(result.status, "rejected");
        assert.match(
          result.reason ?? "",
          /^invalid_transition: .*terminal states accept no transition/,
        );
      }
      assert.deepEqual(engine.getRun(run.id), run);
      assert.equal(engine.events(run.id).length, run.version);
    });
  }
});

Deno.test("propose() rejects a stale expectedVersion with version_conflict", async () => {
  const { engine } = testEngine(createMemoryStore());
  const run = await engine.createFlowRun({ name: "etl" });
  const ok = await engine.propose(run.id, {
    to: "RUNNING",
    token: "t1",
    kind: "start",
    expectedVersion: 1,
  });
  assert.equal(ok.status, "accepted");
  const stale = await engine.propose(run.id, {
    to: "COMPLETED",
    token: "t2",
    kind: "complete",
    expectedVersion: 1,
  });
  assert.equal(stale.status, "rejected");
  assert.match(stale.reason ?? "", /^version_conflict/);
  assert.equal(stale.version, 2);
  assert.equal(stale.state, "RUNNING");
  assert.equal(engine.events(run.id).length, 2);
  // The token was not spent: the same token at the right version goes through.
  const retried = await engine.propose(run.id, {
    to: "COMPLETED",
    token: "t2",
    kind: "complete",
    expectedVersion: 2,
  });
  assert.equal(retried.status, "accepted");
});

Deno.test("propose() answers duplicate for a re-sent token", async () => {
  const { engine } = testEngine(createMemoryStore());
  const run = await engine.createFlowRun({ name: "etl" });
  await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
  await engine.propose(run.id, { to: "COMPLETED", token: "t2", kind: "complete" });
  // The token is checked first: not even the terminal state or a stale version matter.
  const again = await engine.propose(run.id, {
    to: "RUNNING",
    token: "t1",
    kind: "start",
    expectedVersion: 1,
  });
  assert.equal(again.status, "duplicate");
  assert.equal(again.state, "COMPLETED");
  assert.equal(again.version, 3);
  assert.equal(engine.events(run.id).length, 3);
});

Deno.test("propose() rejects an unknown run with RunNotFoundError", async () => {
  const { engine } = testEngine(createMemoryStore());
  await assert.rejects(
    engine.propose("missing", { to: "RUNNING", token: "t1", kind: "start" }),
    (error) => error instanceof RunNotFoundError && /"missing"/.test(error.message),
  );
  // A failing proposal does not take its batch down with it.
  const run = await engine.createFlowRun({ name: "etl" });
  const [missing, ok] = await Promise.allSettled([
    engine.propose("missing", { to: "RUNNING", token: "t1", kind: "start" }),
    engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" }),
  ]);
  assert.equal(missing.status, "rejected");
  assert.equal(ok.status === "fulfilled" && ok.value.status, "accepted");
  assert.equal(engine.events().length, 2);
});

Deno.test("propose() keeps start time, end time, run count and run time", async () => {
  const { engine, clock } = testEngine(createMemoryStore());
  const run = await engine.createFlowRun({ name: "etl" });
  const rulesOf = (event: EngineEvent | undefined) => event?.rules;
  clock.tick(100);
  await engine.propose(run.id, { to: "RUNNING", token: "start", kind: "start" });
  assert.deepEqual(engine.getRun(run.id), {
    ...run,
    state: "RUNNING",
    stateName: "Running",
    version: 2,
    updatedAt: T0 + 100,
    startTime: T0 + 100,
    runCount: 1,
  });
  clock.tick(250);
  await engine.propose(run.id, { to: "PAUSED", token: "pause", kind: "pause" });
  assert.equal(engine.getRun(run.id)!.totalRunTimeMs, 250);
  clock.tick(1_000);
  await engine.propose(run.id, { to: "RUNNING", token: "resume", kind: "resume" });
  clock.tick(30);
  await engine.propose(run.id, {
    to: "COMPLETED",
    token: "done",
    kind: "complete",
    data: { message: "all good" },
  });
  const done = engine.getRun(run.id)!;
  assert.equal(done.startTime, T0 + 100, "start time is the first entry into RUNNING");
  assert.equal(done.endTime, T0 + 1_380);
  assert.equal(done.runCount, 1, "resuming from PAUSED continues the same attempt");
  assert.equal(done.totalRunTimeMs, 280, "time spent PAUSED is not run time");
  assert.equal(done.message, "all good");
  const events = engine.events(run.id);
  assert.deepEqual(events.map(rulesOf), [
    [],
    ["SetStartTime", "IncrementRunCount"],
    ["UpdateTotalRunTime"],
    [],
    ["UpdateTotalRunTime", "SetEndTime"],
  ]);
  assert.deepEqual(events.map((e) => e.at), [T0, T0 + 100, T0 + 350, T0 + 1_350, T0 + 1_380]);
});

Deno.test("propose() makes a scheduled run wait for its start time", async () => {
  const { engine, clock } = testEngine(createMemoryStore());
  const run = await engine.createFlowRun({
    name: "etl",
    state: "SCHEDULED",
    expectedStartTime: T0 + 5_000,
  });
  const early = await engine.propose(run.id, { to: "PENDING", token: "p1", kind: "claim" });
  assert.equal(early.status, "wait");
  assert.equal(early.retryAfterMs, 5_000);
  assert.equal(early.state, "SCHEDULED");
  assert.equal(early.version, 1);
  assert.match(early.reason ?? "", /scheduled/);
  clock.tick(4_999);
  const stillEarly = await engine.propose(run.id, { to: "RUNNING", token: "p1", kind: "start" });
  assert.equal(stillEarly.status, "wait");
  assert.equal(stillEarly.retryAfterMs, 1);
  assert.equal(engine.events(run.id).length, 1, "waiting records nothing");
  clock.tick(1);
  const due = await engine.propose(run.id, { to: "PENDING", token: "p1", kind: "claim" });
  assert.equal(due.status, "accepted");
  assert.equal(due.version, 2);
  // The rule judged and let it through: nothing to record for it.
  assert.ok(!engine.events(run.id)[1]!.rules.includes("WaitForScheduledTime"));
});

Deno.test("createFlowRun() with a caller-chosen id is idempotent", async () => {
  const { engine } = testEngine(createMemoryStore());
  const first = await engine.createFlowRun({ id: "nightly-2024-01-01", name: "etl" });
  await engine.propose(first.id, { to: "RUNNING", token: "t1", kind: "start" });
  const again = await engine.createFlowRun({ id: "nightly-2024-01-01", name: "other" });
  assert.equal(again.id, first.id);
  assert.equal(again.name, "etl");
  assert.equal(again.state, "RUNNING", "the existing run is returned as it is now");
  const [a, b] = await Promise.all([
    engine.createTaskRun({ id: "task-1", name: "extract" }),
    engine.createTaskRun({ id: "task-1", name: "extract" }),
  ]);
  assert.deepEqual(a, b);
  assert.equal(engine.events().length, 3);
  assert.equal(engine.summary().flowRuns, 1);
  assert.equal(engine.summary().taskRuns, 1);
});

Deno.test("subscribe() delivers committed events in seq order until unsubscribed", async () => {
  const { engine } = testEngine(createMemoryStore());
  const seen: EngineEvent[] = [];
  const unsubscribe = engine.subscribe((event) => seen.push(event));
  const runs = await Promise.all([1, 2, 3].map((i) => engine.createFlowRun({ name: `r${i}` })));
  await Promise.all(
    runs.map((run) => engine.propose(run.id, { to: "RUNNING", token: "go", kind: "start" })),
  );
  // A wait and a rejection commit nothing, so nobody hears of them.
  await engine.propose(runs[0]!.id, { to: "SCHEDULED", token: "x", kind: "t", expectedVersion: 9 });
  assert.deepEqual(seen.map((e) => e.seq), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(seen, engine.events());
  unsubscribe();
  await engine.propose(runs[0]!.id, { to: "COMPLETED", token: "done", kind: "complete" });
  assert.equal(seen.length, 6);
  assert.equal(engine.events().length, 7);
});

Deno.test("subscribe() listeners that throw do not break commits", async () => {
  const errors: unknown[] = [];
  const { engine } = testEngine(createMemoryStore(), { onError: (e) => errors.push(e) });
  const seen: number[] = [];
  engine.subscribe(() => {
    throw new Error("listener failed");
  });
  engine.subscribe((event) => seen.push(event.seq));
  const run = await engine.createFlowRun({ name: "etl" });
  const result = await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
  assert.equal(result.status, "accepted");
  assert.equal(engine.getRun(run.id)!.state, "RUNNING");
  assert.deepEqual(seen, [1, 2]);
  assert.equal(errors.length, 2);
  assert.match(String(errors[0]), /listener failed/);
});

Deno.test("createFlowRun() answers with a copy the caller may change", async () => {
  const { engine } = testEngine(createMemoryStore());
  const created = await engine.createFlowRun({ id: "r1", name: "etl" });
  const again = await engine.createFlowRun({ id: "r1", name: "etl" });
  Object.assign(created, { name: "changed" });
  Object.assign(again, { name: "changed", runCount: 99 });
  await engine.propose("r1", { to: "RUNNING", token: "t1", kind: "start" });
  const run = engine.getRun("r1")!;
  assert.equal(run.name, "etl");
  assert.equal(run.runCount, 1);
});
