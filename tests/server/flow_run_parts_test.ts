import assert from "node:assert/strict";
import type { ApiEvent, ApiLog, ApiRun } from "../../wire/mod.ts";
import { assertError, call, seedFlows, testServer } from "./_helpers.ts";

Deno.test("GET /api/flow-runs/:id/task-runs pages a flow run's task runs in execution order", async () => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  const all = await call(server.app, `/api/flow-runs/${etlId}/task-runs`);
  assert.equal(all.status, 200);
  assert.deepEqual(all.body.items.map((r: ApiRun) => r.name), [
    "double",
    "double",
    "double",
    "total",
  ]);
  assert.ok(all.body.items.every((r: ApiRun) => r.parent_id === etlId && r.kind === "task"));
  assert.equal(all.body.next_cursor, null);

  const first = await call(server.app, `/api/flow-runs/${etlId}/task-runs?limit=3`);
  const rest = await call(
    server.app,
    `/api/flow-runs/${etlId}/task-runs?limit=3&cursor=${
      encodeURIComponent(first.body.next_cursor)
    }`,
  );
  assert.deepEqual(
    [...first.body.items, ...rest.body.items].map((r: ApiRun) => r.id),
    all.body.items.map((r: ApiRun) => r.id),
  );
  const named = await call(
    server.app,
    `/api/flow-runs/${etlId}/task-runs?name=total&state=COMPLETED`,
  );
  assert.deepEqual(named.body.items.map((r: ApiRun) => r.name), ["total"]);
  const newest = await call(server.app, `/api/flow-runs/${etlId}/task-runs?order=desc&limit=1`);
  assert.equal(newest.body.items[0].name, "total");
  assertError(await call(server.app, "/api/flow-runs/nope/task-runs"), 404, "flow_run_not_found");
  assertError(
    await call(server.app, `/api/flow-runs/${etlId}/task-runs?state=x`),
    400,
    "invalid_request",
  );
});

Deno.test("GET /api/flow-runs/:id/logs filters by task run, level and text and pages by id", async (t) => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  const url = `/api/flow-runs/${etlId}/logs`;
  const all = (await call(server.app, url)).body.items as ApiLog[];
  assert.ok(all.length >= 3);
  assert.ok(all.every((log) => log.flow_run_id === etlId));
  const ids = all.map((log) => log.id!);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  const totalRun = server.engine.listRuns({ kind: "task", parentId: etlId, name: "total" })
    .items[0]!;

  const cases: Array<[string, (log: ApiLog) => boolean]> = [
    [`task_run_id=${totalRun.id}`, (log) => log.task_run_id === totalRun.id],
    ["level=INFO", (log) => log.level >= 20],
    ["level=info", (log) => log.level >= 20],
    ["level=10", () => true],
    ["level=WARNING", (log) => log.level >= 30],
    ["q=SUMMING", (log) => log.message.includes("summing")],
    [`after_id=${ids[0]}`, (log) => log.id! > ids[0]!],
  ];
  for (const [query, predicate] of cases) {
    await t.step(query, async () => {
      const page = await call(server.app, `${url}?${query}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.deepEqual(page.body.items, all.filter(predicate));
    });
  }
  await t.step("cursor walk", async () => {
    const seen: ApiLog[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(server.app, `${url}?limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.body.items);
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    assert.deepEqual(seen, all);
  });
  for (
    const query of ["level=LOUD", "level=-1", "after_id=x", "after_id=1&cursor=2", "cursor=abc"]
  ) {
    await t.step(`400 for ${query}`, async () => {
      assertError(await call(server.app, `${url}?${query}`), 400, "invalid_request");
    });
  }
});

Deno.test("GET /api/flow-runs/:id/events lists the run's transitions and pages by seq", async () => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  const all = await call(server.app, `/api/flow-runs/${etlId}/events`);
  assert.deepEqual(
    all.body.items.map((e: ApiEvent) => [e.from, e.to, e.run_id]),
    [[null, "PENDING", etlId], ["PENDING", "RUNNING", etlId], ["RUNNING", "COMPLETED", etlId]],
  );
  const first = await call(server.app, `/api/flow-runs/${etlId}/events?limit=2`);
  assert.equal(first.body.items.length, 2);
  const rest = await call(
    server.app,
    `/api/flow-runs/${etlId}/events?cursor=${first.body.next_cursor}`,
  );
  assert.deepEqual([...first.body.items, ...rest.body.items], all.body.items);
  const after = await call(
    server.app,
    `/api/flow-runs/${etlId}/events?after_seq=${all.body.items[0].seq}`,
  );
  assert.deepEqual(after.body.items, all.body.items.slice(1));
});

Deno.test("GET /api/flow-runs/:id/dag folds map() children in logical mode and lists them in expanded mode", async () => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  const tasks = server.engine.listRuns({ kind: "task", parentId: etlId, limit: 100 }).items;
  const totalRun = tasks.find((r) => r.name === "total")!;

  const logical = await call(server.app, `/api/flow-runs/${etlId}/dag`);
  assert.equal(logical.status, 200);
  assert.equal(logical.body.mode, "logical");
  assert.equal(logical.body.truncated, false);
  const kinds = logical.body.nodes.map((n: { kind: string; name: string }) =>
    `${n.kind}:${n.name}`
  );
  assert.deepEqual(kinds, ["map:double", "task:total", "subflow:child"]);
  const mapped = logical.body.nodes[0];
  assert.equal(mapped.map_count, 3);
  assert.deepEqual(mapped.counts, { COMPLETED: 3 });
  assert.equal(mapped.state, "COMPLETED");
  assert.equal(mapped.run_id, null);
  assert.deepEqual(logical.body.edges, [{ from: mapped.id, to: totalRun.id, kind: "data" }]);

  const expanded = await call(server.app, `/api/flow-runs/${etlId}/dag?mode=expanded`);
  assert.equal(expanded.body.nodes.length, 5);
  const doubles = tasks.filter((r) => r.name === "double").map((r) => r.id).sort();
  assert.deepEqual(
    expanded.body.edges.map((e: { from: string; to: string }) => [e.from, e.to]).sort(),
    doubles.map((id) => [id, totalRun.id]),
  );
  assertError(
    await call(server.app, `/api/flow-runs/${etlId}/dag?mode=flat`),
    400,
    "invalid_request",
  );
});

Deno.test("GET /api/flow-runs/:id/artifacts and /api/task-runs/:id/artifacts list artifacts", async () => {
  const server = testServer();
  const { etlId } = await seedFlows(server);
  const empty = await call(server.app, `/api/flow-runs/${etlId}/artifacts`);
  assert.deepEqual(empty.body, { items: [], next_cursor: null });
  const totalRun = server.engine.listRuns({ kind: "task", parentId: etlId, name: "total" })
    .items[0]!;
  const made = await call(server.app, "/api/artifacts", {
    body: { type: "markdown", data: "# Report", flow_run_id: etlId, task_run_id: totalRun.id },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await call(server.app, "/api/artifacts", {
    body: { type: "progress", data: 10, flow_run_id: etlId, key: "load-progress" },
  });
  const listed = await call(server.app, `/api/flow-runs/${etlId}/artifacts`);
  assert.equal(listed.body.items.length, 2);
  const ofTask = await call(server.app, `/api/task-runs/${totalRun.id}/artifacts`);
  assert.deepEqual(ofTask.body.items, [made.body]);
  const filtered = await call(
    server.app,
    `/api/flow-runs/${etlId}/artifacts?task_run_id=${totalRun.id}`,
  );
  assert.deepEqual(filtered.body.items, [made.body]);
  assertError(await call(server.app, "/api/task-runs/nope/artifacts"), 404, "task_run_not_found");
});
