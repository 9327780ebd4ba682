/**
 * The run lifecycle under a process worker, with real processes: a killed
 * worker takes its run's process with it and its run ends CRASHED with its
 * task runs; a run process that dies under a live worker runs the flow's
 * `onCrashed` hooks; a cancelled run ends CANCELLED, also when its worker
 * died while it was cancelling. Short liveness timeouts come in through the
 * environment; measured times are printed.
 */
import assert from "node:assert/strict";
import { createDeploymentRun, DeploymentService } from "../../../engine/deployments/mod.ts";
import { cancelFlowRun, type Engine, retryFlowRun, systemClock } from "../../../engine/mod.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { createSqliteControlPlane } from "../../../sdk/mod.ts";

type SqliteControlPlane = ReturnType<typeof createSqliteControlPlane>;
import {
  alive,
  assertAllTerminal,
  assertStoreWhole,
  kill,
  MAIN,
  pidIn,
  treeStates,
  until,
} from "../../e2e/_kill.ts";

const FLOWS = new URL("../../testdata/deployments/", import.meta.url).pathname;
const LIVENESS_MS = 1_500;
const LEASE_SECONDS = 2;

/** `ironflow worker start` on the embedded store under `home`, with short liveness settings. */
function startWorkerProcess(home: string, extra: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "worker", "start", "--pool", "life", "--lease", String(LEASE_SECONDS)]
      .concat(extra),
    cwd: home,
    env: {
      IRONFLOW_HOME: home,
      IRONFLOW_LIVENESS_TIMEOUT_MS: String(LIVENESS_MS),
      IRONFLOW_HEARTBEAT_MS: "300",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

interface Setup {
  home: string;
  plane: SqliteControlPlane;
  engine: Engine;
  deploymentId: string;
  processes: Deno.ChildProcess[];
  pids: number[];
}

async function withHome(fn: (setup: Setup) => Promise<void>): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "ironflow_worker_lifecycle_test_" });
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  const setup: Setup = {
    home,
    plane,
    engine: plane.engine,
    deploymentId: (await new DeploymentService(plane.engine).create({
      name: "holding",
      entrypoint: "./holding.ts:holding",
      workingDirectory: FLOWS,
      workPool: "life",
      parameters: { dir: home, x: 41 },
    })).id,
    processes: [],
    pids: [],
  };
  try {
    await fn(setup);
  } finally {
    for (const process of setup.processes) {
      kill(process);
      await process.status;
    }
    for (const pid of setup.pids) kill(pid);
    await plane.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** A new run of the deployment, claimed by a new worker process; resolves once its task holds. */
async function runHolding(
  setup: Setup,
): Promise<{ runId: string; worker: Deno.ChildProcess; pid: number }> {
  const deployment = new DeploymentService(setup.engine).get(setup.deploymentId);
  const run = await createDeploymentRun(setup.engine, deployment);
  const worker = startWorkerProcess(setup.home);
  setup.processes.push(worker);
  const pid = await until(() => pidIn(`${setup.home}/pid`), "the run's task to hold");
  setup.pids.push(pid);
  await until(() => setup.engine.getRun(run.id)?.state === "RUNNING", "the run to be RUNNING");
  return { runId: run.id, worker, pid };
}

Deno.test({
  name:
    "SIGKILL of a worker: its run's process exits, the run ends CRASHED with its task runs, and a retry runs the task once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withHome(async (setup) => {
      const { engine, home } = setup;
      const { runId, worker, pid } = await runHolding(setup);
      assert.deepEqual(treeStates(engine, runId).sort(), [
        ["hold", "RUNNING"],
        ["holding", "RUNNING"],
        ["prepare", "COMPLETED"],
      ]);

      kill(worker);
      const killedAt = Date.now();
      await worker.status;
      await until(() => !alive(pid), "the run's process to exit with its worker", 10_000);
      const goneMs = Date.now() - killedAt;

      // The services loop (reaper and lease reclaim) ends the run and its task runs.
      const scheduler = createScheduler({ engine, clock: systemClock, holder: "kill-test" });
      await until(
        async () => {
          await scheduler.tick(Date.now());
          return engine.getRun(runId)?.state === "CRASHED";
        },
        "the run to be CRASHED",
        15_000,
      );
      const crashedMs = Date.now() - killedAt;
      console.log(
        `worker SIGKILL: run process gone after ${goneMs} ms, run CRASHED after ${crashedMs} ms ` +
          `(liveness ${LIVENESS_MS} ms, lease ${LEASE_SECONDS} s)`,
      );
      assert.ok(crashedMs < LIVENESS_MS + LEASE_SECONDS * 1000 + 5_000, `${crashedMs} ms`);
      assert.deepEqual(treeStates(engine, runId).sort(), [
        ["hold", "CRASHED"],
        ["holding", "CRASHED"],
        ["prepare", "COMPLETED"],
      ]);
      assertAllTerminal(engine);

      // A retry runs the held task again, once, after the first process is gone.
      const retry = await retryFlowRun(engine, runId);
      await Deno.remove(`${home}/pid`);
      const second = startWorkerProcess(home, ["--max-runs", "1"]);
      setup.processes.push(second);
      const pid2 = await until(() => pidIn(`${home}/pid`), "the retry's task to hold");
      setup.pids.push(pid2);
      await Deno.writeTextFile(`${home}/go`, "");
      assert.equal((await second.status).code, 0);
      assert.equal(engine.getRun(retry.id)?.state, "COMPLETED");
      const events = (await Deno.readTextFile(`${home}/events`)).trim().split("\n");
      assert.deepEqual(events, [`start ${pid}`, `start ${pid2}`, `end ${pid2}`]);
      await assert.rejects(Deno.stat(`${home}/crashed.json`), "no worker was left to run hooks");
      assertAllTerminal(engine);
      assertStoreWhole(`${home}/ironflow.db`, engine);
    });
  },
});

Deno.test({
  name:
    "A run's process SIGKILLed under a live worker: the run ends CRASHED with its task runs and onCrashed runs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withHome(async (setup) => {
      const { engine, home } = setup;
      const { runId, worker, pid } = await runHolding(setup);
      kill(pid);
      const killedAt = Date.now();
      await until(() => engine.getRun(runId)?.state === "CRASHED", "the run to be CRASHED");
      const crashedMs = Date.now() - killedAt;
      // The hook may be caught mid-write (an empty or partial file): wait for whole JSON.
      const hook = await until(() => {
        try {
          return JSON.parse(Deno.readTextFileSync(`${home}/crashed.json`));
        } catch {
          return undefined;
        }
      }, "the onCrashed hook");
      const hookMs = Date.now() - killedAt;
      console.log(
        `run process SIGKILL: CRASHED after ${crashedMs} ms, onCrashed after ${hookMs} ms`,
      );
      assert.deepEqual(hook, { runId, to: "CRASHED", from: "RUNNING" });
      assert.match(engine.getRun(runId)!.message ?? "", /signal SIGKILL/);
      await until(
        () => treeStates(engine, runId).every(([, state]) => state !== "RUNNING"),
        "tasks",
      );
      assert.deepEqual(treeStates(engine, runId).sort(), [
        ["hold", "CRASHED"],
        ["holding", "CRASHED"],
        ["prepare", "COMPLETED"],
      ]);
      worker.kill("SIGTERM");
      assert.equal((await worker.status).code, 0);
      assertAllTerminal(engine);
      assertStoreWhole(`${home}/ironflow.db`, engine);
    });
  },
});

Deno.test({
  name:
    "Cancelling a worker's run: its process is killed and the run ends CANCELLED with its task runs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withHome(async (setup) => {
      const { engine, home } = setup;
      const { runId, worker, pid } = await runHolding(setup);
      const cancelledAt = Date.now();
      await cancelFlowRun(engine, runId, { reason: "test" });
      await until(() => engine.getRun(runId)?.state === "CANCELLED", "the run to be CANCELLED");
      await until(() => !alive(pid), "the run's process to be gone", 15_000);
      await until(() => treeStates(engine, runId).every(([, s]) => s !== "RUNNING"), "tasks");
      console.log(`cancel of a worker's run: CANCELLED after ${Date.now() - cancelledAt} ms`);
      assert.deepEqual(treeStates(engine, runId).sort(), [
        ["hold", "CANCELLED"],
        ["holding", "CANCELLED"],
        ["prepare", "COMPLETED"],
      ]);
      worker.kill("SIGTERM");
      assert.equal((await worker.status).code, 0);
      assertAllTerminal(engine);
      assertStoreWhole(`${home}/ironflow.db`, engine);
    });
  },
});

Deno.test({
  name: "A worker SIGKILLed while its run is CANCELLING: the run ends CANCELLED, not CANCELLING",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withHome(async (setup) => {
      const { engine, home } = setup;
      const { runId, worker, pid } = await runHolding(setup);
      kill(worker);
      await worker.status;
      const killedAt = Date.now();
      await until(() => !alive(pid), "the run's process to exit with its worker", 10_000);
      // Nobody is left to finish the cancel: the run waits in CANCELLING for the reaper.
      const { run } = await cancelFlowRun(engine, runId, { reason: "test" });
      assert.equal(run.state, "CANCELLING", "the run's liveness deadline has not passed yet");
      const scheduler = createScheduler({ engine, clock: systemClock, holder: "kill-test" });
      await until(
        async () => {
          await scheduler.tick(Date.now());
          return engine.getRun(runId)?.state === "CANCELLED";
        },
        "the run to be CANCELLED",
        15_000,
      );
      console.log(`worker SIGKILL while CANCELLING: CANCELLED after ${Date.now() - killedAt} ms`);
      assert.deepEqual(treeStates(engine, runId).sort(), [
        ["hold", "CANCELLED"],
        ["holding", "CANCELLED"],
        ["prepare", "COMPLETED"],
      ]);
      assertAllTerminal(engine);
      assertStoreWhole(`${home}/ironflow.db`, engine);
    });
  },
});
