// Task-run counts of the SQLite store come from the kept counts plus the
// task-run moves of the events not folded in yet: whichever process wrote
// them, however many events wait, through purges, rebuilds and migrations,
// summary() must say what the task_runs table holds.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createSqliteStore, type Engine } from "../../engine/mod.ts";
import { openSqliteFixture, testEngine } from "./_helpers.ts";

// What the task_runs table holds, counted by a connection of its own.
function countedTaskRuns(path: string): Record<string, number> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare("SELECT state, COUNT(*) AS n FROM task_runs GROUP BY state")
      .all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  } finally {
    db.close();
  }
}

// Starts and completes each task run; `engines` take turns, so both processes' commits count.
async function runTasks(engines: Engine[], ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries()) {
    const engine = engines[i % engines.length]!;
    await engine.propose(id, { to: "RUNNING", token: `start-${id}`, kind: "start" });
    await engine.propose(id, { to: "COMPLETED", token: `end-${id}`, kind: "complete" });
  }
}

Deno.test("task-run counts stay exact across folds, two connections, purge and rebuild", async () => {
  await using fixture = await openSqliteFixture();
  const other = createSqliteStore(fixture.path);
  try {
    const { engine } = testEngine(fixture.store);
    const { engine: otherEngine } = testEngine(other);
    const flow = await engine.createFlowRun({ name: "etl" });
    await engine.propose(flow.id, { to: "RUNNING", token: "f", kind: "start" });
    const ids: string[] = [];
    for (let i = 0; i < 400; i++) {
      const run = await (i % 2 ? otherEngine : engine).createTaskRun({
        name: "t",
        parentId: flow.id,
        id: `task-${i}`,
      });
      ids.push(run.id);
    }
    // 1,200 task events: more than two folds' worth, written by both connections.
    await runTasks([engine, otherEngine], ids.slice(0, 300));
    const counted = countedTaskRuns(fixture.path);
    assert.deepEqual(counted, { COMPLETED: 300, PENDING: 100 });
    assert.deepEqual(engine.summary().taskRunsByState, counted);
    assert.deepEqual(otherEngine.summary().taskRunsByState, counted);

    await runTasks([otherEngine], ids.slice(300));
    await engine.propose(flow.id, { to: "COMPLETED", token: "f-end", kind: "complete" });
    assert.deepEqual(engine.summary().taskRunsByState, { COMPLETED: 400 });

    // A newer root keeps the log's newest event, so the first tree may go:
    // its events, some of them not folded yet, go with it.
    await otherEngine.createFlowRun({ name: "later", id: "later" });
    await otherEngine.createTaskRun({ name: "t", parentId: "later", id: "kept" });
    const purged = engine.purgeRuns([flow.id]);
    assert.deepEqual(purged.purged, [flow.id]);
    assert.equal(purged.taskRuns, 400);
    assert.deepEqual(countedTaskRuns(fixture.path), { PENDING: 1 });
    assert.deepEqual(engine.summary().taskRunsByState, { PENDING: 1 });
    assert.deepEqual(otherEngine.summary().taskRunsByState, { PENDING: 1 });

    engine.rebuildProjections();
    assert.deepEqual(otherEngine.summary().taskRunsByState, { PENDING: 1 });
  } finally {
    other.close();
  }
});

Deno.test("opening a schema 8 database counts its task runs from then on", async () => {
  await using fixture = await openSqliteFixture();
  const { engine } = testEngine(fixture.store);
  const flow = await engine.createFlowRun({ name: "etl" });
  const ids: string[] = [];
  for (let i = 0; i < 300; i++) {
    ids.push((await engine.createTaskRun({ name: "t", parentId: flow.id, id: `t-${i}` })).id);
  }
  await runTasks([engine], ids.slice(0, 100));
  fixture.store.close();

  // Schema 8 kept every task-run count in run_counts and had no fold mark.
  const db = new DatabaseSync(fixture.path);
  db.exec(`DROP TABLE run_counts_folded; DELETE FROM schema_version WHERE version > 8;`);
  db.close();

  const reopened = createSqliteStore(fixture.path);
  try {
    const { engine: after } = testEngine(reopened);
    assert.deepEqual(after.summary().taskRunsByState, { COMPLETED: 100, PENDING: 200 });
    await runTasks([after], ids.slice(100));
    assert.deepEqual(after.summary().taskRunsByState, countedTaskRuns(fixture.path));
    assert.deepEqual(after.summary().taskRunsByState, { COMPLETED: 300 });
  } finally {
    reopened.close();
  }
});
