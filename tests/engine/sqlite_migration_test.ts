import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ACTIVITY_BUCKET_MS, createSqliteStore, SCHEMA_VERSION } from "../../engine/mod.ts";
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
    DROP TABLE flow_run_buckets; DROP TABLE flow_run_buckets_by_flow;
    DROP INDEX flow_runs_by_updated; DROP INDEX flow_runs_by_start;
    DROP INDEX flow_runs_by_end; DROP INDEX flow_runs_by_name;
    DROP TABLE run_counts_folded; DELETE FROM schema_version WHERE version > 3;`);
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

Deno.test("opening a schema 6 database counts its flow runs per hour from the runs", async () => {
  await using fixture = await openSqliteFixture();
  const { engine, clock } = testEngine(fixture.store);
  for (let i = 0; i < 12; i++) {
    const run = await engine.createFlowRun({ name: i % 3 === 0 ? "etl" : "report" });
    if (i % 2 === 0) await engine.propose(run.id, { to: "RUNNING", token: "a", kind: "start" });
    await engine.createTaskRun({ name: "t", parentId: run.id });
    clock.tick(ACTIVITY_BUCKET_MS / 4 + 1);
  }
  const day = 24 * ACTIVITY_BUCKET_MS;
  const since = Math.floor(clock.now() / day) * day - day;
  const queries = [
    { since, until: since + 3 * day, bucketMs: ACTIVITY_BUCKET_MS },
    { since, until: since + 3 * day, bucketMs: day },
    { since, until: since + 3 * day, bucketMs: ACTIVITY_BUCKET_MS, flowName: "etl" },
  ];
  const expected = queries.map((query) => fixture.store.flowRunActivity(query));
  assert.equal(expected[0]!.length, 3, "twelve runs, a quarter hour apart, in three hours");
  fixture.store.close();

  const db = new DatabaseSync(fixture.path);
  db.exec(`DROP TABLE flow_run_buckets; DROP TABLE flow_run_buckets_by_flow;
    DELETE FROM schema_version WHERE version > 6;`);
  db.close();

  const reopened = createSqliteStore(fixture.path);
  try {
    assert.deepEqual(queries.map((query) => reopened.flowRunActivity(query)), expected);
  } finally {
    reopened.close();
  }
});
