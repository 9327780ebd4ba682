/**
 * `GET/POST /api/flows/:name/plan`: the static plan a flow's runs recorded.
 */
import assert from "node:assert/strict";
import { staticChain } from "../testdata/planner/graph_mode_flows.ts";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

Deno.test("GET /api/flows/:name/plan answers the plan the flow's run recorded", async () => {
  const server = testServer();
  try {
    const outcome = await staticChain.runWith({ plane: server.plane });
    assert.equal(outcome.state.type, "COMPLETED");
    const answer = await call(server.app, "/api/flows/staticChain/plan");
    assert.equal(answer.status, 200);
    assert.equal(answer.body.flowName, "staticChain");
    assert.deepEqual(answer.body.nodes.map((n: { id: string }) => n.id).sort(), ["inc#0", "inc#1"]);
    assert.deepEqual(answer.body.edges, [{ from: "inc#0", to: "inc#1", kind: "data" }]);
    assert.equal(answer.body.forecast.taskCount, 2);
  } finally {
    server.close();
  }
});

Deno.test("GET /api/flows/:name/plan is 404 for a flow with no recorded plan", async () => {
  const server = testServer();
  try {
    assertError(await call(server.app, "/api/flows/nothing/plan"), 404, "not_found");
  } finally {
    server.close();
  }
});

Deno.test("POST /api/flows/:name/plan records a plan; a mismatched or malformed one changes nothing", async () => {
  const server = testServer();
  try {
    const plan = {
      flowName: "etl",
      nodes: [{ id: "extract#0", taskName: "extract", op: "map", fanOut: true }],
      edges: [],
      diagnostics: [],
      dynamic: false,
      forecast: { taskCount: 1, edgeCount: 0, criticalPathLength: 1 },
      fingerprint: "0123456789abcdef",
    };
    const saved = await call(server.app, "/api/flows/etl/plan", { body: plan });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(
      (await call(server.app, "/api/flows/etl/plan")).body.fingerprint,
      plan.fingerprint,
    );
    const before = snapshot(server.engine);
    assertError(
      await call(server.app, "/api/flows/other/plan", { body: plan }),
      400,
      "bad_request",
    );
    const { nodes: _nodes, ...withoutNodes } = plan;
    const malformed = await call(server.app, "/api/flows/etl/plan", { body: withoutNodes });
    assert.equal(malformed.status, 400);
    assert.deepEqual(snapshot(server.engine), before);
    assert.equal((await call(server.app, "/api/flows/other/plan")).status, 404);
  } finally {
    server.close();
  }
});
