import assert from "node:assert/strict";
import { assertError, call, seedFlows, testServer } from "./_helpers.ts";

Deno.test("GET /api/flows lists flow names with run counts and the last run", async () => {
  const server = testServer();
  const { etlId, brokenId } = await seedFlows(server);
  await seedFlows(server);
  const answer = await call(server.app, "/api/flows");
  assert.equal(answer.status, 200);
  assert.equal(answer.body.next_cursor, null);
  const byName = Object.fromEntries(
    answer.body.items.map((f: { name: string }) => [f.name, f]),
  );
  assert.deepEqual(Object.keys(byName), ["broken", "child", "etl"]);
  assert.equal(byName.etl.runs, 2);
  assert.equal(byName.broken.last_run.state, "FAILED");
  assert.notEqual(byName.etl.last_run.id, etlId, "the newest run is the second one");
  assert.notEqual(byName.broken.last_run.id, brokenId);
});

Deno.test("GET /api/flows/:name shows counts by state, tasks and recent runs", async () => {
  const server = testServer();
  await seedFlows(server);
  const extra = await server.engine.createFlowRun({ name: "etl" });
  const answer = await call(server.app, "/api/flows/etl");
  assert.equal(answer.status, 200);
  assert.equal(answer.body.name, "etl");
  assert.equal(answer.body.runs, 2);
  assert.deepEqual(answer.body.run_counts, { COMPLETED: 1, PENDING: 1 });
  assert.deepEqual(answer.body.tasks, [
    { name: "double", runs: 3, counts: { COMPLETED: 3 } },
    { name: "total", runs: 1, counts: { COMPLETED: 1 } },
  ]);
  assert.equal(answer.body.recent_runs[0].id, extra.id);
  const limited = await call(server.app, "/api/flows/etl?limit=1");
  assert.equal(limited.body.recent_runs.length, 1);
  assertError(await call(server.app, "/api/flows/nothing"), 404, "flow_not_found");
  assertError(await call(server.app, "/api/flows/etl?limit=0"), 400, "invalid_request");
});
