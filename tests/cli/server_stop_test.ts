/**
 * `ironflow server start` stops on SIGTERM while its embedded worker runs a
 * deployment: the worker stops first, while the server still answers, so the
 * run it terminates is recorded as ended through the API and the process
 * exits. (Stopped in the other order, the worker reported into a closed
 * listener and retried until its deadline.)
 */
import assert from "node:assert/strict";
import { freePort, ironflow, spawnIronflow, tempHome } from "./_cli.ts";

const SLEEPY = new URL("../testdata/deployments/flows.ts", import.meta.url).pathname;

Deno.test("server start exits on SIGTERM while its embedded worker runs a deployment, and the run ends", async () => {
  await using home = await tempHome();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  await using server = spawnIronflow(home.path, ["server", "start", "--port", String(port)]);
  await server.waitFor(/services loop on/);
  await Deno.writeTextFile(
    `${home.path}/ironflow.yaml`,
    `deployments:\n  - name: sleepy\n    entrypoint: ${SLEEPY}:sleepy\n    work_pool: default\n`,
  );
  const env = { IRONFLOW_API_URL: url };
  assert.equal((await ironflow(home.path, ["deploy", "--all"], { cwd: home.path, env })).code, 0);
  const created = await ironflow(home.path, ["deployment", "run", "sleepy"], { env });
  assert.equal(created.code, 0, created.stderr);
  const runId = /\(([0-9a-f-]{36})\)/.exec(created.stdout)![1]!;
  let state = "";
  for (let i = 0; i < 300 && state !== "RUNNING"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await fetch(`${url}/api/runs/${runId}`);
    state = ((await answer.json()) as { state: string }).state;
  }
  assert.equal(state, "RUNNING");

  server.child.kill("SIGTERM");
  const exited = await server.exited(40_000);
  assert.equal(exited.code, 0, exited.stderr);
  const inspect = await ironflow(home.path, ["flow-run", "inspect", runId, "--json"]);
  const { run } = JSON.parse(inspect.stdout) as { run: { state: string } };
  assert.ok(["CRASHED", "CANCELLED"].includes(run.state), `the run ended: ${run.state}`);
});
