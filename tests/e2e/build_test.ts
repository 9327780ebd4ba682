/**
 * `ironflow build`: the generated entry embeds flow modules so the binary runs
 * them by name. `deno compile` itself needs `denort`, which cannot be
 * downloaded here, so the test runs the generated entry with `deno run` — the
 * same module graph the compiler would embed.
 */
import assert from "node:assert/strict";
import { runDeno } from "./_deno.ts";
import { WORKER_MODULES } from "../../cli/compile_entry.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = `${ROOT}deno.json`;

function deno(cwd: string, env: Record<string, string>, ...args: string[]) {
  return runDeno(args, { cwd, env });
}

Deno.test("ironflow build generates an entry whose flows run by name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { IRONFLOW_HOME: `${dir}/home` };
    const dry = await deno(
      ROOT,
      env,
      "run",
      "-A",
      "--config",
      CONFIG,
      `${ROOT}main.ts`,
      "build",
      "--flows",
      "examples/etl.ts",
      "-o",
      `${dir}/myflows`,
      "--dry-run",
    );
    assert.equal(dry.code, 0, dry.stderr);
    const [entry, command] = dry.stdout.split("\ndeno compile");
    assert.match(entry!, /import "file:\/\/.*\/examples\/etl\.ts";/);
    assert.match(command!, /--output .*myflows/);
    // The modules started as workers are embedded too: else the binary has no
    // worker task runner and cannot open a PostgreSQL database.
    assert.match(command!, /--include \S*\/sdk\/worker_entry\.ts/);
    assert.match(command!, /--include \S*\/engine\/store\/_postgres_bridge_worker\.ts/);
    const entryPath = `${dir}/entry.ts`;
    await Deno.writeTextFile(entryPath, entry!);
    const ran = await deno(
      dir,
      env,
      "run",
      "-A",
      "--config",
      CONFIG,
      entryPath,
      "run",
      "etl",
      "--json",
    );
    assert.equal(ran.code, 0, ran.stderr);
    const result = JSON.parse(ran.stdout.trim().split("\n").at(-1)!);
    assert.equal(result.state, "COMPLETED");
    assert.equal(result.result, 9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ironflow build refuses missing flow modules and a missing output", async () => {
  const main = `${ROOT}main.ts`;
  const missing = await deno(
    ROOT,
    {},
    "run",
    "-A",
    "--config",
    CONFIG,
    main,
    "build",
    "--flows",
    "nope.ts",
    "-o",
    "x",
  );
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Flow module "nope.ts" does not exist/);
  const noOutput = await deno(
    ROOT,
    {},
    "run",
    "-A",
    "--config",
    CONFIG,
    main,
    "build",
    "--flows",
    "examples/etl.ts",
  );
  assert.equal(noOutput.code, 1);
  assert.match(noOutput.stderr, /Name the output binary with -o/);
});

Deno.test("deno task compile embeds every module IronFlow starts as a worker", async () => {
  const config = JSON.parse(await Deno.readTextFile(CONFIG)) as { tasks: Record<string, string> };
  for (const module of WORKER_MODULES) {
    const relative = module.slice(ROOT.length);
    assert.ok(
      config.tasks.compile!.includes(`--include ${relative}`),
      `deno.json's compile task lacks --include ${relative}`,
    );
  }
});
