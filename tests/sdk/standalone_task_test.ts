/**
 * A task called outside a flow is a task run of its own, as Prefect 3's "Write and run tasks"
 * (docs.prefect.io/v3/develop/write-tasks) describes: retries and caching apply.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createSqliteControlPlane, INPUTS, task } from "../../sdk/mod.ts";
import { testPlane } from "./_helpers.ts";

Deno.test("write-tasks: a task outside a flow records a root task run; retries apply", async () => {
  await using plane = testPlane();
  let calls = 0;
  const flaky = task({ name: "flaky", retries: 2 }, async (x: number) => {
    calls++;
    if (calls < 3) throw new Error(`attempt ${calls} failed`);
    return await Promise.resolve(x * 10);
  });

  const outcome = await flaky.runWith({ plane }, 4);

  assert.equal(outcome.result, 40);
  assert.ok(outcome.state.isCompleted());
  const run = plane.engine.getRun(outcome.runId)!;
  assert.equal(run.kind, "task");
  assert.equal(run.parentId, null);
  assert.equal(run.rootId, run.id);
  assert.equal(run.runCount, 3);
  const kinds = plane.engine.events(run.id).map((e) => `${e.to}:${e.stateName}`);
  assert.deepEqual(kinds.filter((k) => k.startsWith("SCHEDULED")), [
    "SCHEDULED:AwaitingRetry",
    "SCHEDULED:AwaitingRetry",
  ]);
});

Deno.test("write-tasks: caching applies to tasks called outside a flow", async () => {
  await using plane = testPlane();
  let calls = 0;
  const lookup = task({ name: "lookup", cachePolicy: INPUTS }, async (id: string) => {
    calls++;
    return await Promise.resolve(`user ${id}`);
  });

  const first = await lookup.runWith({ plane }, "u1");
  const second = await lookup.runWith({ plane }, "u1");

  assert.deepEqual([first.result, second.result], ["user u1", "user u1"]);
  assert.equal(calls, 1);
  assert.equal(second.state.name, "Cached");
});

Deno.test("write-tasks: a failed standalone task run ends FAILED; calling it throws", async () => {
  await using plane = testPlane();
  const broken = task({ name: "broken" }, async (): Promise<number> => {
    return await Promise.reject(new Error("no"));
  });
  const outcome = await broken.runWith({ plane });
  assert.ok(outcome.state.isFailed());
  assert.equal(outcome.error?.message, "no");
  assert.equal(plane.engine.getRun(outcome.runId)!.state, "FAILED");
});

Deno.test("write-tasks: calling a task in a script records it on the default control plane", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_task_" });
  const script = fileURLToPath(new URL("../testdata/sdk/standalone_task.ts", import.meta.url));
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script],
      env: { IRONFLOW_HOME: home },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    assert.equal(new TextDecoder().decode(output.stdout).trim(), "6");
    const plane = createSqliteControlPlane(`${home}/ironflow.db`);
    try {
      const runs = plane.engine.listRuns({ kind: "task" }).items;
      assert.deepEqual(runs.map((r) => [r.name, r.state, r.parentId]), [[
        "triple",
        "COMPLETED",
        null,
      ]]);
    } finally {
      await plane.close();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
