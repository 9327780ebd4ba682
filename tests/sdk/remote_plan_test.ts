/**
 * A remote plane records a flow's plan once per process: every run of the
 * flow records it before starting, and runs starting together wait for the
 * one request of the first, so 1,000 runs do not cost 1,000 plan requests.
 */
import assert from "node:assert/strict";
import { createRemoteControlPlane } from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { staticChain } from "../testdata/planner/graph_mode_flows.ts";
import { call, testServer } from "../server/_helpers.ts";

Deno.test("runs of one flow through one remote plane record its plan with one request", async () => {
  const server = testServer();
  const planPosts: string[] = [];
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      if (request.method === "POST" && path.endsWith("/plan")) planPosts.push(path);
      return Promise.resolve(server.app.fetch(request));
    },
    results: createMemoryResultStore(),
  });
  try {
    const together = await Promise.all(
      Array.from({ length: 5 }, () => staticChain.runWith({ plane })),
    );
    const after = await staticChain.runWith({ plane });
    for (const outcome of [...together, after]) assert.equal(outcome.state.type, "COMPLETED");
    assert.deepEqual(planPosts, ["/api/flows/staticChain/plan"]);
    const recorded = await call(server.app, "/api/flows/staticChain/plan");
    assert.equal(recorded.status, 200);
    assert.deepEqual(recorded.body.nodes.map((n: { id: string }) => n.id).sort(), [
      "inc#0",
      "inc#1",
    ]);
  } finally {
    await plane.close();
    server.close();
  }
});
