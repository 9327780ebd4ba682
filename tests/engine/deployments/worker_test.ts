import assert from "node:assert/strict";
import { createDeploymentRun, DeploymentService } from "../../../engine/deployments/mod.ts";
import { cancelFlowRun, pauseFlowRun } from "../../../engine/mod.ts";
import { createSqliteControlPlane, type LocalControlPlane } from "../../../sdk/mod.ts";
import { createLocalDeploymentClient } from "../../../sdk/deployment_client.ts";
import { engineClaimWake, startWorker, type WorkerOptions } from "../../../sdk/process_worker.ts";

const FLOWS = new URL("../../testdata/deployments/", import.meta.url).pathname;
const MAIN = new URL("../../../main.ts", import.meta.url).href;

interface Setup extends AsyncDisposable {
  plane: LocalControlPlane;
  deployments: DeploymentService;
  home: string;
  worker(options?: Partial<WorkerOptions>): ReturnType<typeof startWorker>;
}

async function setup(): Promise<Setup> {
  const home = await Deno.makeTempDir({ prefix: "ironflow_worker_test_" });
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  return {
    plane,
    deployments: new DeploymentService(plane.engine),
    home,
    worker: (options = {}) =>
      startWorker({
        client: createLocalDeploymentClient(plane.engine),
        plane,
        home,
        command: { deno: Deno.execPath(), main: MAIN },
        pollMs: 50,
        heartbeatMs: 1000,
        leaseSeconds: 3,
        killGraceMs: 2000,
        ...options,
      }),
    async [Symbol.asyncDispose]() {
      await plane.close();
      await Deno.remove(home, { recursive: true });
    },
  };
}

Deno.test("a worker runs a deployment's flow in a subprocess and the run COMPLETES", async () => {
  await using s = await setup();
  const d = await s.deployments.create({
    name: "add",
    entrypoint: "./flows.ts:add",
    workingDirectory: FLOWS,
    parameters: { a: 1 },
  });
  const run = await createDeploymentRun(s.plane.engine, d, { parameters: { b: 20 } });
  const summary = await s.worker({ maxRuns: 1 }).done;
  assert.deepEqual(summary.runs, { [run.id]: "COMPLETED" });
  const done = s.plane.engine.getRun(run.id)!;
  assert.equal(done.state, "COMPLETED");
  const tasks = s.plane.engine.listRuns({ kind: "task", parentId: run.id }).items;
  assert.equal(tasks.length, 2);
  const logs = s.plane.engine.logs({ flowRunId: run.id }).map((l) => l.message);
  assert.ok(logs.includes("sum is 42"), `stdout became a log line: ${JSON.stringify(logs)}`);
  const kinds = s.plane.engine.events(run.id).map((e) => `${e.kind}:${e.to}`);
  assert.deepEqual(kinds.slice(0, 3), ["create:SCHEDULED", "claim:PENDING", "start:RUNNING"]);
});

Deno.test("under a worker each logPrints line is stored once, with its task run", async () => {
  await using s = await setup();
  const d = await s.deployments.create({
    name: "printer",
    entrypoint: "./flows.ts:printer",
    workingDirectory: FLOWS,
  });
  const run = await createDeploymentRun(s.plane.engine, d, {});
  const summary = await s.worker({ maxRuns: 1 }).done;
  assert.deepEqual(summary.runs, { [run.id]: "COMPLETED" });
  const logs = s.plane.engine.logs({ flowRunId: run.id }).filter((l) => / says /.test(l.message));
  assert.deepEqual(logs.map((l) => [l.message, l.name, l.taskRunId !== null]), [
    ["flow says hi", "ironflow.print", false],
    ["task says hello", "ironflow.print", true],
  ]);
});

Deno.test("a subprocess that exits mid-run leaves its run CRASHED with the exit code", async () => {
  await using s = await setup();
  const d = await s.deployments.create({
    name: "crash",
    entrypoint: "./flows.ts:crash",
    workingDirectory: FLOWS,
  });
  const run = await createDeploymentRun(s.plane.engine, d);
  await s.worker({ maxRuns: 1 }).done;
  const crashed = s.plane.engine.getRun(run.id)!;
  assert.equal(crashed.state, "CRASHED");
  assert.match(crashed.message ?? "", /exit code 7/);
  assert.match(crashed.message ?? "", /about to exit the process/);
});

Deno.test("cancelling a run kills its sleeping subprocess; the run is CANCELLED", async () => {
  await using s = await setup();
  const d = await s.deployments.create({
    name: "sleepy",
    entrypoint: "./flows.ts:sleepy",
    workingDirectory: FLOWS,
  });
  const run = await createDeploymentRun(s.plane.engine, d);
  const worker = s.worker({ maxRuns: 1 });
  const started = Date.now();
  while (s.plane.engine.getRun(run.id)!.state !== "RUNNING") {
    assert.ok(Date.now() - started < 30_000, "the run started");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await s.plane.engine.propose(run.id, {
    to: "CANCELLING",
    token: "cancel",
    kind: "user_cancel",
    data: { message: "enough" },
  });
  await worker.done;
  assert.ok(Date.now() - started < 30_000, "killed long before the flow's 60 s sleep");
  assert.equal(s.plane.engine.getRun(run.id)!.state, "CANCELLED");
});

async function runningTicker(s: Setup) {
  const d = await s.deployments.create({
    name: "ticker",
    entrypoint: "./flows.ts:ticker",
    workingDirectory: FLOWS,
  });
  const run = await createDeploymentRun(s.plane.engine, d);
  const worker = s.worker({ maxRuns: 1 });
  const started = Date.now();
  while (s.plane.engine.getRun(run.id)!.state !== "RUNNING") {
    assert.ok(Date.now() - started < 30_000, "the run started");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { run, worker };
}

// Whoever notices the cancel first, the run's history is the one its own process writes.
Deno.test("a cancelled run that stops by itself is ended CANCELLED by its process, not killed", async () => {
  await using s = await setup();
  const { run, worker } = await runningTicker(s);
  await cancelFlowRun(s.plane.engine, run.id);
  await worker.done;
  const last = s.plane.engine.events(run.id).at(-1)!;
  assert.deepEqual([last.to, last.kind], ["CANCELLED", "user_cancel"]);
});

Deno.test("a run paused with terminate stays PAUSED Suspended once its process exits", async () => {
  await using s = await setup();
  const { run, worker } = await runningTicker(s);
  await pauseFlowRun(s.plane.engine, run.id, { mode: "terminate" });
  await worker.done;
  const after = s.plane.engine.getRun(run.id)!;
  assert.equal(`${after.state} ${after.stateName}`, "PAUSED Suspended");
  assert.deepEqual(s.plane.engine.events(run.id).at(-1)!.kind, "operator_pause_terminate");
});

Deno.test("a bad entrypoint fails the run with the reason", async () => {
  await using s = await setup();
  const d = await s.deployments.create({
    name: "missing",
    entrypoint: "./flows.ts:nothere",
    workingDirectory: FLOWS,
  });
  const run = await createDeploymentRun(s.plane.engine, d);
  await s.worker({ maxRuns: 1 }).done;
  const failed = s.plane.engine.getRun(run.id)!;
  assert.equal(failed.state, "FAILED");
  assert.match(failed.message ?? "", /export "nothere" is not a flow/);
});

Deno.test("a worker against a server: claims over HTTP and the subprocess reports over HTTP", async () => {
  const { createApp, serve: serveApp } = await import("../../../server/mod.ts");
  const { createEngine, createMemoryStore, createIdSource, systemClock } = await import(
    "../../../engine/mod.ts"
  );
  const { createRemoteDeploymentClient } = await import("../../../sdk/deployment_client.ts");
  const { createRemoteControlPlane } = await import("../../../sdk/mod.ts");
  const engine = createEngine({
    store: createMemoryStore(),
    clock: systemClock,
    ids: createIdSource(),
  });
  const controller = new AbortController();
  const server = serveApp(createApp({ engine, clock: systemClock, signal: controller.signal }), {
    port: 0,
    signal: controller.signal,
    onListen: () => {},
  });
  const client = createRemoteDeploymentClient({ url: server.url });
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    await client.apply([{
      name: "remote-add",
      entrypoint: "./flows.ts:add",
      working_directory: FLOWS,
      parameters: { a: 2, b: 3 },
    }], {});
    const run = await client.run("remote-add");
    const summary = await startWorker({
      client,
      plane,
      apiUrl: server.url,
      command: { deno: Deno.execPath(), main: MAIN },
      pollMs: 50,
      leaseSeconds: 3,
      maxRuns: 1,
    }).done;
    assert.deepEqual(summary.runs, { [run.id]: "COMPLETED" });
    assert.equal(engine.getRun(run.id)!.state, "COMPLETED");
    await plane.flush();
    assert.ok(engine.logs({ flowRunId: run.id }).some((l) => l.message === "sum is 10"));
  } finally {
    await plane.close();
    controller.abort();
    await server.finished;
    await engine.close();
  }
});

Deno.test("a worker beside the engine claims a run enqueued while it idles without waiting out its poll period", async () => {
  await using s = await setup();
  const d = await s.deployments.create({
    name: "add",
    entrypoint: "./flows.ts:add",
    workingDirectory: FLOWS,
    parameters: { a: 1 },
  });
  const local = createLocalDeploymentClient(s.plane.engine);
  let claims = 0;
  const worker = s.worker({
    client: { ...local, claim: (...args) => (claims += 1, local.claim(...args)) },
    pollMs: 3_600_000,
    wake: engineClaimWake(s.plane.engine),
    maxRuns: 1,
  });
  try {
    for (let i = 0; i < 500 && claims === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 20)); // the empty claim answered: idle
    const run = await createDeploymentRun(s.plane.engine, d, { parameters: { b: 1 } });
    for (let i = 0; i < 500 && s.plane.engine.getRun(run.id)!.state === "SCHEDULED"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.notEqual(s.plane.engine.getRun(run.id)!.state, "SCHEDULED", "claimed on the commit");
    assert.deepEqual((await worker.done).runs, { [run.id]: "COMPLETED" });
  } finally {
    await worker.stop();
  }
});
