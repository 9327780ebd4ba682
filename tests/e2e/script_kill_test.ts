/**
 * Flow scripts killed with SIGKILL mid-task, with real processes: the next
 * process that opens the home, or a running server, ends the run CRASHED
 * with its task runs within the liveness timeout; a remote script rides out
 * its server being killed and restarted and its run ends truthfully. Every
 * test ends with the database whole and a projection rebuild that changes
 * nothing. Short timeouts come in through the environment; measured times
 * are printed.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createSqliteControlPlane } from "../../sdk/mod.ts";
import {
  alive,
  assertAllTerminal,
  assertStoreWhole,
  freePort,
  kill,
  MAIN,
  pidIn,
  until,
} from "./_kill.ts";

const SCRIPT = new URL("../testdata/sdk/hold_script.ts", import.meta.url).pathname;
const LIVENESS_MS = 1_500;
const SHORT = {
  IRONFLOW_LIVENESS_TIMEOUT_MS: String(LIVENESS_MS),
  IRONFLOW_HEARTBEAT_MS: "300",
  NO_COLOR: "1",
};

function spawn(args: string[], env: Record<string, string>, piped = false): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdin: "null",
    stdout: piped ? "piped" : "null",
    stderr: piped ? "piped" : "null",
  }).spawn();
}

/** Every run in the home's database as `name state`, read beside the processes that write it. */
function statesIn(home: string): string[] {
  const db = new DatabaseSync(`${home}/ironflow.db`, { readOnly: true });
  try {
    const rows = db.prepare(
      "SELECT name, state FROM flow_runs UNION ALL SELECT name, state FROM task_runs",
    ).all() as Array<{ name: string; state: string }>;
    return rows.map((row) => `${row.name} ${row.state}`).sort();
  } finally {
    db.close();
  }
}

async function startServer(home: string, port: number, env: Record<string, string> = SHORT) {
  const server = spawn(
    ["run", "-A", MAIN, "server", "start", "--home", home, "--port", String(port), "--no-worker"],
    { ...env, IRONFLOW_SERVICES_INTERVAL_MS: "200" },
  );
  await until(async () => {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }, "the server to listen");
  return server;
}

/** Ends with the database whole, its projections rebuilt unchanged and no run left live. */
async function assertHomeWhole(home: string): Promise<void> {
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  try {
    assertAllTerminal(plane.engine);
    assertStoreWhole(`${home}/ironflow.db`, plane.engine);
  } finally {
    await plane.close();
  }
}

const CRASHED = ["hold CRASHED", "holding CRASHED", "prepare COMPLETED"];

/** SIGKILLs `script`, then waits for the server to end its run CRASHED; resolves with the ms it took. */
async function killAndAwaitReap(home: string, script: Deno.ChildProcess): Promise<number> {
  kill(script);
  const killedAt = Date.now();
  await script.status;
  await until(
    () => statesIn(home).join() === CRASHED.join(),
    "the server to end the run CRASHED",
    20_000,
  );
  return Date.now() - killedAt;
}

/** Stops `server` (SIGTERM) and checks the home it leaves. */
async function stopAndCheck(server: Deno.ChildProcess, home: string): Promise<void> {
  server.kill("SIGTERM");
  await server.status;
  await assertHomeWhole(home);
}

/** After a test, pass or fail: no process left, no home left. */
async function cleanUp(home: string, ...processes: Deno.ChildProcess[]): Promise<void> {
  for (const process of processes) kill(process);
  for (const process of processes) await process.status;
  await Deno.remove(home, { recursive: true });
}

Deno.test({
  name:
    "A local flow script SIGKILLed mid-task: the next `ironflow flow-run ls` ends it CRASHED with its task runs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_script_kill_test_" });
    const env = { ...SHORT, IRONFLOW_HOME: home, HOLD_DIR: home };
    const script = spawn(["run", "-A", SCRIPT], env);
    try {
      const pid = await until(() => pidIn(`${home}/pid`), "the script's task to hold");
      assert.deepEqual(statesIn(home), ["hold RUNNING", "holding RUNNING", "prepare COMPLETED"]);
      kill(script);
      const killedAt = Date.now();
      await script.status;
      assert.ok(!alive(pid));
      assert.deepEqual(statesIn(home), ["hold RUNNING", "holding RUNNING", "prepare COMPLETED"]);

      // Each `flow-run ls` opens the home; the first one after the deadline reaps the run.
      let listings = 0;
      await until(
        async () => {
          listings += 1;
          const ls = await new Deno.Command(Deno.execPath(), {
            args: ["run", "-A", MAIN, "flow-run", "ls"],
            env,
            stdin: "null",
            stdout: "null",
            stderr: "null",
          }).output();
          assert.equal(ls.code, 0);
          return statesIn(home).join() === CRASHED.join();
        },
        "a listing to end the run CRASHED",
        20_000,
      );
      const crashedMs = Date.now() - killedAt;
      console.log(
        `local script SIGKILL: CRASHED by "flow-run ls" after ${crashedMs} ms ` +
          `(${listings} listing(s), liveness ${LIVENESS_MS} ms)`,
      );
      assert.ok(crashedMs < LIVENESS_MS + 15_000, `${crashedMs} ms`);
      await assertHomeWhole(home);
    } finally {
      kill(script);
      await script.status;
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "A remote flow script SIGKILLed mid-task: the running server ends it CRASHED with its task runs",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_script_kill_test_" });
    const port = freePort();
    const server = await startServer(home, port);
    const env = { ...SHORT, IRONFLOW_API_URL: `http://127.0.0.1:${port}`, HOLD_DIR: home };
    const script = spawn(["run", "-A", SCRIPT], env);
    try {
      await until(() => pidIn(`${home}/pid`), "the script's task to hold");
      await until(
        () => statesIn(home).join() === "hold RUNNING,holding RUNNING,prepare COMPLETED",
        "the task run to be RUNNING",
      );
      const crashedMs = await killAndAwaitReap(home, script);
      console.log(
        `remote script SIGKILL: CRASHED by the server after ${crashedMs} ms (liveness ${LIVENESS_MS} ms)`,
      );
      assert.ok(crashedMs < LIVENESS_MS + 10_000, `${crashedMs} ms`);
      await stopAndCheck(server, home);
    } finally {
      await cleanUp(home, script, server);
    }
  },
});

Deno.test({
  name:
    "A local flow script on a server's home, SIGKILLed: the server reaps it by the script's own liveness timeout and says how long it was silent",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_script_kill_test_" });
    const port = freePort();
    // The server reaps every 200 ms with a 1 s timeout; the script holds its run to its own 4 s.
    const server = await startServer(home, port, {
      ...SHORT,
      IRONFLOW_LIVENESS_TIMEOUT_MS: "1000",
    });
    const scriptTimeoutMs = 4_000;
    const env = {
      ...SHORT,
      IRONFLOW_LIVENESS_TIMEOUT_MS: String(scriptTimeoutMs),
      IRONFLOW_HOME: home,
      HOLD_DIR: home,
    };
    const script = spawn(["run", "-A", SCRIPT], env);
    try {
      await until(() => pidIn(`${home}/pid`), "the script's task to hold");
      await killAndAwaitReap(home, script);
      const db = new DatabaseSync(`${home}/ironflow.db`, { readOnly: true });
      const { message } = db.prepare("SELECT message FROM flow_runs WHERE name = 'holding'")
        .get() as { message: string };
      db.close();
      console.log(`local script on a server's home, SIGKILL: "${message}"`);
      const silentS = Number(/no heartbeat for ([\d.]+) s /.exec(message)?.[1]);
      // Reaped no sooner than the script's own deadline, and worded by it, not by the server's 1 s.
      assert.ok(silentS >= scriptTimeoutMs / 1000, message);
      await stopAndCheck(server, home);
    } finally {
      await cleanUp(home, script, server);
    }
  },
});

Deno.test({
  name:
    "A server SIGKILLed while a remote script runs: the script rides out the outage and its run ends COMPLETED",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_script_kill_test_" });
    const port = freePort();
    // The default liveness timeout (60 s) outlasts the outage: the run stays the script's.
    const env = { NO_COLOR: "1", IRONFLOW_HEARTBEAT_MS: "300" };
    let server = await startServer(home, port, env);
    const script = spawn(["run", "-A", SCRIPT], {
      ...env,
      IRONFLOW_API_URL: `http://127.0.0.1:${port}`,
      IRONFLOW_REMOTE_OUTAGE_MS: "30000",
      HOLD_DIR: home,
    }, true);
    const output = Promise.all([
      new Response(script.stdout).text(),
      new Response(script.stderr).text(),
    ]);
    try {
      await until(() => pidIn(`${home}/pid`), "the script's task to hold");
      kill(server);
      await server.status;
      await Deno.writeTextFile(`${home}/go`, "");
      // The script finishes its task while the server is away, and keeps trying to report it.
      await until(() => Deno.readTextFileSync(`${home}/events`).includes("end"), "the task to end");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      server = await startServer(home, port, env);
      const status = await script.status;
      const [stdout, stderr] = await output;
      assert.equal(status.code, 0, stderr);
      assert.match(stdout, /OUTCOME COMPLETED/);
      await until(
        () => statesIn(home).join() === "hold COMPLETED,holding COMPLETED,prepare COMPLETED",
        "the run to be COMPLETED",
      );
      server.kill("SIGTERM");
      await server.status;
      await assertHomeWhole(home);
    } finally {
      kill(script);
      kill(server);
      await script.status;
      await server.status;
      await Deno.remove(home, { recursive: true });
    }
  },
});
