import assert from "node:assert/strict";
import { planFromSource } from "../../sdk/graph_contract.ts";
import { planCachePath } from "../../sdk/_plan_cache.ts";
import { createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";
import { createSqliteControlPlane, type LocalControlPlane } from "../../sdk/mod.ts";
import { createLocalDeploymentClient, type Deployment } from "../../sdk/deployment_client.ts";
import { startWorker, type WorkerHandle, type WorkerOptions } from "../../sdk/process_worker.ts";

const FLOWS = new URL("../testdata/deployments/", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).href;

const SOURCE = `import { flow, task } from "ironflow";
const double = task({ name: "double" }, async (x: number) => x * 2);
export const twice = flow({ name: "twice" }, async (x: number) => await double(await double(x)));
`;

async function withFlowModule<T>(fn: (dir: string, url: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_plan_cache_test_" });
  try {
    await Deno.writeTextFile(`${dir}/twice.ts`, SOURCE);
    return await fn(dir, new URL(`file://${dir}/twice.ts`).href);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a plan kept in the cache is read back for the same source and made again for a changed one", async () => {
  await withFlowModule(async (dir, url) => {
    const cache = `${dir}/plans`;
    await Deno.mkdir(cache);
    const first = await planFromSource(url, "twice", cache);
    assert.equal(first.problem, undefined);
    assert.deepEqual(first.plan!.nodes.map((n) => n.taskName), ["double", "double"]);
    const path = planCachePath(cache, "twice", url, SOURCE);
    const entry = JSON.parse(await Deno.readTextFile(path));
    assert.equal(entry.plan.fingerprint, first.plan!.fingerprint);

    // What the next process gets is what the cache holds (marked here), not a new plan.
    entry.plan.fingerprint = "kept-in-cache";
    await Deno.writeTextFile(path, JSON.stringify(entry));
    assert.equal((await planFromSource(url, "twice", cache)).plan!.fingerprint, "kept-in-cache");
    // Without the cache the flow is planned from its source.
    assert.equal((await planFromSource(url, "twice")).plan!.fingerprint, first.plan!.fingerprint);

    // A changed source is another entry: planned again, not read from the old one.
    const changed = SOURCE.replace("await double(await double(x))", "await double(x)");
    await Deno.writeTextFile(`${dir}/twice.ts`, changed);
    const again = await planFromSource(url, "twice", cache);
    assert.deepEqual(again.plan!.nodes.map((n) => n.taskName), ["double"]);
    assert.notEqual(again.plan!.fingerprint, "kept-in-cache");
    assert.equal([...Deno.readDirSync(cache)].filter((f) => f.name.endsWith(".json")).length, 2);
  });
});

Deno.test("a cache entry of another flow, a broken entry or a missing directory only means planning again", async () => {
  await withFlowModule(async (dir, url) => {
    const cache = `${dir}/plans`;
    await Deno.mkdir(cache);
    const planned = (await planFromSource(url, "twice")).plan!;
    // An entry at this source's place that names another flow is a miss.
    const path = planCachePath(cache, "twice", url, SOURCE);
    await planFromSource(url, "twice", cache);
    const entry = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(path, JSON.stringify({ ...entry, flowName: "other", plan: { x: 1 } }));
    assert.equal(
      (await planFromSource(url, "twice", cache)).plan!.fingerprint,
      planned.fingerprint,
    );
    await Deno.writeTextFile(path, "{ not json");
    assert.equal(
      (await planFromSource(url, "twice", cache)).plan!.fingerprint,
      planned.fingerprint,
    );
    const missing = await planFromSource(url, "twice", `${dir}/no/such/dir`);
    assert.equal(missing.plan!.fingerprint, planned.fingerprint);
  });
});

// A SQLite home with the deployment "add" of the test flows; a worker on it takes `options`.
async function withAddDeployment(
  options: Partial<WorkerOptions>,
  fn: (
    env: { home: string; plane: LocalControlPlane; deployment: Deployment; worker: WorkerHandle },
  ) => Promise<void>,
): Promise<void> {
  const home = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_plan_cache_" }));
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  let worker: WorkerHandle | undefined;
  try {
    const deployment = await new DeploymentService(plane.engine).create({
      name: "add",
      entrypoint: "./flows.ts:add",
      workingDirectory: FLOWS,
    });
    worker = startWorker({
      client: createLocalDeploymentClient(plane.engine),
      plane,
      home,
      command: { deno: Deno.execPath(), main: MAIN },
      pollMs: 50,
      limit: 1,
      ...options,
    });
    await fn({ home, plane, deployment, worker });
  } finally {
    // Its runs' processes end before the store closes, also when an assertion failed.
    await worker?.stop();
    await plane.close();
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("a worker's run processes plan a flow once and read the plan for the next runs", async () => {
  const cache = await Deno.makeTempDir({ prefix: "ironflow_plans_test_" });
  try {
    await withAddDeployment(
      { planCacheDir: cache, maxRuns: 2 },
      async ({ plane, deployment, worker }) => {
        const startedWith = async (): Promise<unknown> => {
          const run = await createDeploymentRun(plane.engine, deployment, {
            parameters: { a: 1, b: 2 },
          });
          for (let i = 0; i < 1000 && plane.engine.getRun(run.id)!.state !== "COMPLETED"; i++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          assert.equal(plane.engine.getRun(run.id)!.state, "COMPLETED");
          const start = plane.engine.events(run.id).find((event) => event.to === "RUNNING")!;
          return start.data?.["planFingerprint"];
        };
        const planned = await startedWith();
        assert.equal(typeof planned, "string");
        const entries = [...Deno.readDirSync(cache)].map((f) => f.name);
        assert.equal(entries.length, 1, `one plan kept: ${entries}`);
        // Mark the kept plan: the next run's process must start with it.
        const path = `${cache}/${entries[0]}`;
        const entry = JSON.parse(await Deno.readTextFile(path));
        entry.plan.fingerprint = "kept-by-the-first-run";
        await Deno.writeTextFile(path, JSON.stringify(entry));
        assert.equal(await startedWith(), "kept-by-the-first-run");
        await worker.done;
      },
    );
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("a worker's own plan cache is a temporary directory that is gone once it stops", async () => {
  const seen: string[] = [];
  await withAddDeployment(
    { warmProcesses: 0, maxRuns: 1, log: (line) => seen.push(line) },
    async ({ plane, deployment, worker }) => {
      const run = await createDeploymentRun(plane.engine, deployment, {
        parameters: { a: 2, b: 3 },
      });
      const summary = await worker.done;
      assert.equal(summary.runs[run.id], "COMPLETED");
      const dir = seen.map((line) => /plan cache (\S+)/.exec(line)?.[1]).find(Boolean);
      assert.ok(dir, `the worker names its plan cache: ${seen.join(" | ")}`);
      await assert.rejects(Deno.stat(dir!), Deno.errors.NotFound);
    },
  );
});
