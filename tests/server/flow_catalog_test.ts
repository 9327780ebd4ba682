import assert from "node:assert/strict";
import { assertError, call, SseReader, testServer } from "./_helpers.ts";
import { DAY, runIn } from "../engine/catalog/_helpers.ts";

Deno.test("flow catalog API: rename keeps the id, old names resolve, clashes answer 409", async () => {
  const server = testServer();
  const { app, engine } = server;
  await runIn(engine, "etl", "COMPLETED");
  await runIn(engine, "report", "COMPLETED");
  const entry = await call(app, "/api/flows/catalog/etl");
  assert.equal(entry.status, 200, JSON.stringify(entry.body));
  assert.deepEqual(
    { ...entry.body, id: "-", created_at: "-", updated_at: "-" },
    {
      id: "-",
      name: "etl",
      formerly: [],
      archived: false,
      archived_at: null,
      retention_days: null,
      purged_runs: 0,
      last_purge_at: null,
      created_at: "-",
      updated_at: "-",
    },
  );
  const renamed = await call(app, "/api/flows/etl/rename", { body: { name: "etl-v2" } });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.equal(renamed.body.id, entry.body.id);
  assert.deepEqual(renamed.body.formerly, ["etl"]);
  assert.equal((await call(app, "/api/flows/catalog/etl")).body.name, "etl-v2");
  const listed = await call(app, "/api/flows");
  assert.deepEqual(listed.body.items.map((f: { name: string }) => f.name), ["etl-v2", "report"]);
  assertError(
    await call(app, "/api/flows/etl-v2/rename", { body: { name: "report" } }),
    409,
    "flow_name_taken",
  );
  assertError(
    await call(app, "/api/flows/etl-v2/rename", { body: { name: "" } }),
    400,
    "invalid_request",
  );
  assertError(await call(app, "/api/flows/catalog/nothing"), 404, "flow_not_found");
  assertError(
    await call(app, "/api/flows/nothing/rename", { body: { name: "x" } }),
    404,
    "flow_not_found",
  );
});

Deno.test("flow catalog API: archive hides from GET /api/flows and restore shows", async () => {
  const { app, engine } = testServer();
  await runIn(engine, "etl", "COMPLETED");
  const archived = await call(app, "/api/flows/etl/archive", { method: "POST" });
  assert.equal(archived.status, 200, JSON.stringify(archived.body));
  assert.equal(archived.body.archived, true);
  assert.equal(typeof archived.body.archived_at, "string");
  assert.deepEqual((await call(app, "/api/flows")).body.items, []);
  const all = await call(app, "/api/flows?archived=true");
  assert.deepEqual(all.body.items.map((f: { archived: boolean }) => f.archived), [true]);
  assertError(await call(app, "/api/flows?archived=maybe"), 400, "invalid_request");
  const restored = await call(app, "/api/flows/etl/restore", { method: "POST" });
  assert.equal(restored.body.archived, false);
  assert.equal((await call(app, "/api/flows")).body.items[0].name, "etl");
});

Deno.test("flow catalog API: delete answers 409 with deployments or live runs", async () => {
  const { app, engine } = testServer();
  const live = await runIn(engine, "etl", "RUNNING");
  const created = await call(app, "/api/deployments", {
    body: { name: "etl-daily", entrypoint: "./flows/etl.ts:etl" },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assertError(await call(app, "/api/flows/etl", { method: "DELETE" }), 409, "flow_has_deployments");
  assert.equal((await call(app, "/api/deployments/etl-daily", { method: "DELETE" })).status, 204);
  assertError(await call(app, "/api/flows/etl", { method: "DELETE" }), 409, "flow_has_live_runs");
  await engine.propose(live.id, { to: "COMPLETED", token: "done", kind: "finish" });
  await engine.flush();
  const deleted = await call(app, "/api/flows/etl", { method: "DELETE" });
  assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
  assert.deepEqual((await call(app, "/api/flows")).body.items, []);
  assertError(await call(app, "/api/flows/catalog/etl"), 404, "flow_not_found");
});

Deno.test("flow catalog API: retention and the sweep purge old runs, never live ones", async () => {
  const { app, engine, clock } = testServer();
  const done = await runIn(engine, "etl", "COMPLETED");
  const running = await runIn(engine, "etl", "RUNNING");
  const older = await runIn(engine, "etl", "FAILED");
  clock.tick(3 * DAY);
  await runIn(engine, "report", "COMPLETED");
  const patched = await call(app, "/api/flows/etl", {
    method: "PATCH",
    body: { retention_days: 2 },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.retention_days, 2);
  assertError(
    await call(app, "/api/flows/etl", { method: "PATCH", body: { retention_days: 0 } }),
    400,
    "invalid_request",
  );
  const first = await call(app, "/api/flows/retention/sweep?max_runs=1", { method: "POST" });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body, {
    ran: true,
    roots: 1,
    flow_runs: 1,
    task_runs: 0,
    events: 3,
    logs: 0,
    documents: 0,
    kept: 0,
    more: true,
  });
  const swept = await call(app, "/api/flows/retention/sweep", { method: "POST" });
  assert.deepEqual([swept.body.roots, swept.body.more], [1, false]);
  assert.equal(engine.reader.getRun(done.id), undefined);
  assert.equal(engine.reader.getRun(older.id), undefined);
  assert.equal(engine.reader.getRun(running.id)?.state, "RUNNING");
  const entry = (await call(app, "/api/flows/catalog/etl")).body;
  assert.equal(entry.purged_runs, 2);
  assert.equal(entry.last_purge_at, new Date(clock.now()).toISOString());
  assertError(
    await call(app, "/api/flows/retention/sweep?max_runs=0", { method: "POST" }),
    400,
    "invalid_request",
  );
  const cleared = await call(app, "/api/flows/etl", {
    method: "PATCH",
    body: { retention_days: null },
  });
  assert.equal(cleared.body.retention_days, null);
});

Deno.test("GET /api/flows/:name resolves a former name to the renamed flow", async () => {
  const { app, engine, clock } = testServer();
  const before = await runIn(engine, "etl", "COMPLETED");
  await call(app, "/api/flows/etl/rename", { body: { name: "etl-v2" } });
  clock.tick(1000);
  const after = await runIn(engine, "etl-v2", "FAILED");
  await call(app, "/api/flows/etl-v2", { method: "PATCH", body: { retention_days: 30 } });
  for (const asked of ["etl", "etl-v2"]) {
    const flow = await call(app, `/api/flows/${asked}`);
    assert.equal(flow.status, 200, JSON.stringify(flow.body));
    assert.equal(flow.body.name, "etl-v2", `asked as "${asked}"`);
    assert.deepEqual(flow.body.formerly, ["etl"]);
    assert.equal(flow.body.retention_days, 30);
    assert.equal(flow.body.archived, false);
    assert.equal(flow.body.runs, 2, "runs under both names count");
    assert.deepEqual(flow.body.run_counts, { COMPLETED: 1, FAILED: 1 });
    assert.deepEqual(flow.body.recent_runs.map((r: { id: string }) => r.id), [
      after.id,
      before.id,
    ]);
  }
  const limited = await call(app, "/api/flows/etl?limit=1");
  assert.deepEqual(limited.body.recent_runs.map((r: { id: string }) => r.id), [after.id]);
  // A flow no catalog operation touched is found by its name alone.
  await runIn(engine, "report", "COMPLETED");
  const plain = await call(app, "/api/flows/report");
  assert.deepEqual([plain.body.name, plain.body.id, plain.body.formerly], ["report", null, []]);
  assertError(await call(app, "/api/flows/nothing"), 404, "flow_not_found");
});

Deno.test("after a purge, Last-Event-ID resumes across the gap with the next live events", async () => {
  const { app, engine, clock } = testServer();
  const kept = await runIn(engine, "report", "COMPLETED");
  const old = await runIn(engine, "etl", "COMPLETED");
  const lastSeen = engine.reader.events({ runId: kept.id }).at(-1)!.seq;
  clock.tick(3 * DAY);
  const live = await runIn(engine, "etl", "RUNNING");
  await call(app, "/api/flows/etl", { method: "PATCH", body: { retention_days: 1 } });
  const swept = await call(app, "/api/flows/retention/sweep", { method: "POST" });
  assert.equal(swept.body.roots, 1);
  assert.equal(engine.reader.getRun(old.id), undefined);
  const res = await app.request("/api/stream/events", {
    headers: { "last-event-id": String(lastSeen) },
  });
  const stream = new SseReader(res);
  await engine.propose(live.id, { to: "COMPLETED", token: "end", kind: "finish" });
  const resumed = await stream.take(3);
  const seqs = resumed.map((m) => Number(m.id));
  assert.deepEqual(
    resumed.map((m) => (m.data as { run_id: string }).run_id),
    [live.id, live.id, live.id],
    "the purged run's events are skipped, the live run's replayed and streamed",
  );
  assert.ok(seqs[0]! > lastSeen + 3, "a gap where the purged events were");
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  await stream.cancel();
});
