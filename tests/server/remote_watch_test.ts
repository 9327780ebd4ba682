import assert from "node:assert/strict";
import { cancelFlowRun } from "../../engine/mod.ts";
import { createRemoteControlPlane, flow, getRunContext } from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { testServer } from "./_helpers.ts";

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

Deno.test("remote flow runs of one process share one event stream, and a cancel reaches each", async () => {
  const server = testServer({ heartbeatMs: 60_000 });
  const streams: string[] = [];
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => {
      const request = new Request(input, init);
      if (request.headers.get("accept") === "text/event-stream") streams.push(request.url);
      return Promise.resolve(server.app.fetch(request));
    },
    results: createMemoryResultStore(),
  });
  const started: string[] = [];
  const wait = flow({ name: "wait" }, async () => {
    started.push(getRunContext().flowRun.id);
    await untilAborted(getRunContext().signal);
  });
  try {
    const outcomes = Array.from({ length: 20 }, () => wait.runWith({ plane }));
    for (let i = 0; i < 200 && started.length < 20; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.equal(started.length, 20);
    // The feed subscribes the turn's runs, then streams; cancels reach the runs through it.
    for (let i = 0; i < 200 && streams.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const runId of started) await cancelFlowRun(server.engine, runId);
    const states = (await Promise.all(outcomes)).map((outcome) => outcome.state.type);
    assert.deepEqual(states, started.map(() => "CANCELLED"));
    assert.equal(streams.length, 1, `one stream for 20 runs, got ${streams.join(", ")}`);
    assert.match(streams[0]!, /\/api\/stream\/subscriptions\/[^/]+\/events$/);
  } finally {
    await plane.close();
  }
});
