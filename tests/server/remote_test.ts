import assert from "node:assert/strict";
import { createMemoryStore, type Store } from "../../engine/mod.ts";
import { type ApiNewRun, type ApiRun } from "../../wire/mod.ts";
import { createRemoteControlPlane } from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { assertError, call, etl, snapshot, testServer } from "./_helpers.ts";

Deno.test("POST /api/runs/batch creates runs in order and is idempotent for caller-given ids", async () => {
  const { app, engine } = testServer();
  const runs: ApiNewRun[] = [
    { id: "f1", kind: "flow", name: "etl", parameters: { n: 1 }, tags: ["a"] },
    {
      id: "t1",
      kind: "task",
      name: "load",
      flow_name: "etl",
      parent_id: "f1",
      root_id: "f1",
      task_key: "load#0",
      map_index: null,
      upstream: [{ runId: "f1", kind: "waitFor" }],
      expected_start_time: "2024-01-01T00:00:00.000Z",
    },
  ];
  const answer = await call(app, "/api/runs/batch", { body: { runs } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body.runs.map((r: ApiRun) => [r.id, r.kind, r.state]), [
    ["f1", "flow", "PENDING"],
    ["t1", "task", "PENDING"],
  ]);
  assert.equal(answer.body.runs[1].expected_start_time, "2024-01-01T00:00:00.000Z");
  const again = await call(app, "/api/runs/batch", { body: { runs } });
  assert.deepEqual(again.body, answer.body);
  assert.equal(engine.summary().events, 2);
});

Deno.test("POST /api/runs/batch rejects invalid runs as a whole and creates nothing", async (t) => {
  const { app, engine } = testServer();
  const bad: Array<[string, unknown]> = [
    ["not a list", { runs: {} }],
    ["missing kind", { runs: [{ name: "x" }] }],
    ["unknown kind", { runs: [{ kind: "job", name: "x" }] }],
    ["empty name", { runs: [{ kind: "flow", name: "" }] }],
    ["unknown state", { runs: [{ kind: "flow", name: "x", state: "DONE" }] }],
    ["unknown field", { runs: [{ kind: "flow", name: "x", colour: "red" }] }],
    ["bad time", { runs: [{ kind: "flow", name: "x", expected_start_time: "soon" }] }],
    ["too deep", { runs: [{ kind: "flow", name: "x", depth: 99 }] }],
    ["one bad among good", { runs: [{ kind: "flow", name: "ok" }, { kind: "flow", name: 3 }] }],
    ["unknown top-level field", { runs: [], more: true }],
  ];
  for (const [label, body] of bad) {
    await t.step(label, async () => {
      assertError(await call(app, "/api/runs/batch", { body }), 400, "invalid_request");
    });
  }
  const detailed = await call(app, "/api/runs/batch", { body: bad[8]![1] });
  assert.deepEqual(detailed.body.error.details, [
    { path: "runs[1].name", message: "Invalid input: expected string, received number" },
  ]);
  assert.equal(engine.summary().events, 0);
});

Deno.test("POST /api/transitions answers each proposal in order, with an error item for unknown runs", async () => {
  const { app, engine } = testServer();
  const run = await engine.createFlowRun({ name: "etl" });
  const answer = await call(app, "/api/transitions", {
    body: {
      proposals: [
        { run_id: run.id, to: "RUNNING", token: "t1", kind: "start" },
        { run_id: "ghost", to: "RUNNING", token: "t2", kind: "start" },
        { run_id: run.id, to: "RUNNING", token: "t1", kind: "start" },
        { run_id: run.id, to: "PENDING", token: "t3", kind: "odd" },
        { run_id: run.id, to: "COMPLETED", token: "t4", kind: "complete", expected_version: 1 },
        { run_id: run.id, to: "COMPLETED", token: "t5", kind: "complete", data: { message: "ok" } },
      ],
    },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const results = answer.body.results;
  assert.equal(results.length, 6);
  assert.equal(results[0].status, "accepted");
  assert.equal(results[0].state, "RUNNING");
  assert.equal(typeof results[0].seq, "number");
  assert.equal(results[1].error.code, "run_not_found");
  assert.equal(results[2].status, "duplicate");
  assert.equal(results[3].status, "rejected");
  assert.match(results[3].reason, /^invalid_transition/);
  assert.equal(results[4].status, "rejected");
  assert.match(results[4].reason, /^version_conflict/);
  assert.equal(results[5].status, "accepted");
  assert.equal(engine.getRun(run.id)!.message, "ok");
});

Deno.test("POST /api/transitions rejects a malformed batch whole and changes nothing", async () => {
  const { app, engine } = testServer();
  const run = await engine.createFlowRun({ name: "etl" });
  const before = snapshot(engine);
  const answer = await call(app, "/api/transitions", {
    body: {
      proposals: [
        { run_id: run.id, to: "RUNNING", token: "t1", kind: "start" },
        { run_id: run.id, to: "RUNNING", token: 7, kind: "start" },
      ],
    },
  });
  assertError(answer, 400, "invalid_request");
  assert.equal(answer.body.error.details[0].path, "proposals[1].token");
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("GET /api/runs/:id answers flow and task runs, or 404", async () => {
  const { app, engine } = testServer();
  const flow = await engine.createFlowRun({ name: "etl" });
  const task = await engine.createTaskRun({ name: "t", parentId: flow.id });
  assert.equal((await call(app, `/api/runs/${flow.id}`)).body.kind, "flow");
  assert.equal((await call(app, `/api/runs/${task.id}`)).body.kind, "task");
  assertError(await call(app, "/api/runs/nope"), 404, "run_not_found");
});

Deno.test("POST /api/logs accepts log lines for existing flow runs (202) and refuses unknown ones", async () => {
  const { app, engine } = testServer();
  const run = await engine.createFlowRun({ name: "etl" });
  const line = {
    flow_run_id: run.id,
    task_run_id: null,
    level: 20,
    name: "ironflow.flow",
    message: "hello",
    at: "2024-01-01T00:00:00.000Z",
  };
  const answer = await call(app, "/api/logs", { body: { logs: [line, { ...line, level: 40 }] } });
  assert.equal(answer.status, 202);
  assert.deepEqual(answer.body, { accepted: 2 });
  await engine.flush();
  assert.deepEqual(engine.logs({ flowRunId: run.id }).map((l) => l.level), [20, 40]);

  const before = snapshot(engine);
  assertError(
    await call(app, "/api/logs", { body: { logs: [line, { ...line, flow_run_id: "ghost" }] } }),
    404,
    "flow_run_not_found",
  );
  assertError(
    await call(app, "/api/logs", { body: { logs: [{ ...line, level: "INFO" }] } }),
    400,
    "invalid_request",
  );
  assertError(
    await call(app, "/api/logs", { body: { logs: [{ ...line, at: "now" }] } }),
    400,
    "invalid_request",
  );
  await engine.flush();
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("a flow run through the SDK's remote control plane yields the same history as in-process", async () => {
  const local = testServer();
  const inProcess = await etl.runWith({ plane: local.plane }, [1, 2, 3]);

  const remote = testServer({ heartbeatMs: 50 });
  const plane = createRemoteControlPlane({
    url: "http://localhost:4200",
    fetch: (input, init) => Promise.resolve(remote.app.fetch(new Request(input, init))),
    results: createMemoryResultStore(),
  });
  try {
    const outcome = await etl.runWith({ plane }, [1, 2, 3]);
    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(outcome.result, inProcess.result);
  } finally {
    await plane.close();
  }
  const history = (server: ReturnType<typeof testServer>) =>
    server.engine.events().map((e) => {
      const run = server.engine.getRun(e.runId)!;
      return `${run.kind}:${run.name}${
        run.mapIndex === null ? "" : `[${run.mapIndex}]`
      } ${e.from}>${e.to}`;
    }).sort();
  assert.deepEqual(history(remote), history(local));
  remote.close();
});

/** A memory store that counts its write transactions. */
function countingStore(): { store: Store; writes: () => number } {
  const store = createMemoryStore();
  let writes = 0;
  const counted = new Proxy(store, {
    get(target, key) {
      if (key === "write") {
        return (fn: Parameters<Store["write"]>[0]) => {
          writes += 1;
          return target.write(fn);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: counted, writes: () => writes };
}

Deno.test("POST /api/batch creates, proposes and logs in one engine transaction, answering each item in order", async () => {
  const { store, writes } = countingStore();
  const { app, engine } = testServer({ store });
  const flowRun = await engine.createFlowRun({ id: "f1", name: "etl" });
  const before = writes();
  const line = {
    flow_run_id: flowRun.id,
    task_run_id: null,
    level: 20,
    name: "ironflow.flow",
    message: "hello",
    at: "2024-01-01T00:00:00.000Z",
  };
  const answer = await call(app, "/api/batch", {
    body: {
      runs: [
        { id: "t1", kind: "task", name: "load", parent_id: "f1", root_id: "f1" },
        { id: "f1", kind: "flow", name: "etl" },
      ],
      proposals: [
        { run_id: "f1", to: "RUNNING", token: "p1", kind: "start" },
        { run_id: "ghost", to: "RUNNING", token: "p2", kind: "start" },
        { run_id: "f1", to: "RUNNING", token: "p1", kind: "start" },
        { run_id: "f1", to: "PENDING", token: "p3", kind: "odd" },
      ],
      logs: [line, { ...line, flow_run_id: "ghost" }, { ...line, message: "again" }],
    },
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(writes() - before, 1, "one transaction for the whole request");
  const { runs, results, logs } = answer.body;
  assert.deepEqual(runs.map((r: ApiRun) => [r.id, r.kind, r.state]), [
    ["t1", "task", "PENDING"],
    ["f1", "flow", "PENDING"],
  ]);
  assert.deepEqual(results.map((r: { status?: string }) => r.status), [
    "accepted",
    undefined,
    "duplicate",
    "rejected",
  ]);
  assert.deepEqual(results[1].error, {
    code: "run_not_found",
    message: results[1].error.message,
    status: 404,
  });
  assert.deepEqual(logs, {
    accepted: 2,
    rejected: [{
      index: 1,
      error: {
        code: "flow_run_not_found",
        message: 'Flow run "ghost" does not exist',
        status: 404,
      },
    }],
  });
  assert.deepEqual(engine.logs({ flowRunId: "f1" }).map((l) => l.message), ["hello", "again"]);
  assert.equal(engine.getRun("t1")!.parentId, "f1");
});

Deno.test("POST /api/batch rejects a malformed batch whole and changes nothing", async (t) => {
  const { app, engine } = testServer();
  await engine.createFlowRun({ id: "f1", name: "etl" });
  const before = snapshot(engine);
  const good = { run_id: "f1", to: "RUNNING", token: "p1", kind: "start" };
  const bad: Array<[string, unknown, string]> = [
    ["bad proposal among good", { proposals: [good, { ...good, token: 7 }] }, "proposals[1].token"],
    ["unknown field", { runs: [{ kind: "flow", name: "x", colour: "red" }] }, "runs[0]"],
    ["bad log time", {
      proposals: [good],
      logs: [{
        flow_run_id: "f1",
        task_run_id: null,
        level: 20,
        name: "n",
        message: "m",
        at: "now",
      }],
    }, "logs[0].at"],
    ["unknown list", { proposals: [good], events: [] }, ""],
    ["missing data value", { proposals: [{ ...good, data: { a: undefined } }] }, ""],
  ];
  for (const [label, body, path] of bad) {
    await t.step(label, async () => {
      const answer = await call(app, "/api/batch", { body });
      if (label === "missing data value") {
        // JSON has no undefined: the key is dropped and the proposal is fine.
        assert.equal(answer.status, 200);
        return;
      }
      assertError(answer, 400, "invalid_request");
      assert.equal(answer.body.error.details[0].path, path);
    });
  }
  await engine.flush();
  const after = snapshot(engine);
  assert.equal(after.summary.events, before.summary.events + 1, "only the valid batch applied");
  assert.equal(after.logs, before.logs);
});
