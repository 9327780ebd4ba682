/**
 * `ironflow task-run ls|inspect|logs` and `ironflow artifact ls|inspect`.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../e2e/_server.ts";
import { FLOWS, ironflow, tempHome } from "./_cli.ts";

Deno.test("task-run ls, inspect and logs, and artifact ls, on a server", async () => {
  await using home = await tempHome();
  await using server = startTestServer();
  const env = { IRONFLOW_API_URL: server.url };
  const run = await ironflow(home.path, ["run", `${FLOWS}:squares`, "--param", "n=2", "--json"], {
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  const runId = JSON.parse(run.stdout.trim().split("\n").at(-1)!).run_id as string;
  const ls = await ironflow(home.path, ["task-run", "ls", runId.slice(0, 12), "--json"], { env });
  assert.equal(ls.code, 0, ls.stderr);
  const tasks = JSON.parse(ls.stdout) as Array<{ id: string; run_name: string }>;
  assert.deepEqual(tasks.map((t) => t.run_name), ["square-0", "square-1"]);
  const inspect = await ironflow(home.path, ["task-run", "inspect", tasks[1]!.id], { env });
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /^Task run\s+square-1 /m);
  assert.match(inspect.stdout, /^State\s+COMPLETED$/m);
  const logs = await ironflow(home.path, ["task-run", "logs", tasks[0]!.id, "--json"], { env });
  assert.ok(Array.isArray(JSON.parse(logs.stdout)));
  const artifacts = await ironflow(home.path, ["artifact", "ls", runId], { env });
  assert.equal(artifacts.stdout.trim(), "No artifacts.");
  const missing = await ironflow(home.path, ["artifact", "inspect", "nope"], { env });
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error: Artifact "nope" does not exist');
  const noTask = await ironflow(home.path, ["task-run", "inspect", "nope"]);
  assert.equal(noTask.code, 1);
  assert.equal(noTask.stderr.trim(), 'Error: Task run "nope" does not exist');
});
