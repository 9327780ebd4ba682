import assert from "node:assert/strict";
import {
  createSqliteStore,
  InvalidArgumentError,
  InvalidCursorError,
  ScheduleError,
} from "../../engine/mod.ts";
import { describeError } from "../../server/errors.ts";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

async function withRunningRun(options: { maxBodyBytes?: number } = {}) {
  const server = testServer(options);
  const run = await server.engine.createFlowRun({ name: "etl" });
  await server.engine.propose(run.id, { to: "RUNNING", token: "start", kind: "start" });
  return { ...server, run };
}

Deno.test("malformed JSON answers 400 malformed_json and changes nothing", async (t) => {
  const { app, engine, run } = await withRunningRun();
  const before = snapshot(engine);
  const routes = [
    "/api/runs/batch",
    "/api/transitions",
    "/api/logs",
    `/api/flow-runs/${run.id}/pause`,
    `/api/flow-runs/${run.id}/cancel`,
    "/api/concurrency-limits",
    "/api/artifacts",
  ];
  for (const route of routes) {
    await t.step(route, async () => {
      const answer = await call(app, route, { method: "POST", raw: '{"runs": [' });
      assertError(answer, 400, "malformed_json");
      assert.equal(typeof answer.body.error.details.reason, "string");
    });
  }
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("unknown fields and wrong types answer 400 with the path and message of each problem", async () => {
  const { app, engine, run } = await withRunningRun();
  const before = snapshot(engine);
  const unknown = await call(app, `/api/flow-runs/${run.id}/pause`, {
    body: { mode: "drain", force: true },
  });
  assertError(unknown, 400, "invalid_request");
  assert.deepEqual(unknown.body.error.details, [{
    path: "",
    message: 'has unknown field "force"',
  }]);
  const wrong = await call(app, "/api/transitions", {
    body: { proposals: [{ run_id: run.id, to: "DONE", token: "x", kind: 1 }] },
  });
  assertError(wrong, 400, "invalid_request");
  assert.deepEqual(wrong.body.error.details.map((d: { path: string }) => d.path), [
    "proposals[0].to",
    "proposals[0].kind",
  ]);
  const notObject = await call(app, "/api/transitions", { body: [1, 2] });
  assertError(notObject, 400, "invalid_request");
  const empty = await call(app, "/api/transitions", { method: "POST" });
  assertError(empty, 400, "invalid_request");
  const bodyOnGetless = await call(app, `/api/flow-runs/${run.id}/resume`, { body: { a: 1 } });
  assertError(bodyOnGetless, 400, "invalid_request");
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("unknown ids answer 404 and illegal transitions 409, changing nothing", async () => {
  const { app, engine, run } = await withRunningRun();
  await engine.propose(run.id, { to: "COMPLETED", token: "done", kind: "complete" });
  const before = snapshot(engine);
  for (const path of ["/api/flow-runs/ghost", "/api/task-runs/ghost", "/api/runs/ghost"]) {
    const answer = await call(app, path);
    assert.equal(answer.status, 404);
    assert.match(answer.body.error.code, /not_found$/);
  }
  assertError(
    await call(app, "/api/flow-runs/ghost/cancel", { method: "POST" }),
    404,
    "flow_run_not_found",
  );
  assertError(
    await call(app, `/api/flow-runs/${run.id}/pause`, { body: { mode: "drain" } }),
    409,
    "invalid_transition",
  );
  assertError(
    await call(app, `/api/flow-runs/${run.id}/resume`, { method: "POST" }),
    409,
    "invalid_transition",
  );
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("bodies over maxBodyBytes answer 413 before anything is read or stored", async () => {
  const { app, engine, run } = await withRunningRun({ maxBodyBytes: 1024 });
  const before = snapshot(engine);
  const line = {
    flow_run_id: run.id,
    task_run_id: null,
    level: 20,
    name: "x",
    message: "y".repeat(2000),
    at: "2024-01-01T00:00:00Z",
  };
  const answer = await call(app, "/api/logs", { body: { logs: [line] } });
  assertError(answer, 413, "payload_too_large");
  assert.deepEqual(answer.body.error.details, { max_bytes: 1024 });
  // A streamed body without Content-Length is counted as it arrives.
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("x".repeat(400)));
      controller.close();
    },
  });
  const streamed = await app.request("/api/logs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stream,
  });
  assert.equal(streamed.status, 413);
  assert.equal((await streamed.json()).error.code, "payload_too_large");
  await engine.flush();
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("unknown /api routes answer JSON 404; other paths fall through to the pages", async () => {
  const { app } = testServer();
  assertError(await call(app, "/api/nothing"), 404, "route_not_found");
  assertError(await call(app, "/api/flow-runs", { method: "DELETE" }), 404, "route_not_found");
  const page = await app.request("/no-such-page");
  assert.equal(page.status, 404);
  await page.body?.cancel();
});

Deno.test("a failure inside a handler answers 500 internal_error without leaking details", async () => {
  // SQLite: a closed store fails every call, as a broken disk would.
  const store = createSqliteStore(":memory:");
  const { app } = testServer({ store });
  store.close();
  const original = console.error;
  const logged: unknown[] = [];
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const answer = await call(app, "/api/flow-runs");
    assertError(answer, 500, "internal_error");
    assert.equal(answer.body.error.message, "Internal server error");
    assert.equal(logged.length, 1);
    const health = await call(app, "/health");
    assert.equal(health.status, 503);
    assert.equal(health.body.status, "error");
  } finally {
    console.error = original;
  }
});

Deno.test("describeError() refuses bad arguments with 400 and answers a stray TypeError or RangeError with 500", async (t) => {
  const cases: Array<[Error, number, string]> = [
    [new InvalidArgumentError("Page size 0 must be an integer from 1 to 1000"), 400, "bad_request"],
    [new InvalidCursorError('Cursor "x" is malformed'), 400, "invalid_cursor"],
    [new ScheduleError('Unknown time zone "Mars/Olympus"'), 400, "bad_request"],
    [new TypeError("Cannot read properties of undefined (reading 'id')"), 500, "internal_error"],
    [new RangeError("Invalid array length"), 500, "internal_error"],
  ];
  for (const [error, status, code] of cases) {
    await t.step(`${error.name}: ${status} ${code}`, () => {
      const answer = describeError(error);
      assert.equal(answer.status, status);
      assert.equal(answer.body.error.code, code);
    });
  }
});
