/**
 * The remote control plane's batching over `POST /api/batch`: per-run order
 * with several requests in flight, size limits, and the server's 413.
 */
import assert from "node:assert/strict";
import { createRemoteControlPlane, flow, getRunLogger, task } from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { testServer } from "./_helpers.ts";

const step = task({ name: "step" }, (x: number) => x + 1);
const fanOut = flow({ name: "fan-out" }, async (n: number) => {
  getRunLogger().info("first");
  const values = await Promise.all(step.map(Array.from({ length: n }, (_, i) => i)));
  getRunLogger().info("last");
  return values.reduce((a, b) => a + b, 0);
});
const chain = flow({ name: "chain" }, async (n: number) => {
  let future = step.submit(0);
  for (let i = 1; i < n; i++) future = step.submit(future);
  return await future;
});

interface Sent {
  bytes: number;
  status: number;
  runs: string[];
}

/** A remote plane on `server`'s app that records every batch request. */
function recordingPlane(
  server: ReturnType<typeof testServer>,
  options: { maxInFlight?: number; maxBatchBytes?: number } = {},
) {
  const sent: Sent[] = [];
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  let onSend: (() => void) | undefined;
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    results: createMemoryResultStore(),
    ...options,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.endsWith("/api/batch")) return await server.app.fetch(request);
      const text = await request.clone().text();
      const body = JSON.parse(text);
      const runs = [
        ...(body.runs ?? []).map((r: { id: string }) => r.id),
        ...(body.proposals ?? []).map((p: { run_id: string }) => p.run_id),
      ];
      for (const id of new Set(runs)) {
        if (inFlight.has(id)) overlaps.push(id);
        inFlight.add(id);
      }
      onSend?.();
      // Let other requests start before this one is answered.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const response = await server.app.fetch(request);
      for (const id of runs) inFlight.delete(id);
      sent.push({ bytes: new TextEncoder().encode(text).length, status: response.status, runs });
      return response;
    },
  });
  /** Resolves when the next batch request leaves. */
  const nextSend = () => new Promise<void>((resolve) => onSend = resolve);
  return { plane, sent, overlaps, nextSend };
}

/** Runs `fanOut` over 100 tasks on `plane` and checks their sum; closes `plane` and `server`. */
async function fanOutHundred(
  server: ReturnType<typeof testServer>,
  plane: ReturnType<typeof recordingPlane>["plane"],
): Promise<void> {
  try {
    const outcome = await fanOut.runWith({ plane }, 100);
    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(outcome.result, 5050);
    await plane.flush();
  } finally {
    await plane.close();
    server.close();
  }
}

Deno.test("the remote plane never has a run's items in two requests in flight at once", async () => {
  const server = testServer();
  const { plane, sent, overlaps, nextSend } = recordingPlane(server, { maxInFlight: 4 });
  try {
    // A second proposal of a run while its first is in flight waits for the answer;
    // another run's proposal does not.
    await plane.createRun({ id: "r1", kind: "flow", name: "f" });
    await plane.createRun({ id: "r2", kind: "flow", name: "f" });
    const sending = nextSend();
    const first = plane.propose("r1", { to: "RUNNING", token: "a", kind: "start" });
    await sending;
    const second = plane.propose("r1", { to: "COMPLETED", token: "b", kind: "complete" });
    const other = plane.propose("r2", { to: "RUNNING", token: "c", kind: "start" });
    assert.deepEqual((await Promise.all([first, second, other])).map((r) => r.status), [
      "accepted",
      "accepted",
      "accepted",
    ]);
    assert.deepEqual(sent.slice(-3).map((request) => request.runs), [["r1"], ["r2"], ["r1"]]);
    assert.equal((await fanOut.runWith({ plane }, 50)).state.type, "COMPLETED");
    assert.equal((await chain.runWith({ plane }, 20)).state.type, "COMPLETED");
    await plane.flush();
  } finally {
    await plane.close();
    server.close();
  }
  assert.deepEqual(overlaps, []);
  assert.ok(sent.length > 0);
  // A creation and the first proposal of a run are never answered out of order.
  for (const run of server.engine.listRuns({ kind: "task", limit: 100 }).items) {
    const versions = server.engine.events(run.id).map((e) => e.version);
    assert.deepEqual(versions, versions.map((_, i) => i + 1));
  }
});

Deno.test("the remote plane keeps batch requests under maxBatchBytes", async () => {
  const server = testServer();
  const { plane, sent } = recordingPlane(server, { maxBatchBytes: 8_000 });
  await fanOutHundred(server, plane);
  assert.ok(sent.length > 3, `${sent.length} requests`);
  for (const request of sent) assert.ok(request.bytes <= 8_000, `${request.bytes} bytes`);
  const logs = server.engine.logs({ limit: 100 }).map((l) => l.message);
  assert.deepEqual(logs, ["first", "last"]);
});

Deno.test("the remote plane halves a batch the server refuses as too large (413)", async () => {
  const server = testServer({ maxBodyBytes: 10_000 });
  const { plane, sent } = recordingPlane(server, { maxBatchBytes: 1_000_000 });
  await fanOutHundred(server, plane);
  assert.ok(sent.some((request) => request.status === 413), "a batch was refused");
  assert.equal(server.engine.listRuns({ kind: "task", limit: 200 }).items.length, 100);
});
