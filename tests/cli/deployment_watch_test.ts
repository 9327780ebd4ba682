/**
 * `ironflow deployment run NAME --watch`: follows the run a worker executes
 * to its end, with its log lines under --logs, and exits 0 COMPLETED,
 * 1 FAILED or CRASHED, 2 CANCELLED. Prefect's `prefect deployment run
 * --watch` (https://docs.prefect.io/v3/api-ref/cli/deployment) exits non-zero
 * when the run does not complete; the codes by state are IronFlow's.
 */
import assert from "node:assert/strict";
import { freePort, ironflow, spawnIronflow, tempHome } from "./_cli.ts";

const CHATTY = new URL("../testdata/cli/logging_flows.ts", import.meta.url).pathname;

const MANIFEST = `deployments:
  - name: chatty
    entrypoint: ${CHATTY}:chatty
    work_pool: default
  - name: chatty-fails
    entrypoint: ${CHATTY}:chatty
    parameters: { fail: true }
    work_pool: default
`;

async function project(home: string, env: Record<string, string> = {}): Promise<void> {
  await Deno.writeTextFile(`${home}/ironflow.yaml`, MANIFEST);
  const out = await ironflow(home, ["deploy", "--all"], { cwd: home, env });
  assert.equal(out.code, 0, out.stderr);
}

Deno.test("deployment run --watch --logs on the embedded home: a worker runs it, exit 0 on COMPLETED", async () => {
  await using home = await tempHome();
  await project(home.path);
  await using watch = spawnIronflow(home.path, [
    "deployment",
    "run",
    "chatty",
    "--watch",
    "--logs",
  ]);
  await watch.waitFor(/^Created flow run \S+ \([0-9a-f-]+\) Scheduled$/m);
  // The watch reports each state it sees: the worker starts once SCHEDULED was seen (a worker
  // claiming first would make PENDING the first state it sees).
  await watch.waitFor(/^Flow run \S+ SCHEDULED$/m);
  const worker = await ironflow(home.path, ["worker", "start", "--max-runs", "1"]);
  assert.equal(worker.code, 0, worker.stderr);
  const out = await watch.exited();
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stdout.trim().split("\n");
  assert.match(lines[0]!, /^Created flow run (\S+) \(([0-9a-f-]+)\) Scheduled$/);
  assert.match(out.stdout, /^Flow run \S+ SCHEDULED$/m);
  assert.match(out.stdout, /Z WARNING {2}flow: chatty starts\n.*Z INFO {5}step-0: step 1 done\n/);
  assert.match(out.stdout, /Z INFO {5}step-1: step 2 done\n/);
  assert.match(lines.at(-1)!, /^Flow run \S+ COMPLETED {2}tasks: completed 2$/);
});

Deno.test("deployment run --watch against a server: exit 1 with the error on FAILED", async () => {
  await using home = await tempHome();
  const url = `http://127.0.0.1:${freePort()}`;
  await using server = spawnIronflow(home.path, [
    "server",
    "start",
    "--port",
    url.split(":").at(-1)!,
  ], { env: { IRONFLOW_SERVICES_INTERVAL_MS: "200" } });
  await server.waitFor(/services loop on/);
  await project(home.path, { IRONFLOW_API_URL: url });
  // The server's embedded worker runs it.
  const out = await ironflow(home.path, ["deployment", "run", "chatty-fails", "--watch"], {
    env: { IRONFLOW_API_URL: url },
  });
  assert.equal(out.code, 1, out.stdout + out.stderr);
  assert.match(out.stdout, /^Flow run \S+ FAILED {2}tasks: completed 2$/m);
  assert.match(out.stderr, /^Error: chatty failed on purpose$/m);
  assert.doesNotMatch(out.stdout, /step 1 done/, "no log lines without --logs");

  const json = await ironflow(home.path, [
    "deployment",
    "run",
    "chatty",
    "--watch",
    "--json",
  ], { env: { IRONFLOW_API_URL: url } });
  assert.equal(json.code, 0, json.stderr);
  const answer = JSON.parse(json.stdout) as { run_id: string; state: string };
  assert.equal(answer.state, "COMPLETED");
});

Deno.test("deployment run --watch exits 2 when the run is cancelled", async () => {
  await using home = await tempHome();
  await project(home.path);
  // No worker: the run waits SCHEDULED until it is cancelled.
  await using watch = spawnIronflow(home.path, ["deployment", "run", "chatty", "--watch"]);
  const created = await watch.waitFor(/^Created flow run \S+ \(([0-9a-f-]+)\) Scheduled$/m);
  const runId = created.match(/\(([0-9a-f-]+)\)/)![1]!;
  const cancel = await ironflow(home.path, ["flow-run", "cancel", runId]);
  assert.equal(cancel.code, 0, cancel.stderr);
  const out = await watch.exited();
  assert.equal(out.code, 2, out.stdout + out.stderr);
  assert.match(out.stdout, /^Flow run \S+ CANCELLED$/m);
});

Deno.test("deployment run --logs without --watch is refused", async () => {
  await using home = await tempHome();
  await project(home.path);
  const out = await ironflow(home.path, ["deployment", "run", "chatty", "--logs"]);
  assert.equal(out.code, 1);
  assert.equal(
    out.stderr.trim(),
    "Error: --logs follows the run's log lines: pass --watch with it",
  );
});
