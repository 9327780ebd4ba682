import assert from "node:assert/strict";
import type { ApiLog } from "../../wire/mod.ts";
import { assertError, call, seedFlows, testServer } from "./_helpers.ts";

Deno.test("GET /api/task-runs/:id shows the task run, its flow run, upstream runs and events", async () => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  const tasks = server.engine.listRuns({ kind: "task", parentId: etlId, limit: 100 }).items;
  const totalRun = tasks.find((r) => r.name === "total")!;
  const answer = await call(server.app, `/api/task-runs/${totalRun.id}`);
  assert.equal(answer.status, 200);
  assert.equal(answer.body.run.id, totalRun.id);
  assert.equal(answer.body.run.kind, "task");
  assert.equal(answer.body.flow_run.id, etlId);
  assert.deepEqual(
    answer.body.upstream.map((r: { name: string }) => r.name),
    ["double", "double", "double"],
  );
  assert.deepEqual(
    answer.body.events.map((e: { to: string }) => e.to),
    ["PENDING", "RUNNING", "COMPLETED"],
  );
});

Deno.test("GET /api/task-runs/:id answers 404 for unknown ids and flow runs", async () => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  assertError(await call(server.app, "/api/task-runs/nope"), 404, "task_run_not_found");
  assertError(await call(server.app, `/api/task-runs/${etlId}`), 404, "task_run_not_found");
  assertError(await call(server.app, "/api/task-runs/nope/logs"), 404, "task_run_not_found");
});

Deno.test("GET /api/task-runs/:id/logs lists only that task run's lines, with filters", async () => {
  const server = testServer();
  const { brokenId } = await seedFlows(server);
  const explode = server.engine.listRuns({ kind: "task", parentId: brokenId }).items[0]!;
  const logs = await call(server.app, `/api/task-runs/${explode.id}/logs`);
  assert.equal(logs.status, 200);
  assert.ok(logs.body.items.length >= 1);
  assert.ok(logs.body.items.every((l: ApiLog) => l.task_run_id === explode.id));
  assert.ok(logs.body.items.some((l: ApiLog) => l.message === "about to fail" && l.level === 40));
  const high = await call(server.app, `/api/task-runs/${explode.id}/logs?level=CRITICAL`);
  assert.deepEqual(high.body.items.filter((l: ApiLog) => l.level < 50), []);
  assertError(
    await call(server.app, `/api/task-runs/${explode.id}/logs?task_run_id=x`),
    400,
    "invalid_request",
  );
});
