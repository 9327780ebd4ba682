/**
 * The remote control plane keeps large results on the server, through
 * `/api/results/{ref}`, with the app's handler as its fetch.
 */
import assert from "node:assert/strict";
import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../../engine/mod.ts";
import { createApp } from "../../server/mod.ts";
import { createRemoteControlPlane, flow, retryFlowRun, task } from "../../sdk/mod.ts";
import { createMemoryResultStore, resultRef, storedResultOf } from "../../sdk/results.ts";
import { T0 } from "./_helpers.ts";

/** An app with a result store, and what crossed its wire. */
function resultServer(options: { results?: boolean } = {}) {
  const clock = new FakeClock(T0);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  const results = createMemoryResultStore(() => clock.now());
  const app = createApp({ engine, clock, ...(options.results === false ? {} : { results }) });
  const requests: string[] = [];
  let failNextPut = 0;
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname;
    requests.push(`${request.method} ${path.startsWith("/api/results/") ? "/api/results" : path}`);
    if (request.method === "PUT" && failNextPut > 0) {
      failNextPut -= 1;
      return Promise.reject(new TypeError("connection reset"));
    }
    return Promise.resolve(app.fetch(request));
  };
  return {
    engine,
    results,
    requests,
    fetch,
    failPuts: (count: number) => (failNextPut = count),
  };
}

/** A timer whose sleeps return at once and are recorded. */
function instantTimer(sleeps: number[]) {
  return {
    now: () => T0,
    sleep(ms: number) {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
}

const BIG = 70 * 1024;
let bigCalls = 0;
let reportFails = true;
const produce = task({ name: "produce" }, (n: number) => {
  bigCalls += 1;
  return "r".repeat(BIG) + n;
});
const small = task({ name: "small" }, (n: number) => n + 1);
const report = task({ name: "report" }, (text: string) => {
  if (reportFails) throw new Error("report is down");
  return text.length;
});
const bigFlow = flow(
  { name: "big-results", persistResult: true },
  async (n: number) => await report(await produce(await small(n))),
);

Deno.test("a large task result goes to the server's result store; small ones stay inline", async () => {
  const server = resultServer();
  const sleeps: number[] = [];
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: server.fetch,
    timer: instantTimer(sleeps),
    random: () => 0.5,
    resultCache: createMemoryResultStore(),
  });
  try {
    reportFails = false;
    server.failPuts(2);
    const outcome = await bigFlow.runWith({ plane }, 1);
    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(outcome.result, BIG + 1);
  } finally {
    await plane.close();
  }
  const tasks = server.engine.listRuns({ kind: "task", limit: 10 }).items;
  const resultOf = (name: string) => {
    const run = tasks.find((t) => t.name === name)!;
    return storedResultOf(server.engine.events(run.id).at(-1)!.data)!;
  };
  assert.equal(resultOf("small").kind, "inline");
  const big = resultOf("produce");
  assert.equal(big.kind, "ref");
  const bytes = await server.results.get((big as { ref: string }).ref);
  assert.equal(new TextDecoder().decode(bytes), JSON.stringify("r".repeat(BIG) + 2));
  // One upload, tried three times: two network errors, retried with backoff.
  assert.deepEqual(server.requests.filter((r) => r.includes("/api/results")), [
    "PUT /api/results",
    "PUT /api/results",
    "PUT /api/results",
  ]);
  // Backoff from 100 ms, doubling, with half of each delay jittered (here at its middle).
  assert.deepEqual(sleeps, [75, 150]);
});

Deno.test("a retry with an empty result cache downloads the large result instead of running the task", async () => {
  const server = resultServer();
  const first = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: server.fetch,
    resultCache: createMemoryResultStore(),
  });
  reportFails = true;
  bigCalls = 0;
  let failed;
  try {
    failed = await bigFlow.runWith({ plane: first }, 5);
    assert.equal(failed.state.type, "FAILED");
  } finally {
    await first.close();
  }
  const elsewhere = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: server.fetch,
    resultCache: createMemoryResultStore(),
  });
  try {
    reportFails = false;
    server.requests.length = 0;
    const second = await retryFlowRun(failed.runId, { plane: elsewhere });
    assert.equal(second.state.type, "COMPLETED");
    assert.equal(second.result, BIG + 1);
    assert.equal(bigCalls, 1, "produce ran once, in the first attempt");
    assert.ok(server.requests.includes("GET /api/results"));
    const tasks = server.engine.listRuns({ kind: "task", parentId: second.runId }).items;
    assert.deepEqual(tasks.map((t) => `${t.name}:${t.stateName}`).sort(), [
      "produce:Cached",
      "report:Completed",
      "small:Cached",
    ]);
  } finally {
    await elsewhere.close();
  }
});

Deno.test("against a server without a result store, large results stay local with one warning", async () => {
  const server = resultServer({ results: false });
  const cache = createMemoryResultStore();
  const sleeps: number[] = [];
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: server.fetch,
    timer: instantTimer(sleeps),
    resultCache: cache,
  });
  const warnings: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => warnings.push(args.join(" "));
  try {
    reportFails = false;
    const outcome = await bigFlow.runWith({ plane }, 7);
    assert.equal(outcome.state.type, "COMPLETED");
    await bigFlow.runWith({ plane }, 8);
  } finally {
    console.error = error;
    await plane.close();
  }
  assert.equal(warnings.filter((w) => w.includes("the server stores no results")).length, 1);
  assert.equal(server.requests.filter((r) => r.startsWith("PUT /api/results")).length, 1);
  assert.deepEqual(sleeps, [], "501 is not retried");
  const text = JSON.stringify("r".repeat(BIG) + 8);
  assert.ok(await cache.get(await resultRef(new TextEncoder().encode(text))));
});
