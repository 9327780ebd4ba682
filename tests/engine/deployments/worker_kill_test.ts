import assert from "node:assert/strict";
import { createDeploymentRun, DeploymentService } from "../../../engine/deployments/mod.ts";
import type { EngineEvent } from "../../../engine/mod.ts";
import { systemClock } from "../../../engine/mod.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { createSqliteControlPlane } from "../../../sdk/mod.ts";

const FLOWS = new URL("../../testdata/deployments/", import.meta.url).pathname;
const MAIN = new URL("../../../main.ts", import.meta.url).pathname;
const LEASE_SECONDS = 2;

async function until(ready: () => boolean | Promise<boolean>, what: string, ms = 30_000) {
  const start = Date.now();
  while (!await ready()) {
    if (Date.now() - start > ms) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `ironflow worker start` in its own process, on the embedded store under `home`. */
function startWorkerProcess(home: string, extra: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "worker",
      "start",
      "--pool",
      "kill",
      "--lease",
      String(LEASE_SECONDS),
      ...extra,
    ],
    cwd: home,
    env: { IRONFLOW_HOME: home, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

function kill(process: Deno.ChildProcess): void {
  try {
    process.kill("SIGKILL");
  } catch { /* already gone */ }
}

/** Events are numbered 1..n with no gap and no token twice. */
function assertContiguous(events: readonly EngineEvent[]): void {
  assert.deepEqual(
    events.map((e) => e.version),
    events.map((_, i) => i + 1),
    `versions contiguous: ${events.map((e) => `${e.version}:${e.kind}`).join(", ")}`,
  );
  const tokens = events.map((e) => e.token);
  assert.equal(new Set(tokens).size, tokens.length, `no duplicate tokens: ${tokens.join(", ")}`);
  for (let i = 1; i < events.length; i++) {
    assert.equal(events[i]!.from, events[i - 1]!.to, `event ${i + 1} starts where ${i} ended`);
  }
}

Deno.test({
  name:
    "SIGKILL of a worker mid-run: the run is CRASHED, its history intact, and a new worker runs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_worker_kill_test_" });
    const plane = createSqliteControlPlane(`${home}/ironflow.db`);
    const engine = plane.engine;
    const workers: Deno.ChildProcess[] = [];
    let runPid: number | undefined;
    try {
      const deployments = new DeploymentService(engine);
      const d = await deployments.create({
        name: "blocking",
        entrypoint: "./blocking.ts:blocking",
        workingDirectory: FLOWS,
        workPool: "kill",
        parameters: { dir: home, x: 41 },
      });
      const run = await createDeploymentRun(engine, d);
      const worker = startWorkerProcess(home);
      workers.push(worker);

      // The worker claims the run, its subprocess starts it and blocks.
      await until(async () => {
        try {
          runPid = Number(await Deno.readTextFile(`${home}/pid`));
          return runPid > 0;
        } catch {
          return false;
        }
      }, "the run's process to block");
      assert.equal(engine.getRun(run.id)!.state, "RUNNING");
      const before = engine.events(run.id);

      // Kill the worker and the run's process: nobody renews the lease any more.
      kill(worker);
      await worker.status;
      try {
        Deno.kill(runPid!, "SIGKILL");
      } catch { /* gone with its worker */ }
      assert.equal(engine.getRun(run.id)!.state, "RUNNING", "nothing reported the death");

      // The services loop reclaims the expired lease: the running run is CRASHED.
      const scheduler = createScheduler({ engine, clock: systemClock, holder: "kill-test" });
      const early = await scheduler.tick(Date.now() - 60_000);
      assert.deepEqual(early.crashed, [], "the lease had not expired yet");
      const report = await scheduler.tick(Date.now() + (LEASE_SECONDS + 1) * 1000);
      assert.deepEqual(report.crashed, [run.id]);
      const crashed = engine.getRun(run.id)!;
      assert.equal(crashed.state, "CRASHED");
      assert.match(crashed.message ?? "", /stopped renewing its lease/);

      // Nothing lost: every event from before is still there, in order, then the crash.
      const after = engine.events(run.id);
      assert.deepEqual(after.slice(0, before.length), before);
      assertContiguous(after);
      assert.deepEqual(after.map((e) => `${e.kind}:${e.to}`), [
        "create:SCHEDULED",
        "claim:PENDING",
        "start:RUNNING",
        "lease_expired:CRASHED",
      ]);
      const tasks = engine.listRuns({ kind: "task", parentId: run.id }).items;
      assert.deepEqual(tasks.map((t) => [t.name, t.state]), [["step", "COMPLETED"]]);
      for (const t of tasks) assertContiguous(engine.events(t.id));
      // A second tick finds nothing more to do.
      const again = await scheduler.tick(Date.now() + (LEASE_SECONDS + 2) * 1000);
      assert.deepEqual([again.crashed, again.rescheduled], [[], []]);

      // A new worker completes a new run of the same deployment.
      await Deno.writeTextFile(`${home}/go`, "");
      const next = await createDeploymentRun(engine, d);
      const second = startWorkerProcess(home, ["--max-runs", "1"]);
      workers.push(second);
      const status = await Promise.race([
        second.status,
        new Promise<null>((resolve) => {
          const id = setTimeout(() => resolve(null), 60_000);
          Deno.unrefTimer(id);
        }),
      ]);
      assert.ok(status, "the second worker finished its run in time");
      assert.equal(status.code, 0);
      const done = engine.getRun(next.id)!;
      assert.equal(done.state, "COMPLETED", done.message ?? "");
      assertContiguous(engine.events(next.id));
      assert.equal(engine.getRun(run.id)!.state, "CRASHED", "the crashed run stays crashed");
    } finally {
      for (const w of workers) {
        kill(w);
        await w.status;
      }
      if (runPid) {
        try {
          Deno.kill(runPid, "SIGKILL");
        } catch { /* gone */ }
      }
      await plane.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});
