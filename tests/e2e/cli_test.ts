/**
 * The `ironflow` CLI end to end, in subprocesses: run flows from a path and a
 * URL, list and inspect runs, export/import the history, and clear errors.
 */
import assert from "node:assert/strict";
import { serveDir } from "./_static_server.ts";
import { runDeno } from "./_deno.ts";
import { startTestServer } from "./_server.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;
const FLOWS = new URL("../testdata/cli/flows.ts", import.meta.url).pathname;

async function ironflow(home: string, ...args: string[]) {
  return await ironflowWith({}, home, ...args);
}

async function ironflowWith(env: Record<string, string>, home: string, ...args: string[]) {
  // --no-lock: modules served from a random local port must not enter deno.lock.
  return await runDeno(["run", "-A", "--no-lock", "--config", CONFIG, MAIN, ...args], {
    env: { IRONFLOW_HOME: home, ...env },
  });
}

Deno.test("ironflow run: a flow from a path with --param, then flow-run ls and inspect", async () => {
  const home = await Deno.makeTempDir();
  try {
    const run = await ironflow(
      home,
      "run",
      `${FLOWS}:squares`,
      "--param",
      "n=3",
      "--param",
      "offset=1",
      "--json",
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    assert.equal(result.state, "COMPLETED");
    assert.equal(result.result, 15);
    const ls = await ironflow(home, "flow-run", "ls", "--json");
    assert.equal(ls.code, 0, ls.stderr);
    const runs = JSON.parse(ls.stdout);
    assert.equal(runs.length, 1);
    assert.equal(runs[0].id, result.run_id);
    const inspect = await ironflow(home, "flow-run", "inspect", result.run_id);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /State\s+COMPLETED/);
    assert.match(inspect.stdout, /square-0/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ironflow run: a flow module from a URL", async () => {
  const home = await Deno.makeTempDir();
  const root = new URL("../../", import.meta.url).pathname;
  await using server = serveDir(root);
  try {
    const url = `${server.url}tests/testdata/cli/flows.ts:squares`;
    const run = await ironflow(home, "run", url, "--params", "[2]", "--json");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout.trim().split("\n").at(-1)!).result, 5);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ironflow run: clear errors and exit code 1", async (t) => {
  const home = await Deno.makeTempDir();
  try {
    const cases: Array<[string, string[], RegExp]> = [
      ["module not found", ["run", "./does/not/exist.ts"], /Cannot import flow module/],
      ["no such export", ["run", `${FLOWS}:nope`], /has no export named "nope"/],
      ["not a flow", ["run", `${FLOWS}:notAFlow`], /is not a flow/],
      ["several flows", ["run", FLOWS], /exports several flows/],
      ["unknown parameter", ["run", `${FLOWS}:squares`, "--param", "m=1"], /Unknown parameter "m"/],
      ["failing flow", ["run", `${FLOWS}:broken`], /broken on purpose/],
      ["unknown command", ["frobnicate"], /Unknown command "frobnicate"/],
    ];
    for (const [name, args, pattern] of cases) {
      await t.step(name, async () => {
        const result = await ironflow(home, ...args);
        assert.equal(result.code, 1, result.stdout);
        assert.match(result.stderr, pattern);
      });
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ironflow db export, import into a new home and rebuild keep every run", async () => {
  const home = await Deno.makeTempDir();
  const copy = await Deno.makeTempDir();
  try {
    assert.equal((await ironflow(home, "run", `${FLOWS}:squares`, "--param", "n=2")).code, 0);
    const file = `${home}/events.jsonl`;
    const exported = await ironflow(home, "db", "export", "--out", file);
    assert.equal(exported.code, 0, exported.stderr);
    const imported = await ironflow(copy, "db", "import", file);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Imported \d+ events/);
    const rebuilt = await ironflow(copy, "db", "rebuild");
    assert.match(rebuilt.stdout, /Rebuilt 1 flow runs and 2 task runs/);
    const a = JSON.parse((await ironflow(home, "flow-run", "ls", "--json")).stdout);
    const b = JSON.parse((await ironflow(copy, "flow-run", "ls", "--json")).stdout);
    assert.deepEqual(b, a);
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("ironflow version prints the versions", async () => {
  const home = await Deno.makeTempDir();
  try {
    const result = await ironflow(home, "version");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^ironflow \d+\.\d+\.\d+\ndeno \d+\.\d+\.\d+\nstore schema \d+/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ironflow flow-run retry runs a new attempt that restores completed task runs", async () => {
  const home = await Deno.makeTempDir();
  try {
    const failed = await ironflowWith(
      { IRONFLOW_TEST_FAIL: "1" },
      home,
      "run",
      `${FLOWS}:release`,
      "--param",
      "n=4",
      "--json",
    );
    assert.equal(failed.code, 1);
    const first = JSON.parse(failed.stdout.trim().split("\n").at(-1)!);
    assert.equal(first.state, "FAILED");
    const retried = await ironflow(
      home,
      "flow-run",
      "retry",
      first.run_id,
      "--module",
      `${FLOWS}:release`,
      "--json",
    );
    assert.equal(retried.code, 0, retried.stderr);
    const second = JSON.parse(retried.stdout);
    assert.equal(second.state, "COMPLETED");
    assert.equal(second.attempt, 2);
    const inspect = await ironflow(home, "flow-run", "inspect", second.run_id, "--json");
    const tasks = JSON.parse(inspect.stdout).task_runs as Array<
      { name: string; state_name: string }
    >;
    assert.deepEqual(tasks.map((t) => `${t.name}:${t.state_name}`).sort(), [
      "prepare:Cached",
      "publish:Completed",
    ]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a compiled binary runs path flows in a deno subprocess, with clear errors", async (t) => {
  const home = await Deno.makeTempDir();
  // IRONFLOW_FORCE_SUBPROCESS takes the compiled binary's path under `deno run`.
  const compiled = { IRONFLOW_FORCE_SUBPROCESS: "1" };
  try {
    await t.step("runs the flow and reports its outcome", async () => {
      const run = await ironflowWith(
        compiled,
        home,
        "run",
        `${FLOWS}:squares`,
        "--param",
        "n=3",
        "--json",
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout.trim().split("\n").at(-1)!).result, 14);
      const ls = JSON.parse((await ironflow(home, "flow-run", "ls", "--json")).stdout);
      assert.equal(ls[0].state, "COMPLETED");
    });
    await t.step("no such export", async () => {
      const run = await ironflowWith(compiled, home, "run", `${FLOWS}:nope`);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /no export named "nope"/);
    });
    await t.step("Deno missing", async () => {
      const run = await ironflowWith(
        { ...compiled, IRONFLOW_DENO: "/nonexistent/deno" },
        home,
        "run",
        FLOWS,
      );
      assert.equal(run.code, 1);
      assert.match(run.stderr, /Deno is needed to run .*"ironflow build --flows/);
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("ironflow run reports to the server named by IRONFLOW_API_URL", async () => {
  const home = await Deno.makeTempDir();
  await using server = startTestServer();
  const engine = server.engine;
  try {
    const run = await ironflowWith(
      { IRONFLOW_API_URL: server.url },
      home,
      "run",
      `${FLOWS}:squares`,
      "--param",
      "n=2",
      "--json",
    );
    assert.equal(run.code, 0, run.stderr);
    const { run_id } = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    assert.equal(engine.getRun(run_id)?.state, "COMPLETED");
    assert.equal(engine.listRuns({ kind: "task", parentId: run_id }).items.length, 2);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("every command answers --help with its usage", async (t) => {
  const home = await Deno.makeTempDir();
  try {
    for (
      const command of [
        "run",
        "plan",
        "build",
        "server",
        "flow-run",
        "db",
        "deploy",
        "deployment",
        "worker",
        "demo",
      ]
    ) {
      await t.step(command, async () => {
        const result = await ironflow(home, command, "--help");
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /Usage: ironflow/);
      });
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
