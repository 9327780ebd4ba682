/**
 * API latency on a large SQLite store: `GET /api/flow-runs` (first page and a
 * state-filtered page), a run detail and its task runs, through
 * `app.request()`, against raw indexed `node:sqlite` SELECTs of the same rows
 * on the same file (the baseline of each group).
 *
 * `deno run -A bench/server_api_bench.ts` prints p50/p95 and ratios;
 * `deno bench -A bench/server_api_bench.ts` runs the same pairs as benches.
 * `IRONFLOW_BENCH_RUNS` sets the flow runs (default 100,000; task runs are 5×).
 * The seeded database is kept under `bench/.data/` and reused.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import {
  createEngine,
  createRun,
  createSqliteStore,
  FakeClock,
  SequentialIds,
  type StateType,
  uuidv7,
} from "../engine/mod.ts";
import { createApp } from "../server/mod.ts";

const FLOW_RUNS = Number(Deno.env.get("IRONFLOW_BENCH_RUNS") ?? 100_000);
const TASKS_PER_FLOW = 5;
const T0 = 1_700_000_000_000;
const DIR = new URL("./.data/", import.meta.url).pathname;
const PATH = `${DIR}server_api_${FLOW_RUNS}.db`;

// Flow run states by share: mostly finished, some failed, a few live.
const FLOW_STATES: Array<[StateType, number]> = [
  ["COMPLETED", 0.8],
  ["FAILED", 0.1],
  ["RUNNING", 0.05],
  ["SCHEDULED", 0.03],
  ["CANCELLED", 0.02],
];

function stateAt(i: number): StateType {
  let x = ((i * 7919) % 1000) / 1000;
  for (const [state, share] of FLOW_STATES) {
    if (x < share) return state;
    x -= share;
  }
  return "COMPLETED";
}

function seeded(): boolean {
  try {
    const db = new DatabaseSync(PATH, { readOnly: true });
    const row = db.prepare("SELECT COUNT(*) AS n FROM flow_runs").get() as { n: number };
    db.close();
    return row.n === FLOW_RUNS;
  } catch {
    return false;
  }
}

/** Writes the runs (with their creation events) through the store, in large transactions. */
function seed(): void {
  Deno.mkdirSync(DIR, { recursive: true });
  try {
    Deno.removeSync(PATH);
  } catch { /* not there */ }
  const store = createSqliteStore(PATH);
  const started = performance.now();
  const BATCH = 10_000;
  for (let from = 0; from < FLOW_RUNS; from += BATCH) {
    store.write((tx) => {
      for (let i = from; i < Math.min(FLOW_RUNS, from + BATCH); i++) {
        const at = T0 + i * 1000;
        const id = uuidv7(at);
        const flow = createRun(
          {
            kind: "flow",
            name: `flow-${i % 20}`,
            state: stateAt(i),
            tags: i % 3 ? [] : ["nightly"],
          },
          { runId: id, eventId: `${id}.1`, token: `create:${id}` },
          at,
        );
        tx.appendEvent(flow.event);
        tx.insertRun(flow.run);
        for (let t = 0; t < TASKS_PER_FLOW; t++) {
          const taskId = uuidv7(at + t + 1);
          const task = createRun(
            {
              kind: "task",
              name: `task-${t}`,
              flowName: flow.run.flowName,
              parentId: id,
              rootId: id,
              taskKey: `task-${t}#0`,
              state: t === TASKS_PER_FLOW - 1 ? stateAt(i) : "COMPLETED",
            },
            { runId: taskId, eventId: `${taskId}.1`, token: `create:${taskId}` },
            at + t + 1,
          );
          tx.appendEvent(task.event);
          tx.insertRun(task.run);
        }
      }
    });
  }
  store.close();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(
    `Seeded ${FLOW_RUNS} flow runs and ${FLOW_RUNS * TASKS_PER_FLOW} task runs in ${seconds} s`,
  );
}

if (!seeded()) seed();

const clock = new FakeClock(T0 + FLOW_RUNS * 1000);
const store = createSqliteStore(PATH);
const engine = createEngine({ store, clock, ids: new SequentialIds("b") });
const app = createApp({ engine, clock });
const raw = new DatabaseSync(PATH, { readOnly: true });
addEventListener("unload", () => {
  raw.close();
  store.close();
});

// Run ids to look at: spread over the whole table.
const sampleIds = (raw.prepare(
  `SELECT id FROM flow_runs WHERE rowid % ? = 0 LIMIT 200`,
).all(Math.max(1, Math.floor(FLOW_RUNS / 200))) as { id: string }[]).map((r) => r.id);
let pick = 0;
const nextId = () => sampleIds[pick++ % sampleIds.length]!;

const rawFirstPage = raw.prepare(
  "SELECT * FROM flow_runs ORDER BY created_at DESC, id DESC LIMIT 51",
);
const rawFailedPage = raw.prepare(
  "SELECT * FROM flow_runs WHERE state = 'FAILED' ORDER BY created_at DESC, id DESC LIMIT 51",
);
const rawRun = raw.prepare("SELECT * FROM flow_runs WHERE id = ?");
const rawTasks = raw.prepare(
  "SELECT * FROM task_runs WHERE parent_id = ? ORDER BY created_at, id LIMIT 51",
);

async function get(path: string): Promise<void> {
  const res = await app.request(path);
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
  await res.arrayBuffer();
}

/** One measured case: the API call and its raw baseline. */
interface Case {
  name: string;
  api: () => Promise<void>;
  baseline: () => void;
}

const CASES: Case[] = [
  {
    name: "GET /api/flow-runs (first page)",
    api: () => get("/api/flow-runs"),
    baseline: () => void rawFirstPage.all(),
  },
  {
    name: "GET /api/flow-runs?state=FAILED",
    api: () => get("/api/flow-runs?state=FAILED"),
    baseline: () => void rawFailedPage.all(),
  },
  {
    name: "GET /api/flow-runs/:id (detail)",
    api: () => get(`/api/flow-runs/${nextId()}`),
    baseline: () => void rawRun.get(nextId()),
  },
  {
    name: "GET /api/flow-runs/:id/task-runs",
    api: () => get(`/api/flow-runs/${nextId()}/task-runs`),
    baseline: () => void rawTasks.all(nextId()),
  },
];

async function percentiles(fn: () => unknown, runs: number): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs * 0.5)]!, p95: times[Math.floor(runs * 0.95)]! };
}

if (import.meta.main) {
  const ms = (n: number) => n.toFixed(3).padStart(8);
  console.log(`${FLOW_RUNS} flow runs, ${FLOW_RUNS * TASKS_PER_FLOW} task runs (SQLite)`);
  console.log(
    `${"case".padEnd(36)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${
      "raw p50".padStart(8)
    } ${"raw p95".padStart(8)} ${"x p50".padStart(7)} ${"x p95".padStart(7)}`,
  );
  for (const c of CASES) {
    const api = await percentiles(c.api, 300);
    const base = await percentiles(c.baseline, 300);
    console.log(
      `${c.name.padEnd(36)} ${ms(api.p50)} ${ms(api.p95)} ${ms(base.p50)} ${ms(base.p95)} ${
        (api.p50 / base.p50).toFixed(1).padStart(7)
      } ${(api.p95 / base.p95).toFixed(1).padStart(7)}`,
    );
  }
  for (const path of ["/api/flows", "/metrics", "/api/flow-runs?sort=updated"]) {
    const { p50, p95 } = await percentiles(() => get(path), 20);
    console.log(`${`GET ${path}`.padEnd(36)} ${ms(p50)} ${ms(p95)}`);
  }
} else {
  for (const c of CASES) {
    Deno.bench({ name: `raw SELECT (${c.name})`, group: c.name, baseline: true, fn: c.baseline });
    Deno.bench({ name: c.name, group: c.name, fn: c.api });
  }
}
