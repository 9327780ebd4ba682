/**
 * Job variables, from Prefect 3's "Customize job variables" page
 * (docs.prefect.io/v3/deploy/infrastructure-concepts/customize): the work pool's base, the
 * deployment's and the run's are merged (later wins, env name by name) and a real worker's run
 * process gets the result: environment, working directory and a command prefix wrapping it.
 * The worker is `ironflow worker start --queue`, restricted to one queue of the pool ("Work
 * pools" page, docs.prefect.io/v3/concepts/work-pools).
 */
import assert from "node:assert/strict";
import { realpathSync } from "node:fs";
import { retryFlowRun } from "../../../engine/mod.ts";
import {
  claimRuns,
  createDeploymentRun,
  createWorkPool,
  createWorkQueue,
  DeploymentService,
  mergeJobVariables,
  parseJobVariables,
} from "../../../engine/deployments/mod.ts";
import { createSqliteControlPlane } from "../../../sdk/mod.ts";
import { fixture } from "./_helpers.ts";

const FLOWS = new URL("../../testdata/deployments/", import.meta.url).pathname;
const MAIN = new URL("../../../main.ts", import.meta.url).pathname;

Deno.test("job variables: pool base, deployment and run layers merge; unknown names are refused", async () => {
  await using f = fixture();
  const pool = await createWorkPool(f.engine, {
    name: "jobs",
    baseJobVariables: { env: { A: "pool", B: "pool" }, command_prefix: ["nice"] },
  });
  const d = await f.deployments.create({
    name: "d",
    entrypoint: "./a.ts:a",
    workPool: "jobs",
    env: { B: "deployment" },
    workingDirectory: "/srv/flows",
  });
  assert.deepEqual(mergeJobVariables(pool, d, { env: { C: "run" }, working_directory: "/tmp" }), {
    env: { A: "pool", B: "deployment", C: "run" },
    working_directory: "/tmp",
    command_prefix: ["nice"],
  });
  assert.throws(
    () => parseJobVariables({ image: "python:3.12" }, "job_variables"),
    /job_variables: unknown job variable "image"; use "env", "working_directory", "command_prefix"/,
  );
  await assert.rejects(
    createDeploymentRun(f.engine, d, { jobVariables: { env: { N: 1 } } as never }),
    /Run of deployment "d": job variable "env" must map names to strings, got \{"N":1\}/,
  );
  await assert.rejects(
    createWorkPool(f.engine, { name: "bad", baseJobVariables: { cpu: 2 } as never }),
    /Work pool "bad": unknown job variable "cpu"/,
  );
});

Deno.test("job variables: a retried deployment run's new attempt keeps the run's job variables", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "d", entrypoint: "./a.ts:a" });
  const run = await createDeploymentRun(f.engine, d, {
    jobVariables: { env: { MODE: "fast" } },
  });
  await f.engine.propose(run.id, { to: "CANCELLED", token: "stop", kind: "user_cancel" });

  const retry = await retryFlowRun(f.engine, run.id);

  assert.equal(retry.attempt, 2);
  assert.deepEqual(f.engine.events(retry.id)[0]!.data?.["jobVariables"], {
    env: { MODE: "fast" },
  });
  const [claimed] = await claimRuns(f.engine, "default", { workerId: "w" });
  assert.equal(claimed?.run.id, retry.id);
  assert.deepEqual(claimed?.jobVariables.env, { MODE: "fast" });
});

Deno.test("job variables: a real worker's run process sees the merged env, working directory and command prefix", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_jobvars_" });
  const poolDir = realpathSync(await Deno.makeTempDir({ prefix: "ironflow_pool_dir_" }));
  const runDir = realpathSync(await Deno.makeTempDir({ prefix: "ironflow_run_dir_" }));
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  try {
    const engine = plane.engine;
    await createWorkPool(engine, {
      name: "jobs",
      baseJobVariables: {
        env: { TIER: "pool", MODE: "pool", REGION: "pool" },
        working_directory: poolDir,
        command_prefix: ["env", "PREFIXED=yes"],
      },
    });
    await createWorkQueue(engine, "jobs", "batch");
    const deployments = new DeploymentService(engine);
    const reporting = await deployments.create({
      name: "env-report",
      entrypoint: `${FLOWS}job_variables.ts:report`,
      workPool: "jobs",
      workQueue: "batch",
      env: { MODE: "deployment" },
    });
    const elsewhere = await deployments.create({
      name: "default-queue",
      entrypoint: `${FLOWS}job_variables.ts:report`,
      workPool: "jobs",
    });
    const overridden = await plane.deployments!.run("env-report", {
      jobVariables: { env: { REGION: "run" }, working_directory: runDir },
    });
    const plain = await createDeploymentRun(engine, reporting, {});
    const skipped = await createDeploymentRun(engine, elsewhere, {});
    await plane.flush();

    const worker = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "worker",
        "start",
        "--pool",
        "jobs",
        "--queue",
        "batch",
        "--limit",
        "1",
        "--max-runs",
        "2",
      ],
      env: { IRONFLOW_HOME: home },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(worker.success, new TextDecoder().decode(worker.stderr));

    const report = (runId: string) => {
      const run = engine.getRun(runId)!;
      assert.equal(run.state, "COMPLETED", run.message ?? "");
      return engine.logs({ flowRunId: runId }).map((l) => l.message).find((m) =>
        m.startsWith("cwd=")
      );
    };
    assert.equal(
      report(overridden.id),
      `cwd=${runDir} tier=pool mode=deployment region=run prefixed=yes`,
    );
    assert.equal(
      report(plain.id),
      `cwd=${poolDir} tier=pool mode=deployment region=pool prefixed=yes`,
    );
    assert.deepEqual(engine.events(overridden.id)[0]!.data?.["jobVariables"], {
      env: { REGION: "run" },
      working_directory: runDir,
    });
    assert.equal(engine.getRun(skipped.id)!.state, "SCHEDULED", "its queue is not the worker's");
  } finally {
    await plane.close();
    for (const dir of [home, poolDir, runDir]) await Deno.remove(dir, { recursive: true });
  }
});
