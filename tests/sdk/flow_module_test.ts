/**
 * The Deno configuration a flow module is loaded with: the nearest
 * deno.json / deno.jsonc of the module, as `deno run <module>` finds it, and a
 * worker's run processes started with it unless the worker's own flags choose
 * a configuration.
 */
import assert from "node:assert/strict";
import { choosesConfig, projectConfigOf } from "../../sdk/_flow_module.ts";
import { createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";
import { createSqliteControlPlane, type LocalControlPlane } from "../../sdk/mod.ts";
import { createLocalDeploymentClient, type Deployment } from "../../sdk/deployment_client.ts";
import { startWorker, type WorkerHandle, type WorkerOptions } from "../../sdk/process_worker.ts";

const MAIN = new URL("../../main.ts", import.meta.url).href;
const SDK = new URL("../../sdk/mod.ts", import.meta.url).href;

Deno.test("a module's project configuration is the nearest deno.json or deno.jsonc above it", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_config_" }));
  try {
    await Deno.mkdir(`${dir}/app/flows/deep`, { recursive: true });
    await Deno.writeTextFile(`${dir}/deno.json`, "{}");
    await Deno.writeTextFile(`${dir}/app/deno.jsonc`, "{}");
    assert.equal(projectConfigOf(`file://${dir}/app/flows/deep/etl.ts`), `${dir}/app/deno.jsonc`);
    assert.equal(projectConfigOf(`file://${dir}/other.ts`), `${dir}/deno.json`);
    assert.equal(projectConfigOf("https://example.com/flows/etl.ts"), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno run flags that choose a configuration are recognised", () => {
  for (const flags of [["--config", "x.json"], ["--config=x.json"], ["-c", "x"], ["--no-config"]]) {
    assert.ok(choosesConfig(flags), flags.join(" "));
  }
  assert.ok(choosesConfig(["--import-map=map.json"]));
  assert.ok(!choosesConfig(["--allow-read", "--cached-only", "--check"]));
});

// A project whose deno.json maps "greeting" to "A", with another file mapping
// it to "B"; its flow writes the greeting it imported into said.txt.
async function greetingProject(): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_greeting_" }));
  await Deno.writeTextFile(`${dir}/a.ts`, `export const greeting = "A";\n`);
  await Deno.writeTextFile(`${dir}/b.ts`, `export const greeting = "B";\n`);
  const config = (greeting: string) =>
    JSON.stringify({ imports: { ironflow: SDK, greeting: `./${greeting}` } });
  await Deno.writeTextFile(`${dir}/deno.json`, config("a.ts"));
  await Deno.writeTextFile(`${dir}/other.json`, config("b.ts"));
  await Deno.writeTextFile(
    `${dir}/greet.ts`,
    `import { flow } from "ironflow";
import { greeting } from "greeting";
export const greet = flow({ name: "greet" }, () => {
  Deno.writeTextFileSync("said.txt", greeting + " " + (Deno.env.get("IRONFLOW_DENO_CONFIG") ?? "-"));
});
`,
  );
  return dir;
}

/**
 * A SQLite home in `dir` with the deployment `name` of `entrypoint` (in
 * `dir`) and a worker on it taking `options`; `fn` gets them, then the
 * worker stops and `dir` is removed.
 */
async function withProjectWorker(
  dir: string,
  deploymentOf: { name: string; entrypoint: string },
  options: Partial<WorkerOptions>,
  fn: (
    env: { plane: LocalControlPlane; deployment: Deployment; worker: WorkerHandle },
  ) => Promise<void>,
): Promise<void> {
  const plane = createSqliteControlPlane(`${dir}/ironflow.db`);
  const worker = startWorker({
    client: createLocalDeploymentClient(plane.engine),
    plane,
    home: dir,
    command: { deno: Deno.execPath(), main: MAIN },
    pollMs: 50,
    ...options,
  });
  try {
    const deployment = await new DeploymentService(plane.engine).create({
      ...deploymentOf,
      workingDirectory: dir,
    });
    await fn({ plane, deployment, worker });
  } finally {
    await worker.stop();
    await plane.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function greetingOfWorkerRun(flags: string[] | undefined): Promise<string> {
  const dir = await greetingProject();
  let said = "";
  await withProjectWorker(
    dir,
    { name: "greet", entrypoint: "./greet.ts:greet" },
    {
      command: { deno: Deno.execPath(), main: MAIN, ...(flags ? { flags } : {}) },
      maxRuns: 1,
      warmProcesses: 0,
    },
    async ({ plane, deployment, worker }) => {
      const run = await createDeploymentRun(plane.engine, deployment, {});
      await worker.done;
      assert.equal(plane.engine.getRun(run.id)!.state, "COMPLETED");
      said = await Deno.readTextFile(`${dir}/said.txt`);
    },
  );
  return said;
}

Deno.test("a worker's run process loads the flow with its project's deno.json", async () => {
  const said = await greetingOfWorkerRun(undefined);
  assert.match(said, /^A \/.*\/deno\.json$/);
});

Deno.test("a worker whose own flags choose a configuration keeps it", async () => {
  // The run's process gets the worker's --config, not the project's (its greeting is "B").
  const said = await greetingOfWorkerRun(["--config", "other.json"]);
  assert.equal(said, "B -");
});

// Processes that load a flow project's configuration load IronFlow's own
// modules with it too: those must name packages fully (npm:…), never by a
// name only IronFlow's deno.json maps. (The server and dashboard are only
// loaded under IronFlow's configuration.)
Deno.test("IronFlow modules that run under a flow project's configuration import no mapped names", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const bare: string[] = [];
  async function scan(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await scan(path);
      else if (/\.tsx?$/.test(entry.name)) {
        const code = (await Deno.readTextFile(path))
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/`(?:\\.|[^`\\])*`/g, "``")
          .replace(/^\s*\/\/.*$/gm, "");
        const statics = code.matchAll(
          /\b(?:import|export)\s+(type\s+)?[^;"'`]*?\bfrom\s+"([^"]+)"/g,
        );
        for (const [, type, specifier] of statics) {
          if (!type && isBare(specifier!)) bare.push(`${path.slice(root.length)}: ${specifier}`);
        }
        for (const [, specifier] of code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) {
          if (isBare(specifier!)) bare.push(`${path.slice(root.length)}: ${specifier}`);
        }
      }
    }
  }
  const isBare = (specifier: string) => !/^(\.|\/|npm:|node:|jsr:|https?:|file:)/.test(specifier);
  for (const folder of ["engine", "sdk", "wire", "cli"]) await scan(`${root}${folder}`);
  assert.deepEqual(bare, []);
});

Deno.test("a worker's run processes execute runs with the SDK the flow's project maps as ironflow, also when started ahead", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "ironflow_own_sdk_" }));
  // The project's "ironflow" is IronFlow's SDK with an executeRun that says it ran.
  await Deno.writeTextFile(
    `${dir}/sdk.ts`,
    `export * from "${SDK}";
import { executeRun as execute } from "${SDK}";
export const executeRun: typeof execute = (runId, options) => {
  Deno.writeTextFileSync("executed-" + runId, "");
  return execute(runId, options);
};
`,
  );
  await Deno.writeTextFile(
    `${dir}/deno.json`,
    JSON.stringify({ imports: { ironflow: "./sdk.ts" } }),
  );
  await Deno.writeTextFile(
    `${dir}/hello.ts`,
    `import { flow } from "ironflow";\nexport const hello = flow({ name: "hello" }, () => "hi");\n`,
  );
  await withProjectWorker(
    dir,
    { name: "hello", entrypoint: "./hello.ts:hello" },
    { limit: 1, maxRuns: 2, warmProcesses: 1 },
    async ({ plane, deployment, worker }) => {
      const first = await createDeploymentRun(plane.engine, deployment, {});
      for (let i = 0; i < 1000 && plane.engine.getRun(first.id)!.state !== "COMPLETED"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // The second run is taken by the process started ahead once the first ran.
      const second = await createDeploymentRun(plane.engine, deployment, {});
      await worker.done;
      for (const run of [first, second]) {
        assert.equal(plane.engine.getRun(run.id)!.state, "COMPLETED");
        await Deno.stat(`${dir}/executed-${run.id}`); // throws when the project's SDK did not run it
      }
    },
  );
});
