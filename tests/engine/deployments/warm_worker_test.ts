import assert from "node:assert/strict";
import { createDeploymentRun, DeploymentService } from "../../../engine/deployments/mod.ts";
import { createSqliteControlPlane } from "../../../sdk/mod.ts";
import { createLocalDeploymentClient } from "../../../sdk/deployment_client.ts";
import { startWorker } from "../../../sdk/process_worker.ts";

const FLOWS = new URL("../../testdata/deployments/", import.meta.url).pathname;
const MAIN = new URL("../../../main.ts", import.meta.url).href;

Deno.test("with warm processes each run still has a process, working directory and environment of its own", async () => {
  const home = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_warm_test_" }));
  const elsewhere = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_warm_cwd_" }));
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  try {
    const service = new DeploymentService(plane.engine);
    const here = await service.create({
      name: "here",
      entrypoint: "./flows.ts:whoami",
      workingDirectory: FLOWS,
      env: { WHO: "here" },
    });
    const there = await service.create({
      name: "there",
      entrypoint: `${FLOWS}flows.ts:whoami`,
      workingDirectory: elsewhere,
      env: { WHO: "there" },
    });
    const order = [here, there, here, here, there, here];
    const worker = startWorker({
      client: createLocalDeploymentClient(plane.engine),
      plane,
      home,
      command: { deno: Deno.execPath(), main: MAIN },
      pollMs: 50,
      limit: 1,
      warmProcesses: 2,
      maxRuns: order.length,
    });
    const runs = [];
    // One at a time, so later runs find processes started while earlier ones ran.
    for (const deployment of order) {
      const run = await createDeploymentRun(plane.engine, deployment, {});
      runs.push({ run, deployment });
      for (let i = 0; i < 1000 && plane.engine.getRun(run.id)!.state !== "COMPLETED"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const summary = await worker.done;
    const pids = new Set<string>();
    for (const { run, deployment } of runs) {
      assert.equal(summary.runs[run.id], "COMPLETED");
      const line = plane.engine.logs({ flowRunId: run.id }).map((l) => l.message)
        .find((m) => m.startsWith("pid="));
      const fields = Object.fromEntries(line!.split(" ").map((f) => f.split("=")));
      pids.add(fields["pid"]);
      const cwd = deployment === here ? FLOWS.replace(/\/$/, "") : elsewhere;
      assert.equal(await Deno.realPath(fields["cwd"]), await Deno.realPath(cwd));
      assert.equal(fields["who"], deployment === here ? "here" : "there");
      assert.equal(fields["run"], run.id);
      // Dynamic imports load when they run, not when the process starts (the CLI's server stays unread).
      assert.equal(fields["lazy"], "1");
    }
    assert.equal(pids.size, runs.length, "one process per run");
  } finally {
    await plane.close();
    await Deno.remove(home, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
