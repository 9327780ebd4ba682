import assert from "node:assert/strict";
import { createMemoryStore, createSqliteStore, type Store } from "../../engine/mod.ts";
import { encodePathPart, flowHref, workPoolHref } from "../../ui/mod.ts";
import { flow, task } from "../../sdk/mod.ts";
import { assertError, call, seedFlows, snapshot, type TestServer, testServer } from "./_helpers.ts";

/** Runs `fn` as one step per store adapter: memory, then SQLite in a temporary folder. */
async function onEachStore(t: Deno.TestContext, fn: (s: TestServer) => Promise<void>) {
  for (const kind of ["memory", "sqlite"] as const) {
    await t.step(kind, async () => {
      const dir = await Deno.makeTempDir({ prefix: "ironflow_bad_input_" });
      const store: Store = kind === "memory"
        ? createMemoryStore()
        : createSqliteStore(`${dir}/ironflow.db`);
      const server = testServer({ store });
      try {
        await fn(server);
      } finally {
        server.close();
        await server.engine.close();
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}

async function assertPage(s: TestServer, path: string): Promise<void> {
  const res = await s.app.request(path);
  const text = await res.text();
  assert.ok(res.status < 500, `${path} answered ${res.status}: ${text.slice(0, 200)}`);
}

Deno.test("link builders never throw, also for a lone surrogate", () => {
  assert.equal(flowHref("a/b"), "/flows/a%2Fb");
  assert.equal(workPoolHref("\ud800x"), "/work-pools/%EF%BF%BDx");
  assert.equal(encodePathPart("データ"), encodeURIComponent("データ"));
});

Deno.test("names with a lone surrogate or NUL are refused where they enter", async (t) => {
  await onEachStore(t, async (s) => {
    await seedFlows(s);
    const before = snapshot(s.engine);
    const cases: [string, string, string][] = [
      ["/api/flows/etl/rename", "POST", '{"name":"\\ud800"}'],
      ["/api/flows/etl/rename", "POST", '{"name":"a\\u0000b"}'],
      ["/api/workers/w1/heartbeat", "POST", '{"work_pool":"\\udc00pool"}'],
      ["/api/deployments", "POST", '{"name":"d","entrypoint":"./a.ts:f","flow_name":"\\ud800"}'],
      ["/api/work-pools", "POST", '{"name":"p","description":"\\ud800"}'],
      ["/api/flow-runs/x/cancel", "POST", '{"\\ud800":1}'],
    ];
    for (const [path, method, raw] of cases) {
      assertError(await call(s.app, path, { method, raw }), 400, "invalid_unicode");
    }
    assertError(
      await call(s.app, "/api/workers/a%00b/heartbeat", { body: {} }),
      400,
      "invalid_unicode",
    );
    assertError(await call(s.app, "/api/flow-runs?q=%00"), 400, "invalid_unicode");
    assert.deepEqual(snapshot(s.engine), before);
    for (const page of ["/", "/flows", "/deployments", "/work-pools"]) await assertPage(s, page);
  });
});

Deno.test("pages whose data holds a lone surrogate still render", async () => {
  const s = testServer();
  await seedFlows(s);
  // As an older database may hold it: written past the HTTP checks.
  const { heartbeat } = await import("../../engine/deployments/mod.ts");
  await heartbeat(s.engine, { id: "w1", name: "w1", pool: "\ud800pool" });
  await s.engine.flush();
  for (const page of ["/", "/flows", "/deployments", "/work-pools"]) await assertPage(s, page);
  s.close();
});

Deno.test("cursors page through names and ids in any script; a bad cursor is invalid_cursor", async (t) => {
  await onEachStore(t, async (s) => {
    const step = task({ name: "データ処理" }, async (x: number) => await Promise.resolve(x));
    const pipeline = flow({ name: "流れ" }, async () => {
      await Promise.all(step.map([1, 2, 3]));
    });
    const run = await pipeline.runWith({ plane: s.plane });
    await s.engine.flush();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `sort=name&limit=1${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
      }`;
      const page = await call(s.app, `/api/flow-runs/${run.runId}/task-runs?${query}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    assert.equal(seen.length, 3);
    const flows = await call(s.app, "/api/flow-runs?sort=name&limit=1");
    assert.equal(flows.status, 200);
    assert.ok(flows.body.next_cursor === null || /^[\w-]+$/.test(flows.body.next_cursor));
    for (const bad of ["%%%", "Zm9v", "\u00e9t\u00e9", "W10"]) {
      const answer = await call(s.app, `/api/flow-runs?cursor=${encodeURIComponent(bad)}`);
      assertError(answer, 400, "invalid_cursor");
    }
    await assertPage(s, "/?cursor=garbage");
  });
});

Deno.test("remote run creation refuses dangling tree references", async (t) => {
  await onEachStore(t, async (s) => {
    const { etlId } = await seedFlows(s);
    const before = snapshot(s.engine);
    const bad: unknown[] = [
      { kind: "task", name: "t", parent_task_run_id: etlId },
      { kind: "flow", name: "f", root_id: "elsewhere" },
      { kind: "flow", name: "f", parent_id: "missing" },
      { kind: "task", name: "t", parent_id: etlId, root_id: "other" },
      { kind: "task", name: "t", parent_id: etlId, parent_task_run_id: etlId },
    ];
    for (const run of bad) {
      assertError(
        await call(s.app, "/api/runs/batch", { body: { runs: [run] } }),
        400,
        "invalid_run_reference",
      );
      const batch = await call(s.app, "/api/batch", { body: { runs: [run] } });
      assert.equal(batch.status, 200);
      assert.equal(batch.body.runs[0].error.code, "invalid_run_reference");
    }
    assert.deepEqual(snapshot(s.engine).summary, before.summary);
    const ok = await call(s.app, "/api/runs/batch", {
      body: { runs: [{ kind: "task", name: "t", parent_id: etlId, root_id: null }] },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.runs[0].root_id, etlId);
    // A task run of no flow (task.delay(), a task called outside a flow) is its own root.
    const root = await call(s.app, "/api/runs/batch", {
      body: { runs: [{ id: "root-task", kind: "task", name: "t", root_id: null }] },
    });
    assert.equal(root.status, 200, JSON.stringify(root.body));
    assert.equal(root.body.runs[0].root_id, "root-task");
    await assertPage(s, "/");
    await assertPage(s, `/runs/${etlId}`);
    await assertPage(s, "/runs/root-task");
  });
});

Deno.test("deeply nested JSON is refused; readers and export tolerate what a database holds", async (t) => {
  await onEachStore(t, async (s) => {
    const created = await call(s.app, "/api/runs/batch", {
      body: { runs: [{ id: "deep-run", kind: "flow", name: "deep" }] },
    });
    assert.equal(created.status, 200);
    const deep = "[".repeat(8000) + "]".repeat(8000);
    const raw = `{"proposals":[{"run_id":"deep-run","to":"RUNNING","token":"t1","kind":"start",` +
      `"data":{"a":${deep}}}]}`;
    assertError(await call(s.app, "/api/transitions", { raw }), 400, "json_too_deep");
    assertError(
      await call(s.app, "/api/runs/batch", {
        raw: `{"runs":[{"kind":"flow","name":"x","parameters":${deep}}]}`,
      }),
      400,
      "json_too_deep",
    );
    // What an older server accepted: written through the engine directly.
    let value: unknown = 1;
    for (let i = 0; i < 8000; i++) value = [value];
    const result = await s.engine.propose("deep-run", {
      to: "RUNNING",
      token: "t2",
      kind: "start",
      data: { a: value as never },
    });
    assert.equal(result.status, "accepted");
    await s.engine.flush();
    const events = await call(s.app, "/api/flow-runs/deep-run/events");
    assert.equal(events.status, 200);
    assert.equal(events.body.items.length, 2);
    const lines = [...s.engine.exportEvents()];
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.includes("[".repeat(8000)));
    const res = await s.app.request("/api/stream/events", { headers: { "last-event-id": "0" } });
    const text = await readSome(res, 2);
    assert.equal(text.split("event: transition").length - 1, 2);
    await assertPage(s, "/runs/deep-run?tab=events");
  });
});

async function readSome(res: Response, transitions: number): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = Date.now() + 3000;
  while (text.split("event: transition").length - 1 < transitions && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text;
}

Deno.test("a filter with too many values is a clear 400; many tags never fail the store", async (t) => {
  await onEachStore(t, async (s) => {
    await seedFlows(s);
    const many = Array.from({ length: 1000 }, (_, i) => `t${i}`).join(",");
    const answer = await call(s.app, `/api/flow-runs?tags=${many}`);
    assertError(answer, 400, "invalid_request");
    assert.match(answer.body.error.message, /at most 100 values/);
    const tags = Array.from({ length: 1000 }, (_, i) => `t${i}`);
    assert.deepEqual(s.engine.listRuns({ kind: "flow", tags }).items, []);
    const one = s.engine.listRuns({ kind: "flow", tags: ["nightly", "nightly"] }).items;
    assert.equal(one.length, 1);
  });
});
