/**
 * IronFlow on PostgreSQL, next to baselines measured in the same run, rounds
 * interleaved, medians reported (`--rounds=N`, default 5):
 *
 * - `ceiling`: the engine moving N created runs PENDING → RUNNING with all
 *   proposals in flight (group commit), against a raw `INSERT`/`UPDATE` of
 *   the same rows — one event insert and one run update per transition, as
 *   one transaction of two multi-row statements — on the same database.
 * - `sqlite`: the SDK's mapped flow of 1,000 and 10,000 tasks on a
 *   PostgreSQL control plane against the same flow on SQLite.
 * - `servers`: remote clients running mapped flows through one
 *   `ironflow server start` process on PostgreSQL, against the same clients
 *   split over two server processes on that database.
 *
 * Run next to a throw-away cluster: `.ci/with_postgres deno run -A
 * bench/postgres_workloads.ts [--part=ceiling|sqlite|servers]` (it reads
 * IRONFLOW_TEST_DATABASE_URL and creates a database per measurement).
 *
 * @module
 */
import postgres from "postgres";
import { createPostgresStore, type Engine } from "../engine/mod.ts";
import { createPostgresControlPlane, createRemoteControlPlane } from "../sdk/mod.ts";
import { benchEngine, proposeConcurrent, seedRuns } from "./engine_throughput.ts";
import { mappedFlow, measureFlow, sqlitePlane } from "./sdk_workloads.ts";

const URL_ = Deno.env.get("IRONFLOW_TEST_DATABASE_URL");
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const roundsArg = Deno.args.find((arg) => arg.startsWith("--rounds="));
const ROUNDS = roundsArg ? Number(roundsArg.slice(9)) : 5;
const part = Deno.args.find((arg) => arg.startsWith("--part="))?.slice(7);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A fresh database for one measurement; dropped by `drop()`. */
async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = postgres(URL_!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(URL_!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

// The engine: N created runs, then every one started, all proposals in flight.
async function timeEngine(n: number): Promise<number> {
  const db = await freshDatabase();
  const engine: Engine = benchEngine(createPostgresStore(db.url));
  try {
    const ids = await seedRuns(engine, n);
    const start = performance.now();
    await proposeConcurrent(engine, ids);
    return performance.now() - start;
  } finally {
    await engine.close();
    await db.drop();
  }
}

// The same rows written raw: N event inserts and N run updates in one transaction.
async function timeRaw(n: number): Promise<number> {
  const db = await freshDatabase();
  const engine = benchEngine(createPostgresStore(db.url));
  const ids = await seedRuns(engine, n);
  await engine.close();
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const seq0 = Number((await sql.unsafe("SELECT MAX(seq) AS s FROM events"))[0]!.s);
    const start = performance.now();
    const events = ids.map((
      id,
      i,
    ) => [
      seq0 + i + 1,
      `e${i}`,
      id,
      "flow",
      "PENDING",
      "RUNNING",
      "Running",
      `start-${id}`,
      2,
      "start",
      1,
      null,
      null,
    ]);
    const updates = ids.map((id) => [id, "RUNNING", "Running", 2, 1]);
    await sql.begin(async (tx) => {
      await tx.unsafe(
        `INSERT INTO events (seq, id, run_id, run_kind, from_state, to_state, state_name, token,
          version, kind, at, rules, data)
        SELECT (r->>0)::bigint, r->>1, r->>2, r->>3, r->>4, r->>5, r->>6, r->>7,
          (r->>8)::bigint, r->>9, (r->>10)::bigint, r->>11, r->>12
        FROM jsonb_array_elements($1::jsonb) AS r`,
        [events as never],
      );
      await tx.unsafe(
        `UPDATE flow_runs AS t SET state = r->>1, state_name = r->>2, version = (r->>3)::bigint,
          updated_at = (r->>4)::bigint FROM jsonb_array_elements($1::jsonb) AS r WHERE t.id = r->>0`,
        [updates as never],
      );
    });
    return performance.now() - start;
  } finally {
    await sql.end();
    await db.drop();
  }
}

async function ceiling(): Promise<void> {
  const n = 2_000;
  await timeEngine(200);
  await timeRaw(200);
  const engine: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    raw.push(await timeRaw(n));
    engine.push(await timeEngine(n));
  }
  const [e, r] = [median(engine), median(raw)];
  console.log(
    `ceiling, ${n} transitions: engine ${e.toFixed(0)} ms (${(n / e * 1000).toFixed(0)}/s), ` +
      `raw INSERT/UPDATE ${r.toFixed(0)} ms (${(n / r * 1000).toFixed(0)}/s), ` +
      `engine/raw throughput ${(r / e).toFixed(2)}`,
  );
}

async function timeMappedPostgres(n: number): Promise<number> {
  const db = await freshDatabase();
  const plane = createPostgresControlPlane(db.url);
  try {
    return (await measureFlow(plane, "mapped", n)).ms;
  } finally {
    await plane.close();
    await db.drop();
  }
}

async function timeMappedSqlite(n: number): Promise<number> {
  const bench = await sqlitePlane();
  try {
    return (await measureFlow(bench.plane, "mapped", n)).ms;
  } finally {
    await bench.dispose();
  }
}

async function versusSqlite(): Promise<void> {
  await timeMappedPostgres(500);
  await timeMappedSqlite(500);
  for (const n of [1_000, 10_000]) {
    const pg: number[] = [];
    const lite: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      lite.push(await timeMappedSqlite(n));
      pg.push(await timeMappedPostgres(n));
    }
    const [p, s] = [median(pg), median(lite)];
    console.log(
      `mapped ${n}: PostgreSQL ${p.toFixed(0)} ms, SQLite ${s.toFixed(0)} ms, ` +
        `PostgreSQL/SQLite throughput ${(s / p).toFixed(2)}`,
    );
  }
}

function startServer(url: string, port: number, node: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "server", "start", "--port", String(port), "--no-worker"],
    env: { IRONFLOW_DATABASE_URL: url, IRONFLOW_NODE_ID: node, NO_COLOR: "1" },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

async function waitHealthy(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Server on port ${port} did not start`);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

// CLIENTS remote planes run FLOWS mapped flows of TASKS tasks at once, spread over `servers`.
const CLIENTS = 4;
const FLOWS_PER_CLIENT = 2;
const TASKS = 500;

async function timeServers(count: 1 | 2): Promise<number> {
  const db = await freshDatabase();
  createPostgresStore(db.url).close();
  const ports = Array.from({ length: count }, freePort);
  const servers = ports.map((port, i) => startServer(db.url, port, `bench-${i}`));
  try {
    await Promise.all(ports.map(waitHealthy));
    const planes = Array.from(
      { length: CLIENTS },
      (_, i) => createRemoteControlPlane({ url: `http://127.0.0.1:${ports[i % count]}` }),
    );
    // Warm-up: each client's connection and each server's JIT.
    await Promise.all(planes.map((plane) => mappedFlow.runWith({ plane }, 50)));
    const start = performance.now();
    await Promise.all(
      planes.flatMap((plane) =>
        Array.from({ length: FLOWS_PER_CLIENT }, () => mappedFlow.runWith({ plane }, TASKS))
      ),
    );
    await Promise.all(planes.map((plane) => plane.flush()));
    const ms = performance.now() - start;
    await Promise.all(planes.map((plane) => plane.close()));
    return ms;
  } finally {
    for (const server of servers) server.kill("SIGTERM");
    await Promise.all(servers.map((server) => server.status));
    await db.drop();
  }
}

async function versusOneServer(): Promise<void> {
  const one: number[] = [];
  const two: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    one.push(await timeServers(1));
    two.push(await timeServers(2));
  }
  const [a, b] = [median(one), median(two)];
  const tasks = CLIENTS * FLOWS_PER_CLIENT * TASKS;
  console.log(
    `remote, ${CLIENTS} clients × ${FLOWS_PER_CLIENT} mapped flows × ${TASKS} tasks: ` +
      `one server ${a.toFixed(0)} ms (${(tasks / a * 1000).toFixed(0)} tasks/s), ` +
      `two servers ${b.toFixed(0)} ms (${(tasks / b * 1000).toFixed(0)} tasks/s), ` +
      `two/one throughput ${(a / b).toFixed(2)}`,
  );
}

if (import.meta.main) {
  if (!URL_) {
    console.error("Set IRONFLOW_TEST_DATABASE_URL, or run under .ci/with_postgres");
    Deno.exit(2);
  }
  console.log(`median of ${ROUNDS} rounds, interleaved`);
  if (!part || part === "ceiling") await ceiling();
  if (!part || part === "sqlite") await versusSqlite();
  if (!part || part === "servers") await versusOneServer();
}
