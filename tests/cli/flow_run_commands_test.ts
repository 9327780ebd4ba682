/**
 * `ironflow flow-run ...` by one rule: the embedded home, or the server at
 * --api-url / IRONFLOW_API_URL; a run named by id, unique id prefix or name.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../e2e/_server.ts";
import { FLOWS, ironflow, tempHome } from "./_cli.ts";

interface RunAnswer {
  run_id: string;
  state: string;
}

function lastJson<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as T;
}

Deno.test("flow-run reads the runs where `run` wrote them: embedded, and on a server", async (t) => {
  await using home = await tempHome();
  await using server = startTestServer();
  const targets = [
    ["embedded", {}],
    ["IRONFLOW_API_URL", { IRONFLOW_API_URL: server.url }],
  ] as const;
  for (const [where, env] of targets) {
    await t.step(where, async () => {
      const run = await ironflow(
        home.path,
        ["run", `${FLOWS}:squares`, "--param", "n=2", "--json"],
        {
          env,
        },
      );
      assert.equal(run.code, 0, run.stderr);
      const { run_id } = lastJson<RunAnswer>(run.stdout);
      const ls = await ironflow(home.path, ["flow-run", "ls", "--json"], { env });
      assert.equal(ls.code, 0, ls.stderr);
      const runs = JSON.parse(ls.stdout) as Array<{ id: string; run_name: string; state: string }>;
      assert.deepEqual(runs.map((r) => [r.id, r.state]), [[run_id, "COMPLETED"]]);
      const name = runs[0]!.run_name;
      for (const reference of [run_id, run_id.slice(0, 13), name]) {
        const inspect = await ironflow(home.path, ["flow-run", "inspect", reference, "--json"], {
          env,
        });
        assert.equal(inspect.code, 0, inspect.stderr);
        const detail = JSON.parse(inspect.stdout);
        assert.equal(detail.run.id, run_id);
        assert.deepEqual(detail.task_runs.map((r: { run_name: string }) => r.run_name), [
          "square-0",
          "square-1",
        ]);
      }
      const tasks = await ironflow(home.path, ["flow-run", "task-runs", name], { env });
      assert.match(tasks.stdout, /square-1\s+square\s+COMPLETED\s+1/);
      const events = await ironflow(home.path, ["flow-run", "events", name, "--json"], { env });
      const runIds = new Set(JSON.parse(events.stdout).map((e: { run_id: string }) => e.run_id));
      assert.equal(runIds.size, 3, "the flow run's events and those of its two task runs");
      const watch = await ironflow(home.path, ["flow-run", "watch", name], { env });
      assert.equal(watch.code, 0, watch.stderr);
      assert.match(
        watch.stdout,
        new RegExp(`^Flow run ${name} COMPLETED  tasks: completed 2$`, "m"),
      );
      const dag = await ironflow(home.path, ["flow-run", "dag", name, "--json"], { env });
      assert.equal(dag.code, 0, dag.stderr);
      assert.ok(Array.isArray(JSON.parse(dag.stdout).nodes));
    });
  }
});

Deno.test("flow-run against a server: a missing run, a refused action, a retry here", async () => {
  await using home = await tempHome();
  await using server = startTestServer();
  const missing = await ironflow(home.path, ["flow-run", "inspect", "nope"]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error: Flow run "nope" does not exist');
  const failed = await ironflow(home.path, [
    "--api-url",
    server.url,
    "run",
    `${FLOWS}:release`,
    "--param",
    "n=4",
    "--json",
  ], { env: { IRONFLOW_TEST_FAIL: "1" } });
  assert.equal(failed.code, 1);
  const { run_id, state } = lastJson<RunAnswer>(failed.stdout);
  assert.equal(state, "FAILED");
  const cancel = await ironflow(home.path, ["flow-run", "cancel", run_id, "--api-url", server.url]);
  assert.equal(cancel.code, 1);
  assert.match(cancel.stderr, /^Error: .*FAILED/);
  const here = await ironflow(home.path, [
    "flow-run",
    "retry",
    run_id,
    "--module",
    `${FLOWS}:release`,
    "--api-url",
    server.url,
  ]);
  assert.equal(here.code, 0, here.stderr);
  assert.match(here.stdout, /^Attempt 2 of \S+: flow run \S+ COMPLETED$/m);
  const ls = await ironflow(home.path, ["flow-run", "ls", "--json"], {
    env: { IRONFLOW_API_URL: server.url },
  });
  assert.equal(JSON.parse(ls.stdout).length, 2, "both attempts are on the server");
  const local = await ironflow(home.path, ["flow-run", "ls", "--json"]);
  assert.deepEqual(JSON.parse(local.stdout), [], "and none in the embedded home");
});

Deno.test("an unknown option names the nearest one and how to pass a dash value", async () => {
  await using home = await tempHome();
  const out = await ironflow(home.path, ["flow-run", "ls", "--limt", "3"]);
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr.trim(),
    'Error: Unknown option "--limt" for "ironflow flow-run". Did you mean "--limit"? ' +
      'To pass a value that starts with "-", put it after "--", as in: -- "--limt"',
  );
});
