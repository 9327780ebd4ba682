import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createSqliteStore, SCHEMA_VERSION } from "../../engine/mod.ts";
import { openSqliteFixture, testEngine } from "./_helpers.ts";

Deno.test("opening a schema 3 database counts its runs by state and by flow", async () => {
  await using fixture = await openSqliteFixture();
  const { engine } = testEngine(fixture.store);
  const flow = await engine.createFlowRun({ name: "etl" });
  await engine.propose(flow.id, { to: "RUNNING", token: "a", kind: "start" });
  await engine.createFlowRun({ name: "etl" });
  await engine.createTaskRun({ name: "t", parentId: flow.id, state: "SCHEDULED" });
  const expected = engine.summary();
  const flows = fixture.store.flowStats();
  fixture.store.close();

  // Back to schema 3: no counts table, no sort indexes.
  const db = new DatabaseSync(fixture.path);
  db.exec(`DROP TABLE run_counts; DROP TABLE flow_counts;
    DROP INDEX flow_runs_by_updated; DROP INDEX flow_runs_by_start;
    DROP INDEX flow_runs_by_end; DROP INDEX flow_runs_by_name;
    DELETE FROM schema_version WHERE version > 3;`);
  db.close();

  const reopened = createSqliteStore(fixture.path);
  try {
    assert.equal(SCHEMA_VERSION >= 5, true);
    assert.deepEqual(reopened.summary(), expected);
    assert.deepEqual(reopened.flowStats(), flows);
    assert.equal(flows[0]!.runs, 2);
    assert.deepEqual(expected.flowRunsByState, { RUNNING: 1, PENDING: 1 });
    assert.deepEqual(expected.taskRunsByState, { SCHEDULED: 1 });
  } finally {
    reopened.close();
  }
});
