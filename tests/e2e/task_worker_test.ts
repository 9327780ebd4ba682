/**
 * Background tasks through a real task worker process (Prefect 3's "Deploy background tasks",
 * docs.prefect.io/v3/develop/deferred-tasks, `prefect task serve`): a script delays a task, a
 * separate `ironflow task serve` process claims and runs it (with its retry), and the script's
 * future gets the result; with no worker the run waits SCHEDULED and the dashboard shows it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createRemoteControlPlane, createSqliteControlPlane } from "../../sdk/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { double, sleepy } from "../testdata/sdk/background_tasks.ts";
import { reapLostRuns } from "../../engine/mod.ts";
import { assertStoreWhole, kill, until } from "./_kill.ts";
import { testServer } from "../server/_helpers.ts";
import { startTestServer } from "./_server.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = fileURLToPath(new URL("../testdata/sdk/background_tasks.ts", import.meta.url));

Deno.test("deferred-tasks: ironflow task serve runs a delayed task in another process", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_task_worker_" });
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  const worker = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "task", "serve", MODULE, "--limit", "2"],
    env: { IRONFLOW_HOME: home },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const future = double.delayWith({ plane }, 21);
    const runId = await future.enqueued;
    const result = await future.result() as unknown as { doubled: number; pid: number };
    assert.equal(result.doubled, 42);
    assert.notEqual(result.pid, Deno.pid, "ran in the worker process");
    const run = plane.engine.getRun(runId)!;
    assert.deepEqual([run.state, run.runCount], ["COMPLETED", 2]);
  } finally {
    worker.kill("SIGTERM");
    const status = await worker.status;
    const output = await worker.output().catch(() => undefined);
    void output;
    await plane.close();
    await Deno.remove(home, { recursive: true });
    assert.equal(status.code, 0, "the worker stops cleanly on SIGTERM");
  }
});

Deno.test("deferred-tasks: with no worker the run waits SCHEDULED, listed on the dashboard", async () => {
  const server = testServer();
  try {
    const future = double.delayWith({ plane: server.plane }, 1);
    const runId = await future.enqueued;
    const home = await (await server.app.request("/")).text();
    assert.match(home, /Task runs outside flows/);
    assert.match(home, new RegExp(`/runs/${runId}`));
    assert.match(home, /Scheduled/);
    const page = await server.app.request(`/runs/${runId}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /double-/);
  } finally {
    server.close();
  }
});

Deno.test("deferred-tasks: a task worker against a server runs a task delayed by a remote script", async () => {
  // Prefect 3 task workers connect to the server of PREFECT_API_URL
  // (docs.prefect.io/v3/develop/deferred-tasks); ours to IRONFLOW_API_URL.
  await using server = startTestServer({ results: createMemoryResultStore() });
  const home = await Deno.makeTempDir({ prefix: "ironflow_task_worker_" });
  const worker = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "task", "serve", MODULE, "--task", "double"],
    env: { IRONFLOW_API_URL: server.url, IRONFLOW_HOME: home },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    const future = double.delayWith({ plane }, 5);
    const runId = await future.enqueued;
    const result = await future.result() as unknown as { doubled: number; pid: number };
    assert.equal(result.doubled, 10);
    assert.notEqual(result.pid, Deno.pid, "ran in the worker process");
    const run = server.engine.getRun(runId)!;
    assert.deepEqual([run.state, run.runCount, run.parentId], ["COMPLETED", 2, null]);
    const logged = server.engine.logs({ flowRunId: runId });
    assert.ok(
      logged.some((line) => /first attempt fails/.test(line.message)),
      "the failed attempt's log line reached the server",
    );
  } finally {
    worker.kill("SIGTERM");
    const { code, stdout } = await worker.output();
    await plane.close();
    await Deno.remove(home, { recursive: true });
    const said = new TextDecoder().decode(stdout);
    assert.match(said, new RegExp(`Task worker serving "double" from ${server.url}`));
    assert.equal(code, 0, "the worker stops cleanly on SIGTERM");
  }
});

Deno.test("deferred-tasks: SIGKILL of a task worker mid-task leaves its run CRASHED, not RUNNING", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_task_worker_kill_" });
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  const worker = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "task", "serve", MODULE, "--task", "sleepy"],
    env: {
      IRONFLOW_HOME: home,
      IRONFLOW_HEARTBEAT_MS: "200",
      IRONFLOW_LIVENESS_TIMEOUT_MS: "1500",
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const future = sleepy.delayWith({ plane });
    const runId = await future.enqueued;
    await until(() => plane.engine.getRun(runId)?.state === "RUNNING", "the worker to start it");
    kill(worker);
    await worker.status;
    const run = await until(
      async () => {
        await reapLostRuns(plane.engine);
        const run = plane.engine.getRun(runId)!;
        return run.state === "CRASHED" && run;
      },
      "the reaper to end the run",
      15_000,
    );
    assert.match(run.message ?? "", /heartbeat/i);
    const state = await future.wait();
    assert.equal(state.type, "CRASHED", "the caller's future settles");
    assertStoreWhole(`${home}/ironflow.db`, plane.engine);
  } finally {
    kill(worker);
    await plane.close();
    await Deno.remove(home, { recursive: true });
  }
});
