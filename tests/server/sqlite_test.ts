import assert from "node:assert/strict";
import { createSqliteStore } from "../../engine/mod.ts";
import type { ApiRun } from "../../wire/mod.ts";
import { call, seedFlows, SseReader, testServer } from "./_helpers.ts";

async function sqliteServer() {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_server_sqlite_" });
  const store = createSqliteStore(`${dir}/ironflow.db`);
  const server = testServer({ store });
  return {
    ...server,
    async [Symbol.asyncDispose]() {
      server.close();
      await server.engine.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("on SQLite: listing, filters, cursor walk and detail of flows run by the SDK", async () => {
  await using server = await sqliteServer();
  const { etlId, brokenId } = await seedFlows(server);
  await seedFlows(server);
  const failed = await call(server.app, "/api/flow-runs?state=FAILED");
  assert.equal(failed.body.items.length, 2);
  assert.ok(failed.body.items.some((r: ApiRun) => r.id === brokenId));
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await call(
      server.app,
      `/api/flow-runs?sort=name&order=asc&limit=2${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
      }`,
    );
    ids.push(...page.body.items.map((r: ApiRun) => r.id));
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.deepEqual(
    ids,
    server.engine.listRuns({ kind: "flow", sort: "name", order: "asc" }).items.map((r) => r.id),
  );
  const tagged = await call(server.app, "/api/flow-runs?tags=nightly&flow_name=etl");
  assert.equal(tagged.body.items.length, 2);
  const detail = await call(server.app, `/api/flow-runs/${etlId}`);
  assert.deepEqual(detail.body.task_run_counts, { COMPLETED: 4 });
  assert.equal(detail.body.children.length, 1);
  const dag = await call(server.app, `/api/flow-runs/${etlId}/dag`);
  assert.equal(dag.body.nodes.length, 3);
  const flows = await call(server.app, "/api/flows");
  assert.deepEqual(flows.body.items.map((f: { name: string; runs: number }) => [f.name, f.runs]), [
    ["broken", 2],
    ["child", 2],
    ["etl", 2],
  ]);
  const logs = await call(server.app, `/api/flow-runs/${etlId}/logs?level=INFO&q=etl`);
  assert.deepEqual(logs.body.items.map((l: { message: string }) => l.message), ["starting etl"]);
});

Deno.test("on SQLite: concurrency limits, retry and Last-Event-ID replay", async () => {
  await using server = await sqliteServer();
  const { brokenId } = await seedFlows(server);
  const created = await call(server.app, "/api/concurrency-limits", {
    body: { name: "db", limit: 2 },
  });
  assert.equal(created.status, 201);
  assert.equal((await call(server.app, "/api/concurrency-limits/db")).body.limit, 2);
  // A script's run has no worker to run a new attempt: refused, nothing written.
  const retried = await call(server.app, `/api/flow-runs/${brokenId}/retry`, { method: "POST" });
  assert.equal(retried.status, 409);
  assert.equal(server.engine.listRuns({ kind: "flow", lineageId: brokenId }).items.length, 1);
  const last = server.engine.reader.lastSeq();
  const res = await server.app.request("/api/stream/events", {
    headers: { "last-event-id": String(last - 2) },
  });
  const stream = new SseReader(res);
  const replayed = await stream.take(2);
  assert.deepEqual(replayed.map((m) => Number(m.id)), [last - 1, last]);
  await stream.cancel();
});
