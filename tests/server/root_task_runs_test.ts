/**
 * Task runs of no flow against a server: a task called outside a flow and a
 * background task (`task.delay()`) are root task runs, as in-process
 * (Prefect 3, docs.prefect.io/v3/develop/write-tasks and
 * /v3/develop/deferred-tasks). The server keeps them and their log lines, and
 * lists the background ones a task worker claims; its run tree checks still
 * refuse dangling links.
 */
import assert from "node:assert/strict";
import { createRemoteControlPlane, getRunLogger, task } from "../../sdk/mod.ts";
import { startTestServer } from "../e2e/_server.ts";

Deno.test("write-tasks: a task called outside a flow on a remote plane records a root task run with its logs", async () => {
  await using server = startTestServer();
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    let calls = 0;
    const flaky = task({ name: "flaky", retries: 1 }, (x: number) => {
      getRunLogger().info(`attempt ${++calls}`);
      if (calls === 1) throw new Error("first attempt fails");
      return x * 10;
    });
    const outcome = await flaky.runWith({ plane }, 4);
    await plane.flush();
    assert.equal(outcome.result, 40);
    const run = server.engine.getRun(outcome.runId)!;
    assert.deepEqual([run.kind, run.parentId, run.rootId, run.state, run.runCount], [
      "task",
      null,
      run.id,
      "COMPLETED",
      2,
    ]);
    const lines = server.engine.logs({ flowRunId: run.id }).map((log) => log.message);
    assert.ok(lines.includes("attempt 1") && lines.includes("attempt 2"), lines.join("; "));
  } finally {
    await plane.close();
  }
});

Deno.test("deferred-tasks: GET /api/background-task-runs lists the SCHEDULED background runs of the named tasks, oldest first", async () => {
  await using server = startTestServer();
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    const a = task({ name: "send-a" }, (x: number) => x);
    const b = task({ name: "send-b" }, (x: number) => x);
    const first = await a.delayWith({ plane }, 1).enqueued;
    const second = await b.delayWith({ plane }, 2).enqueued;
    await a.delayWith({ plane }, 3).enqueued;
    // Not background: a task called outside a flow is no worker's to claim.
    await a.runWith({ plane }, 4);
    const list = async (query: string) => {
      const response = await fetch(`${server.url}/api/background-task-runs?${query}`);
      return { status: response.status, body: await response.json() };
    };
    const both = await list("task=send-a&task=send-b&limit=2");
    assert.equal(both.status, 200);
    assert.deepEqual(both.body.items.map((r: { id: string }) => r.id), [first, second]);
    const none = await list("task=nobody");
    assert.deepEqual(none.body.items, []);
    assert.deepEqual(
      (await plane.scheduledTaskRuns!(["send-b"], 10)).map((run) => run.id),
      [second],
      "the remote plane reads the same queue",
    );
    const bad = await list("task=a&limit=0");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, "invalid_request");
  } finally {
    await plane.close();
  }
});

Deno.test("a root task run may not name a parent task run or another root", async () => {
  await using server = startTestServer();
  const post = (run: Record<string, unknown>) =>
    fetch(`${server.url}/api/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ runs: [{ kind: "task", name: "t", state: "PENDING", ...run }] }),
    }).then((response) => response.json());
  const id = "01a00000-0000-7000-8000-000000000001";
  const dangling = await post({ id, parent_task_run_id: "01a00000-0000-7000-8000-000000000002" });
  assert.match(dangling.runs[0].error.message, /parent_task_run_id "[^"]+" names no task run/);
  const elsewhere = await post({ id, root_id: "01a00000-0000-7000-8000-000000000003" });
  assert.match(elsewhere.runs[0].error.message, /root_id must be the run's own id/);
  assert.equal(server.engine.getRun(id), undefined, "nothing was created");
});

Deno.test("write-tasks: a task called inside a task outside a flow is linked to it on a remote plane", async () => {
  await using server = startTestServer();
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    const inner = task({ name: "inner" }, (x: number) => x + 1);
    const outer = task({ name: "outer" }, async (x: number) => (await inner(x)) * 2);
    const outcome = await outer.runWith({ plane }, 1);
    await plane.flush();
    assert.equal(outcome.result, 4);
    const runs = server.engine.listRuns({ kind: "task" }).items;
    const innerRun = runs.find((run) => run.name === "inner")!;
    assert.equal(innerRun.state, "COMPLETED");
    assert.equal(innerRun.parentTaskRunId, outcome.runId);
  } finally {
    await plane.close();
  }
});
