import assert from "node:assert/strict";
import { createSqliteStore, type Engine, type RunRecord } from "../../engine/mod.ts";
import { allRuns, openSqliteFixture, STORE_ADAPTERS, testEngine } from "./_helpers.ts";

const RUNS = 500;
/** SCHEDULED → PENDING → RUNNING → COMPLETED: three transitions per run. */
const LIFECYCLE = ["PENDING", "RUNNING", "COMPLETED"] as const;

/** 500 runs moved through three transitions each, every step proposed concurrently. */
async function fill(engine: Engine, tick: (ms: number) => void): Promise<RunRecord[]> {
  const runs = await Promise.all(
    Array.from(
      { length: RUNS },
      (_, i) =>
        i % 10 === 9
          ? engine.createTaskRun({ name: "extract", state: "SCHEDULED", tags: ["t"] })
          : engine.createFlowRun({ name: "etl", state: "SCHEDULED", parameters: { i } }),
    ),
  );
  for (const to of LIFECYCLE) {
    tick(7);
    const results = await Promise.all(
      runs.map((run) => engine.propose(run.id, { to, token: `${run.id}:${to}`, kind: to })),
    );
    assert.ok(results.every((r) => r.status === "accepted"), "every transition is accepted");
  }
  return runs;
}

function snapshot(engine: Engine): RunRecord[] {
  return allRuns(engine, { sort: "created", order: "asc", limit: 1000 });
}

Deno.test("a SQLite file keeps 500 runs × 3 transitions across a reopen", async () => {
  await using fixture = await openSqliteFixture();
  const { engine, clock } = testEngine(fixture.store);
  const runs = await fill(engine, (ms) => clock.tick(ms));
  const events = engine.events();
  assert.equal(events.filter((e) => e.from === null).length, RUNS, "one creation event per run");
  assert.equal(events.filter((e) => e.from !== null).length, RUNS * LIFECYCLE.length);
  assert.equal(events.length, 2_000);
  assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 2_000 }, (_, i) => i + 1));
  const before = snapshot(engine);
  assert.equal(before.length, RUNS);
  await engine.close();

  const reopened = createSqliteStore(fixture.path);
  const { engine: again } = testEngine(reopened);
  try {
    for (const run of runs) {
      const stored = again.getRun(run.id)!;
      assert.equal(stored.state, "COMPLETED");
      assert.equal(stored.version, 4);
    }
    assert.deepEqual(snapshot(again), before);
    assert.deepEqual(again.events(), events);
    assert.deepEqual(again.summary(), {
      flowRuns: 450,
      taskRuns: 50,
      events: 2_000,
      flowRunsByState: { COMPLETED: 450 },
      taskRunsByState: { COMPLETED: 50 },
    });
  } finally {
    await again.close();
  }
});

for (const adapter of STORE_ADAPTERS) {
  Deno.test(`rebuildProjections() rebuilds the same runs from the event log (${adapter.name})`, async () => {
    await using fixture = await adapter.open();
    const { engine, clock } = testEngine(fixture.store);
    await fill(engine, (ms) => clock.tick(ms));
    // Leave some runs part-way, with messages and a paused spell, so more than
    // the happy path is replayed.
    const extra = await engine.createFlowRun({ name: "half", tags: ["x"] });
    clock.tick(3);
    await engine.propose(extra.id, { to: "RUNNING", token: "a", kind: "start" });
    clock.tick(5);
    await engine.propose(extra.id, {
      to: "PAUSED",
      token: "b",
      kind: "pause",
      data: { message: "waiting for input" },
    });
    const retried = await engine.createFlowRun({ name: "flaky" });
    await engine.propose(retried.id, { to: "RUNNING", token: "a", kind: "start" });
    clock.tick(4);
    const failed = await engine.propose(retried.id, {
      to: "FAILED",
      token: "b",
      kind: "fail",
      data: { message: "boom", retries: 2, retryDelayMs: 1_000 },
    });
    assert.equal(failed.state, "SCHEDULED", "a failure with retries left awaits a retry");
    const before = snapshot(engine);
    assert.equal(before.length, RUNS + 2);
    assert.notEqual(engine.getRun(retried.id)!.expectedStartTime, null);
    engine.rebuildProjections();
    assert.deepEqual(snapshot(engine), before);
    assert.equal(engine.getRun(extra.id)!.message, "waiting for input");
    // The engine carries on from rebuilt projections.
    clock.tick(2);
    const resumed = await engine.propose(extra.id, { to: "RUNNING", token: "c", kind: "resume" });
    assert.equal(resumed.status, "accepted");
    assert.equal(resumed.version, 4);
    await engine.close();
  });
}

Deno.test("exportEvents() JSONL imports into a fresh store with the same runs", async () => {
  await using source = await openSqliteFixture();
  const { engine, clock } = testEngine(source.store);
  await fill(engine, (ms) => clock.tick(ms));
  const lines = [...engine.exportEvents()];
  assert.equal(lines.length, 2_000);
  const before = snapshot(engine);
  const jsonl = lines.join("\n") + "\n";

  await using target = await openSqliteFixture();
  const { engine: copy } = testEngine(target.store);
  assert.equal(copy.importEvents(jsonl.split("\n")), 2_000);
  assert.deepEqual(snapshot(copy), before);
  assert.deepEqual(copy.events(), engine.events());
  assert.equal([...copy.exportEvents()].join("\n") + "\n", jsonl);
  // Imported tokens still count: re-sending one is a duplicate.
  const first = before[0]!;
  const again = await copy.propose(first.id, {
    to: "COMPLETED",
    token: `${first.id}:COMPLETED`,
    kind: "COMPLETED",
  });
  assert.equal(again.status, "duplicate");
  await copy.close();
  await engine.close();
});

Deno.test("importEvents() refuses lines that are not IronFlow events", async (t) => {
  const cases: Array<[string, string[], ErrorConstructor]> = [
    ["not JSON", ["{"], SyntaxError],
    ["no seq", [JSON.stringify({ runId: "r" })], TypeError],
    // A purged log has gaps, but seqs must still rise.
    ["seq not above the last", [JSON.stringify({ seq: 0, runId: "r" })], RangeError],
  ];
  for (const [label, lines, type] of cases) {
    await t.step(label, async () => {
      await using fixture = await openSqliteFixture();
      const { engine } = testEngine(fixture.store);
      assert.throws(() => engine.importEvents(lines), type);
      assert.equal(engine.events().length, 0);
    });
  }
});

Deno.test("a run awaiting retry keeps its due time across a reopen", async () => {
  await using fixture = await openSqliteFixture();
  const { engine, clock } = testEngine(fixture.store);
  const run = await engine.createFlowRun({ name: "flaky" });
  await engine.propose(run.id, { to: "RUNNING", token: "start-1", kind: "start" });
  const failed = await engine.propose(run.id, {
    to: "FAILED",
    token: "fail-1",
    kind: "fail",
    data: { retries: 1, retryDelayMs: 60_000 },
  });
  assert.equal(failed.stateName, "AwaitingRetry");
  await engine.close();

  const { engine: again } = testEngine(createSqliteStore(fixture.path), { clock });
  try {
    assert.equal(again.getRun(run.id)!.expectedStartTime, clock.now() + 60_000);
    const early = await again.propose(run.id, { to: "RUNNING", token: "start-2", kind: "start" });
    assert.equal(early.status, "wait");
    assert.equal(early.retryAfterMs, 60_000);
    clock.tick(60_000);
    const due = await again.propose(run.id, { to: "RUNNING", token: "start-2", kind: "start" });
    assert.equal(due.status, "accepted");
    assert.equal(again.getRun(run.id)!.runCount, 2);
  } finally {
    await again.close();
  }
});
