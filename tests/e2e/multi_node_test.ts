/**
 * Several servers on one PostgreSQL database, with real processes: two
 * `ironflow server start` on one database, two workers, scheduled and
 * triggered deployment runs and remote flows through both servers, then a
 * SIGKILL of the server holding the services lease under that load. The
 * other server takes over within the lease; no schedule slot gets two runs,
 * no run is claimed twice, none is lost, and an SSE client of the surviving
 * server saw every committed event (another one resumed there with
 * Last-Event-ID after its server died).
 */
import assert from "node:assert/strict";
import { isTerminal } from "../../engine/mod.ts";
import type { ApiDeployment } from "../../wire/mod.ts";
import { createPostgresControlPlane } from "../../sdk/mod.ts";
import { freshPostgresDatabase, POSTGRES_SKIP, POSTGRES_URL } from "../engine/_helpers.ts";
import { runDeno } from "./_deno.ts";
import { freePort, kill, MAIN, until } from "./_kill.ts";

const INTERVAL_MS = 200;
const LEASE_MS = 3_000;
const FLOWS = new URL("../testdata/deployments/", import.meta.url).pathname;
const CLI_FLOWS = new URL("../testdata/cli/flows.ts", import.meta.url).pathname;

function spawn(args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1", ...env },
    cwd: FLOWS,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

function startServer(url: string, node: string, port: number, home: string): Deno.ChildProcess {
  return spawn(["server", "start", "--port", String(port), "--no-worker", "--home", home], {
    IRONFLOW_DATABASE_URL: url,
    IRONFLOW_NODE_ID: node,
    IRONFLOW_SERVICES_INTERVAL_MS: String(INTERVAL_MS),
    IRONFLOW_LEADER_LEASE_MS: String(LEASE_MS),
  });
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Collects the seqs of `transition` messages of a server's event stream until aborted. */
function watchEvents(port: number, seqs: number[], lastEventId?: number) {
  const abort = new AbortController();
  const done = (async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/stream/events`, {
        signal: abort.signal,
        headers: lastEventId === undefined ? {} : { "Last-Event-ID": String(lastEventId) },
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = frame.match(/^id: ?(\d+)$/m);
          if (id && /^event: ?transition$/m.test(frame)) seqs.push(Number(id[1]));
        }
      }
    } catch {
      // Aborted, or the server died: the caller knows which.
    }
  })();
  return { stop: () => abort.abort(), done };
}

/**
 * A load balancer in front of the servers, as production has: each request
 * goes to the next server in turn, and to another one when that one does
 * not answer.
 */
function startBalancer(ports: readonly number[]): Deno.HttpServer<Deno.NetAddr> {
  let next = 0;
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
    const headers = new Headers(req.headers);
    headers.delete("host");
    next = (next + 1) % ports.length;
    for (let i = 0; i < ports.length; i++) {
      const port = ports[(next + i) % ports.length]!;
      try {
        return await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
          method: req.method,
          headers,
          redirect: "manual",
          ...(body ? { body } : {}),
        });
      } catch {
        // That server is gone: the next one answers.
      }
    }
    return new Response("no server answers", { status: 502 });
  });
}

async function post(port: number, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}/api${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, JSON.stringify(json));
  return json;
}

Deno.test({
  name:
    `two servers on one PostgreSQL database: SIGKILL of the services leader under load loses nothing${
      POSTGRES_URL ? "" : ` (${POSTGRES_SKIP})`
    }`,
  ignore: !POSTGRES_URL,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using db = await freshPostgresDatabase();
    const home = await Deno.makeTempDir({ prefix: "ironflow_multi_node_" });
    const processes: Deno.ChildProcess[] = [];
    const watchers: ReturnType<typeof watchEvents>[] = [];
    const plane = createPostgresControlPlane(db.url);
    let balancer: Deno.HttpServer<Deno.NetAddr> | undefined;
    try {
      const [portA, portB] = [freePort(), freePort()];
      const a = startServer(db.url, "node-a", portA, `${home}/a`);
      processes.push(a);
      await until(() => healthy(portA), "node-a to serve", 60_000);
      const b = startServer(db.url, "node-b", portB, `${home}/b`);
      processes.push(b);
      await until(() => healthy(portB), "node-b to serve", 60_000);
      const lease = () =>
        plane.engine.reader.getDocument("service_leader", "services")?.data as
          | { holder: string }
          | undefined;
      await until(() => lease()?.holder === "node-a", "node-a to lead");

      const seenOnB: number[] = [];
      const seenOnA: number[] = [];
      watchers.push(watchEvents(portB, seenOnB, 0));
      watchers.push(watchEvents(portA, seenOnA, 0));

      const deployment = await post(portA, "/deployments", {
        name: "every-two-seconds",
        entrypoint: "./flows.ts:add",
        parameters: { a: 1, b: 2 },
        schedules: [{ interval: 2, anchor_date: new Date(0).toISOString() }],
      }) as unknown as ApiDeployment;
      // Two workers behind the balancer: their claims and reports reach both servers.
      balancer = startBalancer([portA, portB]);
      const balanced = `http://127.0.0.1:${balancer.addr.port}`;
      for (const i of [0, 1]) {
        processes.push(spawn(["worker", "start", "--pool", "default", "--name", `w${i}`], {
          IRONFLOW_API_URL: balanced,
          IRONFLOW_HOME: `${home}/w${i}`,
        }));
      }
      const triggered: string[] = [];
      const trigger = async (port: number, n: number) => {
        for (let i = 0; i < n; i++) {
          const run = await post(port, `/deployments/${deployment.id}/run`, {
            parameters: { a: i },
          });
          triggered.push(run.id as string);
        }
      };
      await trigger(portA, 4);
      await trigger(portB, 4);
      const remoteA = await runDeno([
        "run",
        "-A",
        MAIN,
        "run",
        `${CLI_FLOWS}:squares`,
        "--param",
        "n=3",
      ], {
        env: { IRONFLOW_API_URL: `http://127.0.0.1:${portA}`, IRONFLOW_HOME: `${home}/ra` },
      });
      assert.equal(remoteA.code, 0, remoteA.stderr);
      const deploymentRuns = () =>
        plane.engine.listRuns({ kind: "flow", deploymentId: deployment.id, limit: 1000 }).items;
      await until(
        () => deploymentRuns().filter((r) => r.state === "COMPLETED").length >= 6,
        "runs to complete before the kill",
        60_000,
      );

      // The leader dies under load: runs queued, in flight and due.
      await trigger(portA, 3);
      a.kill("SIGKILL");
      await a.status;
      const killedAt = Date.now();
      await until(() => lease()?.holder === "node-b", "node-b to take over", 60_000);
      const takeover = Date.now() - killedAt;
      console.log(`takeover after SIGKILL of the leader: ${takeover} ms (lease ${LEASE_MS} ms)`);
      assert.ok(takeover <= LEASE_MS + 10 * INTERVAL_MS, `${takeover} ms`);
      // The client of the dead server resumes on the other one where it stopped.
      const resumedOnB: number[] = [];
      watchers.push(watchEvents(portB, resumedOnB, seenOnA.at(-1) ?? 0));

      await trigger(portB, 4);
      const remoteB = await runDeno([
        "run",
        "-A",
        MAIN,
        "run",
        `${CLI_FLOWS}:squares`,
        "--param",
        "n=3",
      ], {
        env: { IRONFLOW_API_URL: `http://127.0.0.1:${portB}`, IRONFLOW_HOME: `${home}/rb` },
      });
      assert.equal(remoteB.code, 0, remoteB.stderr);
      // node-b schedules slots after the takeover.
      await until(
        () => deploymentRuns().some((r) => (r.expectedStartTime ?? 0) > killedAt + LEASE_MS),
        "node-b to schedule",
      );
      // Stop new slots, then let what was triggered or claimed finish.
      await post(portB, `/deployments/${deployment.id}/pause`, {});
      await until(
        () => triggered.every((id) => plane.engine.getRun(id)?.state === "COMPLETED"),
        "every triggered run to complete",
        120_000,
      );
      await until(
        () => deploymentRuns().every((r) => isTerminal(r.state) || r.state === "SCHEDULED"),
        "claimed runs to finish",
        120_000,
      );

      const runs = deploymentRuns();
      // No slot has two runs; no run was claimed twice or ran twice; none failed.
      const slots = runs.filter((r) => !triggered.includes(r.id)).map((r) => r.expectedStartTime);
      assert.equal(new Set(slots).size, slots.length, "a schedule slot got two runs");
      let completed = 0;
      for (const run of runs) {
        const events = plane.engine.events(run.id);
        const claims = events.filter((e) => e.kind === "claim");
        const history = events.map((e) => `${e.kind}:${e.to}/${e.stateName}`).join(" ");
        // Pausing the deployment withdrew the future slots it had scheduled;
        // a slot already due stays SCHEDULED (Late) for when it resumes.
        if (events.some((e) => e.kind === "unschedule") || run.state === "SCHEDULED") {
          assert.equal(claims.length, 0, `${run.id}: ${history}`);
          continue;
        }
        // One claim at a time: a claim whose holder never started the run (its
        // answer died with the killed server) is taken back when its lease
        // expires, and only then claimed again; the run starts once.
        let held = false;
        for (const event of events) {
          if (event.kind === "claim") {
            assert.ok(!held, `${run.id} claimed while claimed: ${history}`);
            held = true;
          } else if (event.kind === "lease_expired" || event.kind === "start") held = false;
        }
        assert.ok(claims.length >= 1, `${run.id} never claimed: ${history}`);
        assert.equal(
          events.filter((e) => e.kind === "start").length,
          1,
          `${run.id} started more than once: ${history}`,
        );
        assert.equal(run.state, "COMPLETED", `${run.id}: ${history}`);
        assert.equal(run.runCount, 1, `${run.id}: ${history}`);
        completed++;
      }
      assert.ok(completed >= triggered.length, `${completed} runs completed`);
      // Every committed event reached the SSE clients of the surviving server.
      const lastSeq = plane.engine.reader.lastSeq();
      await until(() => (seenOnB.at(-1) ?? 0) >= lastSeq, "node-b's stream to catch up");
      await until(() => (resumedOnB.at(-1) ?? 0) >= lastSeq, "the resumed stream to catch up");
      const all = plane.engine.events().map((e) => e.seq);
      assert.deepEqual(seenOnB.slice(0, all.length), all);
      assert.deepEqual([...seenOnA, ...resumedOnB].slice(0, all.length), all);
    } finally {
      for (const watcher of watchers) watcher.stop();
      for (const process of processes) kill(process);
      for (const process of processes) await process.status;
      await Promise.all(watchers.map((w) => w.done));
      await balancer?.shutdown();
      await plane.close();
      await Deno.remove(home, { recursive: true });
    }
  },
});
