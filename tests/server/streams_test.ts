import assert from "node:assert/strict";
import type { ApiEvent, ApiLog } from "../../wire/mod.ts";
import { createArtifact, updateProgressArtifact } from "../../engine/mod.ts";
import { createApp } from "../../server/mod.ts";
import { eventStream } from "../../server/api/sse.ts";
import { EventHub } from "../../server/api/_event_hub.ts";
import {
  assertError,
  call,
  countingSubscriptions,
  etl,
  SseReader,
  testServer,
} from "./_helpers.ts";

async function open(app: ReturnType<typeof testServer>["app"], path: string, headers = {}) {
  const res = await app.request(path, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  return new SseReader(res);
}

Deno.test("GET /api/stream/events pushes committed events in seq order with id = seq", async () => {
  const { app, engine } = testServer();
  const stream = await open(app, "/api/stream/events");
  const run = await engine.createFlowRun({ name: "etl" });
  await engine.propose(run.id, { to: "RUNNING", token: "a", kind: "start" });
  await engine.propose(run.id, { to: "COMPLETED", token: "b", kind: "complete" });
  const messages = await stream.take(3);
  assert.deepEqual(messages.map((m) => m.event), ["transition", "transition", "transition"]);
  assert.deepEqual(messages.map((m) => m.id), ["1", "2", "3"]);
  const events = messages.map((m) => m.data as ApiEvent);
  assert.deepEqual(events.map((e) => [e.seq, e.run_id, e.to]), [
    [1, run.id, "PENDING"],
    [2, run.id, "RUNNING"],
    [3, run.id, "COMPLETED"],
  ]);
  assert.match(events[0]!.at, /Z$/);
  await stream.cancel();
});

Deno.test("GET /api/stream/events filters by run_id and by flow_run_id (the run and its task runs)", async () => {
  const server = testServer();
  const { app, engine } = server;
  const other = await engine.createFlowRun({ name: "other" });
  const byRun = await open(app, `/api/stream/events?run_id=${other.id}`);
  const outcome = await etl.runWith({ plane: server.plane }, [1, 2, 3]);
  await engine.propose(other.id, { to: "RUNNING", token: "x", kind: "start" });
  const [only] = await byRun.take(1);
  assert.equal((only!.data as ApiEvent).run_id, other.id);
  assert.equal((only!.data as ApiEvent).to, "RUNNING");

  const etlRun = engine.getRun(outcome.runId)!;
  const stream = await open(app, `/api/stream/events?flow_run_id=${etlRun.id}&after_seq=0`);
  const tasks = engine.listRuns({ kind: "task", parentId: etlRun.id }).items.map((r) => r.id);
  const expected = engine.events().filter((e) => e.runId === etlRun.id || tasks.includes(e.runId));
  const got = await stream.take(expected.length);
  assert.deepEqual(got.map((m) => Number(m.id)), expected.map((e) => e.seq));
  await Promise.all([byRun.cancel(), stream.cancel()]);
});

Deno.test("reconnecting with Last-Event-ID replays exactly the missed events, then live ones", async () => {
  const { app, engine } = testServer();
  const first = await open(app, "/api/stream/events");
  const run = await engine.createFlowRun({ name: "etl" });
  await engine.propose(run.id, { to: "RUNNING", token: "a", kind: "start" });
  const seen = await first.take(2);
  const lastId = seen.at(-1)!.id!;
  await first.cancel();

  // Missed while disconnected.
  await engine.propose(run.id, { to: "PAUSED", token: "b", kind: "pause" });
  const other = await engine.createFlowRun({ name: "other" });
  await engine.propose(run.id, { to: "RUNNING", token: "c", kind: "resume" });

  const again = await open(app, "/api/stream/events", { "last-event-id": lastId });
  await engine.propose(run.id, { to: "COMPLETED", token: "d", kind: "complete" });
  await engine.propose(other.id, { to: "CANCELLED", token: "e", kind: "user_cancel" });
  const resumed = await again.take(5);
  assert.deepEqual(resumed.map((m) => m.id), ["3", "4", "5", "6", "7"]);
  assert.deepEqual(resumed.map((m) => (m.data as ApiEvent).to), [
    "PAUSED",
    "PENDING",
    "RUNNING",
    "COMPLETED",
    "CANCELLED",
  ]);
  await again.cancel();

  // The header wins over after_seq; a malformed one is refused.
  const header = await open(app, "/api/stream/events?after_seq=0", { "last-event-id": "6" });
  assert.deepEqual((await header.take(1)).map((m) => m.id), ["7"]);
  await header.cancel();
  assertError(
    await call(app, "/api/stream/events", { headers: { "last-event-id": "x" } }),
    400,
    "invalid_request",
  );
});

Deno.test("GET /api/stream/flow-runs/:id streams the run's and its task runs' events and log lines", async () => {
  const server = testServer();
  const { app, engine } = server;
  const run = await engine.createFlowRun({ name: "etl" });
  const stream = await open(app, `/api/stream/flow-runs/${run.id}`);
  const task = await engine.createTaskRun({ name: "t", parentId: run.id, rootId: run.id });
  const stranger = await engine.createFlowRun({ name: "stranger" });
  await engine.propose(stranger.id, { to: "RUNNING", token: "s", kind: "start" });
  engine.log([{
    flowRunId: stranger.id,
    taskRunId: null,
    level: 20,
    message: "no",
    at: 0,
    name: "x",
  }]);
  engine.log([{
    flowRunId: run.id,
    taskRunId: task.id,
    level: 20,
    message: "yes",
    at: 0,
    name: "x",
  }]);
  await engine.propose(task.id, { to: "RUNNING", token: "t1", kind: "start" });
  const got = await stream.take(3);
  assert.equal(got[0]!.event, "transition");
  assert.equal((got[0]!.data as ApiEvent).run_id, task.id);
  assert.equal(got[1]!.event, "log");
  assert.equal(got[1]!.id, undefined);
  assert.equal((got[1]!.data as ApiLog).message, "yes");
  assert.equal((got[2]!.data as ApiEvent).to, "RUNNING");
  await stream.cancel();
  assertError(await call(app, "/api/stream/flow-runs/ghost"), 404, "flow_run_not_found");
});

Deno.test("SSE streams send heartbeats every heartbeatMs", async () => {
  const { app } = testServer({ heartbeatMs: 20 });
  const stream = await open(app, "/api/stream/events");
  const first = await stream.next(1000);
  const second = await stream.next(1000);
  assert.equal(first.event, "heartbeat");
  assert.equal(second.event, "heartbeat");
  assert.equal(first.id, undefined);
  await stream.cancel();
});

Deno.test("a disconnected client is unsubscribed, and shutting down ends open streams", async () => {
  const server = testServer();
  const { engine, active: count } = countingSubscriptions(server.engine);
  const controller = new AbortController();
  const app = createApp({ engine, clock: server.clock, signal: controller.signal });
  const baseline = count();
  const a = await open(app, "/api/stream/events");
  const b = await open(app, "/api/stream/events");
  assert.equal(count(), baseline + 1, "streams share one subscription");
  await a.cancel();
  assert.equal(count(), baseline + 1);
  controller.abort();
  assert.equal(await b.ended(), true);
  assert.equal(count(), 0, "the metrics subscription ends with the app too");
});

Deno.test("eventStream() cuts off a client that falls too far behind", async () => {
  const server = testServer();
  const hub = new EventHub(server.engine);
  const body = eventStream({
    engine: server.engine,
    hub,
    watch: hub.watch({ all: true }),
    afterSeq: undefined,
    heartbeatMs: 60_000,
    signals: [],
    maxBuffered: 3,
  });
  for (let i = 0; i < 5; i++) await server.engine.createFlowRun({ name: `r${i}` });
  const reader = new SseReader(new Response(body));
  assert.equal(await reader.ended(), true);
});

Deno.test("a subscription streams the events of the runs added to it, and not of those removed", async () => {
  const { app, engine } = testServer();
  const [a, b, c] = await Promise.all(
    ["a", "b", "c"].map((name) => engine.createFlowRun({ name })),
  );
  const change = (body: unknown) =>
    call(app, "/api/stream/subscriptions/s1", { method: "POST", body });
  assert.equal((await change({ add: [a!.id] })).body.run_count, 1);
  const stream = await open(app, "/api/stream/subscriptions/s1/events");
  await engine.propose(b!.id, { to: "RUNNING", token: "b1", kind: "start" });
  await engine.propose(a!.id, { to: "RUNNING", token: "a1", kind: "start" });
  assert.equal((await change({ add: [b!.id, c!.id], remove: [a!.id] })).body.run_count, 2);
  await engine.propose(a!.id, { to: "COMPLETED", token: "a2", kind: "complete" });
  await engine.propose(c!.id, { to: "RUNNING", token: "c1", kind: "start" });
  const got = await stream.take(2);
  assert.deepEqual(got.map((m) => (m.data as ApiEvent).run_id), [a!.id, c!.id]);
  const lastId = got.at(-1)!.id!;
  await stream.cancel();

  // Resumed with Last-Event-ID: the missed events of the runs followed now.
  await engine.propose(b!.id, { to: "COMPLETED", token: "b2", kind: "complete" });
  assert.equal((await change({ replace: [b!.id] })).body.run_count, 1);
  const again = await open(app, "/api/stream/subscriptions/s1/events", {
    "last-event-id": lastId,
  });
  const [missed] = await again.take(1);
  assert.equal((missed!.data as ApiEvent).run_id, b!.id);
  assert.equal((missed!.data as ApiEvent).to, "COMPLETED");
  await again.cancel();
  assert.equal((await call(app, "/api/stream/subscriptions/s1", { method: "DELETE" })).status, 200);
});

Deno.test("EventHub delivers each event only to the streams that follow its run", async () => {
  const server = testServer();
  const { engine, active } = countingSubscriptions(server.engine);
  const hub = new EventHub(engine);
  const runs = await Promise.all(
    Array.from({ length: 50 }, (_, i) => engine.createFlowRun({ name: `r${i}` })),
  );
  const received = runs.map(() => [] as number[]);
  const detach = runs.map((run, i) =>
    hub.attach(hub.watch({ runIds: [run.id] }), {
      frame: (_text, seq) => received[i]!.push(seq!),
    })
  );
  assert.equal(active(), 1, "fifty streams, one engine subscription");
  await engine.propose(runs[7]!.id, { to: "RUNNING", token: "t", kind: "start" });
  assert.deepEqual(received.map((seqs) => seqs.length), runs.map((_, i) => i === 7 ? 1 : 0));
  for (const off of detach) off();
  assert.equal(active(), 0);
});

Deno.test("GET /api/stream/flow-runs/:id tells of the run's new and changed artifacts, and only its own", async () => {
  const { app, engine, clock } = testServer();
  const run = await engine.createFlowRun({ name: "etl" });
  const stranger = await engine.createFlowRun({ name: "stranger" });
  const stream = await open(app, `/api/stream/flow-runs/${run.id}`);
  await createArtifact(engine, clock, { type: "progress", data: 0, flowRunId: stranger.id });
  const progress = await createArtifact(engine, clock, {
    type: "progress",
    data: 0,
    flowRunId: run.id,
  });
  await updateProgressArtifact(engine, clock, progress.id, 100);
  const got = await stream.take(2);
  assert.deepEqual(got.map((m) => [m.event, m.id, m.data]), [
    ["artifact", undefined, { id: progress.id, flow_run_id: run.id }],
    ["artifact", undefined, { id: progress.id, flow_run_id: run.id }],
  ]);
  await stream.cancel();
});
