/**
 * Compile-readiness without `denort`: `main.ts` bundles into one file that
 * runs from an empty directory — CLI, server, dashboard, API and flow runs —
 * and nothing in the product reads the project's own files at run time.
 */
import assert from "node:assert/strict";
import { runDeno } from "./_deno.ts";
import { WORKER_MODULES } from "../../cli/compile_entry.ts";
import { freshPostgresDatabase, POSTGRES_SKIP, POSTGRES_URL } from "../engine/_helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PRODUCT = ["engine", "sdk", "server", "ui", "cli"];

async function* productFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* productFiles(path);
    else if (/\.(ts|tsx)$/.test(entry.name)) yield path;
  }
}

Deno.test("no product module reads the project's own files through import.meta", async () => {
  const offenders: string[] = [];
  const files = [`${ROOT}main.ts`];
  for (const folder of PRODUCT) {
    for await (const file of productFiles(`${ROOT}${folder}`)) files.push(file);
  }
  for (const file of files) {
    const source = await Deno.readTextFile(file);
    source.split("\n").forEach((line, i) => {
      const selfRelative = /import\.meta\.(url|dirname|filename)/.test(line);
      const reads = /Deno\.(readTextFile|readFile|open|readDir)|readFileSync|fetch\(/.test(line);
      // A Worker entry is a module of the graph, not a file read.
      if (selfRelative && reads) {
        offenders.push(`${file.slice(ROOT.length)}:${i + 1}: ${line.trim()}`);
      }
      if (/import\.meta\.(dirname|filename)/.test(line) && !line.trim().startsWith("*")) {
        offenders.push(`${file.slice(ROOT.length)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(offenders, []);
});

/** A flow module `hello(name)` importing the SDK of this checkout, in `dir`. */
async function writeHelloFlow(dir: string): Promise<string> {
  const path = `${dir}/hello.ts`;
  await Deno.writeTextFile(
    path,
    `import { flow, task } from "${ROOT}sdk/mod.ts";\n` +
      `const greet = task({ name: "greet" }, async (name: string) => "hello " + name);\n` +
      `export const hello = flow({ name: "hello" }, async (name: string) => await greet(name));\n`,
  );
  return path;
}

function run(cwd: string, bundle: string, env: Record<string, string>, ...args: string[]) {
  return runDeno(["run", "-A", bundle, ...args], { cwd, env });
}

Deno.test({
  name:
    "the bundled main.ts runs the CLI, a flow, the server, the dashboard and the API from an empty directory",
  async fn() {
    const out = await Deno.makeTempDir();
    const empty = await Deno.makeTempDir();
    try {
      // The entry `deno task compile` compiles: the CLI with the SDK's sources embedded.
      const bundle = await bundleWithWorkers(out, false);
      const env = { IRONFLOW_HOME: `${empty}/home` };

      const version = await run(empty, bundle, env, "version");
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^ironflow \d/);

      const demo = await run(empty, bundle, env, "demo");
      assert.equal(demo.code, 0, demo.stderr);
      assert.match(demo.stdout, /ended COMPLETED with result 12/);
      assert.match(demo.stdout, /AwaitingRetry/);

      const flowFile = await writeHelloFlow(empty);
      const ran = await run(
        empty,
        bundle,
        env,
        "run",
        flowFile,
        "--param",
        "name=bundle",
        "--json",
      );
      assert.equal(ran.code, 0, ran.stderr);
      assert.equal(JSON.parse(ran.stdout.trim().split("\n").at(-1)!).result, "hello bundle");

      // The SDK of this version, written by the bundle without the IronFlow sources.
      const exported = await run(empty, bundle, env, "sdk", "export", "vendor/ironflow");
      assert.equal(exported.code, 0, exported.stderr);
      const copy = `${empty}/vendor/ironflow`;
      assert.match(await Deno.readTextFile(`${copy}/sdk/mod.ts`), /export \{/);
      const checked = await new Deno.Command(Deno.execPath(), {
        args: ["check", "--no-config", "--no-lock", `${copy}/sdk/mod.ts`],
        cwd: empty,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(checked.code, 0, new TextDecoder().decode(checked.stderr));

      const plan = await run(empty, bundle, env, "plan", `${ROOT}examples/etl.ts:etl`);
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /extract#0 \(map\)/);

      const server = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", bundle, "server", "start", "--port", "0", "--no-worker"],
        cwd: empty,
        env: { NO_COLOR: "1", ...env },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      try {
        const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let banner = "";
        for (let i = 0; i < 50 && !/http:\/\/[\d.]+:\d+\//.test(banner); i++) {
          const { value, done } = await reader.read();
          if (done) break;
          banner += value;
        }
        const base = banner.match(/http:\/\/[\d.]+:\d+\//)![0];
        const health = await fetch(`${base}health`);
        assert.equal(health.status, 200);
        assert.equal((await health.json()).status, "ok");
        const page = await fetch(base);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<html/);
        const runs = await (await fetch(`${base}api/flow-runs?flow_name=etl`)).json();
        assert.equal(runs.items.length, 1);
        const detail = await fetch(`${base}runs/${runs.items[0].id}`);
        assert.equal(detail.status, 200);
        await detail.body?.cancel();
        reader.releaseLock();

        // A deployment run, claimed by `worker start` from the bundle and run in a subprocess.
        const created = await fetch(`${base}api/deployments`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            name: "hello-dep",
            flow_name: "hello",
            entrypoint: `${flowFile}:hello`,
          }),
        });
        assert.equal(created.status, 201, await created.clone().text());
        await created.body?.cancel();
        const triggered = await fetch(`${base}api/deployments/hello-dep/run`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ parameters: { name: "worker" } }),
        });
        const deploymentRun = await triggered.json();
        const worker = await run(
          empty,
          bundle,
          { ...env, IRONFLOW_API_URL: base.slice(0, -1) },
          "worker",
          "start",
          "--exit-when-idle",
        );
        assert.equal(worker.code, 0, worker.stderr);
        const finished = await (await fetch(`${base}api/flow-runs/${deploymentRun.id}`)).json();
        assert.equal(finished.run.state, "COMPLETED", JSON.stringify(finished));
      } finally {
        server.kill("SIGTERM");
        await server.status;
        await server.stdout.cancel().catch(() => {});
        await server.stderr.cancel();
      }
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(empty, { recursive: true });
    }
  },
});

/**
 * Writes the entry `deno task compile` compiles and bundles it to
 * `<out>/ironflow.js`; the modules IronFlow starts as workers are bundled
 * beside it under their own names, where `deno compile --include` puts them
 * in a binary.
 */
async function bundleWithWorkers(out: string, withWorkers = true): Promise<string> {
  const entry = await runDeno(["run", "-A", `${ROOT}cli/compile_entry.ts`, `${out}/entry.ts`], {
    cwd: ROOT,
  });
  assert.equal(entry.code, 0, entry.stderr);
  const targets = [
    [`${out}/entry.ts`, `${out}/ironflow.js`],
    ...(withWorkers ? WORKER_MODULES : []).map((module) => [
      module,
      `${out}/${module.split("/").at(-1)}`,
    ]),
  ];
  for (const [source, target] of targets) {
    const built = await runDeno(["bundle", "--platform", "deno", "-o", target!, source!], {
      cwd: ROOT,
    });
    assert.equal(built.code, 0, built.stderr);
  }
  return `${out}/ironflow.js`;
}

Deno.test({
  name: `the bundled CLI runs a flow on PostgreSQL (IRONFLOW_DATABASE_URL)${
    POSTGRES_URL === undefined ? ` (${POSTGRES_SKIP})` : ""
  }`,
  ignore: POSTGRES_URL === undefined,
  async fn() {
    await using db = await freshPostgresDatabase();
    const out = await Deno.makeTempDir();
    const empty = await Deno.makeTempDir();
    try {
      const env = { IRONFLOW_HOME: `${empty}/home`, IRONFLOW_DATABASE_URL: db.url };
      // Built without the connection's module, it says so at once (not after the batch timeout).
      const lacking = await run(empty, await bundleWithWorkers(out, false), env, "flow-run", "ls");
      assert.equal(lacking.code, 1);
      assert.match(lacking.stderr, /lacks its connection module .*_postgres_bridge_worker\.ts/);
      const bundle = await bundleWithWorkers(out);
      const flowFile = await writeHelloFlow(empty);
      const ran = await run(empty, bundle, env, "run", flowFile, "--param", "name=pg", "--json");
      assert.equal(ran.code, 0, ran.stderr);
      const { run_id, result } = JSON.parse(ran.stdout.trim().split("\n").at(-1)!);
      assert.equal(result, "hello pg");
      // The sources' CLI finds the run in the database, not in a SQLite home.
      const listed = await runDeno(
        ["run", "-A", "--config", `${ROOT}deno.json`, `${ROOT}main.ts`, "flow-run", "ls", "--json"],
        {
          cwd: empty,
          env: { IRONFLOW_HOME: `${empty}/other-home`, IRONFLOW_DATABASE_URL: db.url },
        },
      );
      assert.equal(listed.code, 0, listed.stderr);
      assert.deepEqual(
        (JSON.parse(listed.stdout) as Array<{ id: string; state: string }>).map((r) => [
          r.id,
          r.state,
        ]),
        [[run_id, "COMPLETED"]],
      );
    } finally {
      await Deno.remove(out, { recursive: true });
      await Deno.remove(empty, { recursive: true });
    }
  },
});
