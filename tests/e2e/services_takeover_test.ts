/**
 * Leadership of the services loop and store faults with real processes:
 * `ironflow server start` twice on one SQLite file, SIGKILL of the leader,
 * a restart of the same node, and a damaged database refused at start.
 * Short real timeouts come in through the environment; the measured
 * takeover times are printed.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { createSqliteControlPlane } from "../../sdk/mod.ts";
import { freePort } from "./_kill.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const INTERVAL_MS = 200;
// Longer than a server's start-up, so a restart that waited for it would show.
const LEASE_MS = 6_000;

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string) {
  const start = Date.now();
  while (true) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - start > 60_000) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function startServer(home: string, node: string, port: number): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "server",
      "start",
      "--home",
      home,
      "--port",
      String(port),
      "--no-worker",
    ],
    env: {
      IRONFLOW_NODE_ID: node,
      IRONFLOW_SERVICES_INTERVAL_MS: String(INTERVAL_MS),
      IRONFLOW_LEADER_LEASE_MS: String(LEASE_MS),
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

interface Lease {
  holder: string;
  expiresAt: number;
  since: number;
}

/** The services lease as stored, read by this process (a WAL reader beside the servers). */
function leaseOf(path: string): Lease | null {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare(
      "SELECT data FROM documents WHERE collection = 'service_leader' AND key = 'services'",
    ).get() as { data: string } | undefined;
    return row ? JSON.parse(row.data) as Lease : null;
  } finally {
    db.close();
  }
}

async function healthy(port: number): Promise<true | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    await res.body?.cancel();
    return res.ok ? true : undefined;
  } catch {
    return undefined;
  }
}

Deno.test({
  name:
    "services leadership: a second server takes over from a SIGKILLed leader within the lease, the same node at once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "ironflow_takeover_test_" });
    const path = `${home}/ironflow.db`;
    const plane = createSqliteControlPlane(path);
    const deployment = await new DeploymentService(plane.engine).create({
      name: "each-second",
      entrypoint: "./a.ts:a",
      schedules: [{
        kind: "interval",
        intervalSeconds: 1,
        anchor: 0,
        timezone: "UTC",
        active: true,
        catchup: "skip",
      }],
    });
    const [portA, portB] = [freePort(), freePort()];
    const servers: Deno.ChildProcess[] = [];
    const slotRunAfter = (at: number) =>
      plane.engine.listRuns({ kind: "flow", deploymentId: deployment.id, limit: 500 }).items
          .some((run) => run.expectedStartTime! > at && run.expectedStartTime! <= at + 2_000)
        ? true
        : undefined;
    try {
      const a = startServer(home, "node-a", portA);
      servers.push(a);
      await until(() => leaseOf(path)?.holder === "node-a" || undefined, "node-a to lead");
      const b = startServer(home, "node-b", portB);
      servers.push(b);
      await until(() => healthy(portB), "node-b to serve");
      await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL_MS));
      assert.equal(leaseOf(path)?.holder, "node-a", "one leader at a time");

      // 1. The leader dies: the other server leads once the lease ran out.
      a.kill("SIGKILL");
      await a.status;
      const killedA = Date.now();
      await until(() => leaseOf(path)?.holder === "node-b" || undefined, "node-b to take over");
      const takeover = Date.now() - killedA;
      await until(() => slotRunAfter(killedA + LEASE_MS), "node-b to schedule");
      console.log(
        `takeover by another node after SIGKILL: ${takeover} ms (lease ${LEASE_MS} ms, tick ${INTERVAL_MS} ms)`,
      );
      assert.ok(takeover <= LEASE_MS + 3 * INTERVAL_MS + 1_000, `${takeover} ms`);

      // 2. The leader dies and is restarted as the same node: it leads at once.
      b.kill("SIGKILL");
      await b.status;
      const killedB = Date.now();
      const restarted = startServer(home, "node-b", portB);
      servers.push(restarted);
      await until(
        () => (leaseOf(path)?.since ?? 0) > killedB || undefined,
        "the restarted node-b to lead",
      );
      const retaken = Date.now() - killedB;
      console.log(
        `takeover by the same node restarted after SIGKILL: ${retaken} ms, start-up included ` +
          `(lease ${LEASE_MS} ms)`,
      );
      assert.ok(retaken < LEASE_MS, `${retaken} ms: the restart did not wait for its own lease`);
      await until(() => slotRunAfter(Date.now()), "the restarted node to schedule");

      // 3. A clean stop hands the lease back.
      restarted.kill("SIGTERM");
      assert.equal((await restarted.status).code, 0);
      assert.equal(leaseOf(path), null, "the lease is released on a clean stop");

      // The database is whole and its projections are what the event log says.
      const db = new DatabaseSync(path);
      const checks = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
      assert.deepEqual(checks.map((row) => row.integrity_check), ["ok"]);
      db.close();
      const before = plane.engine.listRuns({ kind: "flow", limit: 1000 }).items;
      const summary = plane.engine.summary();
      plane.engine.rebuildProjections();
      assert.deepEqual(plane.engine.listRuns({ kind: "flow", limit: 1000 }).items, before);
      assert.deepEqual(plane.engine.summary(), summary);
      assert.ok(before.length > 0);
    } finally {
      for (const server of servers) {
        try {
          server.kill("SIGKILL");
        } catch { /* already gone */ }
        await server.status;
      }
      await plane.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("server start refuses a damaged database with one line and exit code 1; db export --skip-integrity-check still reads it", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_corrupt_test_" });
  try {
    const path = `${home}/ironflow.db`;
    const plane = createSqliteControlPlane(path);
    await Promise.all(
      Array.from({ length: 400 }, () => plane.engine.createFlowRun({ name: "etl" })),
    );
    await plane.close();
    const { size } = await Deno.stat(path);
    {
      using file = await Deno.open(path, { write: true });
      await file.seek(Math.floor(size / 2 / 4096) * 4096, Deno.SeekMode.Start);
      await file.write(new Uint8Array(8192).fill(0x5a));
    }
    const run = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MAIN, ...args],
        env: { IRONFLOW_HOME: home, NO_COLOR: "1" },
        stdin: "null",
      }).output();
    const start = await run("server", "start", "--port", String(freePort()), "--no-worker");
    const stderr = new TextDecoder().decode(start.stderr).trim();
    assert.equal(start.code, 1);
    assert.equal(stderr.split("\n").length, 1, stderr);
    assert.match(stderr, /^Error: Database ".*ironflow\.db" failed its integrity check/);
    assert.match(stderr, /ironflow db export --skip-integrity-check/);
    const exported = await run(
      "db",
      "export",
      "--skip-integrity-check",
      "--out",
      `${home}/e.jsonl`,
    );
    assert.equal(exported.code, 0, new TextDecoder().decode(exported.stderr));
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
