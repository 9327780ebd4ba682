import assert from "node:assert/strict";
import { assertError, call, seedFlows, testServer } from "./_helpers.ts";

Deno.test("GET /health answers ok with the store's schema version and last seq", async () => {
  const { app, engine } = testServer();
  await engine.createFlowRun({ name: "etl" });
  const health = await call(app, "/health");
  assert.equal(health.status, 200);
  assert.equal(health.body.status, "ok");
  assert.equal(health.body.last_seq, 1);
  assert.equal(health.body.schema_version, engine.reader.schemaVersion);
  assert.match(health.body.time, /Z$/);
});

Deno.test("GET /metrics renders runs by state, transitions, queue depth and request latency", async () => {
  const server = testServer();
  await seedFlows(server);
  await server.engine.createFlowRun({ name: "queued", state: "SCHEDULED" });
  await server.engine.createFlowRun({ name: "queued" });
  await call(server.app, "/api/flow-runs");
  await call(server.app, "/api/flow-runs/nope");
  const res = await server.app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const value = (series: string) => {
    const line = text.split("\n").find((l) => l.startsWith(`${series} `));
    assert.ok(line, `missing ${series}`);
    return Number(line.slice(series.length + 1));
  };
  const summary = server.engine.summary();
  assert.equal(value('ironflow_flow_runs{state="COMPLETED"}'), summary.flowRunsByState.COMPLETED);
  assert.equal(value('ironflow_flow_runs{state="FAILED"}'), 1);
  assert.equal(value('ironflow_flow_runs{state="CRASHED"}'), 0);
  assert.equal(value('ironflow_task_runs{state="COMPLETED"}'), summary.taskRunsByState.COMPLETED);
  assert.equal(value("ironflow_flow_run_queue_depth"), 2);
  assert.equal(value("ironflow_events_total"), server.engine.reader.lastSeq());
  const transitions = server.engine.events().filter((e) => e.from !== null).length;
  assert.equal(value("ironflow_transitions_total"), transitions);
  assert.equal(value("ironflow_transitions_per_second"), transitions / 10);
  server.clock.tick(60_000);
  const later = await (await server.app.request("/metrics")).text();
  assert.match(later, /^ironflow_transitions_per_second 0$/m);
  assert.equal(
    value('ironflow_http_requests_total{method="GET",route="/api/flow-runs",status="200"}'),
    1,
  );
  assert.equal(
    value('ironflow_http_requests_total{method="GET",route="/api/flow-runs/:id",status="404"}'),
    1,
  );
  assert.equal(
    value('ironflow_http_request_duration_seconds_count{method="GET",route="/api/flow-runs"}'),
    1,
  );
  assert.match(
    text,
    /ironflow_http_request_duration_seconds_bucket\{method="GET",route="\/api\/flow-runs",le="\+Inf"\} 1/,
  );
});

Deno.test("GET /api/openapi.json documents every route with its parameters and schemas", async () => {
  const { app } = testServer();
  const answer = await call(app, "/api/openapi.json");
  assert.equal(answer.status, 200);
  const doc = answer.body;
  assert.equal(doc.openapi, "3.1.0");
  const documented = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths as Record<string, object>)) {
    for (const method of Object.keys(methods)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  // Every route the app serves (the dashboard's pages aside) is in the document.
  const served = app.routes
    .filter((r) =>
      r.method !== "ALL" &&
      (r.path.startsWith("/api") || r.path === "/health" || r.path === "/metrics")
    )
    .map((r) => `${r.method} ${r.path.replaceAll(/:(\w+)/g, "{$1}")}`);
  assert.ok(served.length >= 30, `only ${served.length} routes`);
  for (const route of served) assert.ok(documented.has(route), `${route} is not documented`);

  const list = doc.paths["/api/flow-runs"].get;
  const names = list.parameters.map((p: { name: string }) => p.name);
  for (
    const name of [
      "state",
      "flow_name",
      "deployment_id",
      "q",
      "tags",
      "created_after",
      "created_before",
      "sort",
      "order",
      "limit",
      "cursor",
    ]
  ) {
    assert.ok(names.includes(name), `missing parameter ${name}`);
  }
  assert.deepEqual(
    list.parameters.find((p: { name: string }) => p.name === "sort").schema.enum,
    ["created", "updated", "start", "end", "name", "state", "duration"],
  );
  const pause = doc.paths["/api/flow-runs/{id}/pause"].post;
  assert.equal(pause.requestBody.required, true);
  assert.deepEqual(pause.requestBody.content["application/json"].schema.required, ["mode"]);
  assert.equal(pause.parameters[0].in, "path");
  assert.ok(doc.components.schemas.Run);
  assert.ok(doc.components.schemas.Error);
  // Every $ref resolves inside the document.
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  for (const ref of new Set(refs)) {
    const name = ref.slice(8, -1).replace("#/components/schemas/", "");
    assert.ok(doc.components.schemas[name], `dangling ${ref}`);
  }
});

Deno.test("GET /api/docs renders the routes as an HTML table without scripts", async () => {
  const { app } = testServer();
  const res = await app.request("/api/docs");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  const html = await res.text();
  assert.match(html, /<table>/);
  assert.match(html, /\/api\/flow-runs\/\{id\}\/dag/);
  assert.match(html, /\/api\/stream\/events/);
  assert.doesNotMatch(html, /<script/);
  assert.doesNotMatch(html, /https?:\/\/(?!127)/);
  assertError(await call(app, "/api/docs?x=1"), 400, "invalid_request");
});
