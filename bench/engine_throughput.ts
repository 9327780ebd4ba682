/**
 * Engine throughput in transitions per second, next to the physical ceiling
 * of SQLite on the same schema.
 *
 * Run with `deno run -A bench/engine_throughput.ts`. Each measurement takes
 * runs that were created beforehand and moves every one PENDING → RUNNING:
 * sequentially (each proposal awaited before the next) or concurrently (all
 * proposals in one `Promise.all`, so group commit puts them in one
 * transaction). The ceiling writes the same rows — one event insert and one
 * projection update per transition — with raw `node:sqlite`.
 *
 * The workload functions are shared with `bench/engine_bench.ts`.
 *
 * @module
 */
import {
  createEngine,
  createMemoryStore,
  createSqliteStore,
  type Engine,
  FakeClock,
  SequentialIds,
  type Store,
} from "../engine/mod.ts";
import { openRawSqlite } from "./sqlite_ceiling.ts";

/** An engine on a fake clock over `store`. */
export function benchEngine(store: Store): Engine {
  return createEngine({ store, clock: new FakeClock(), ids: new SequentialIds("bench") });
}

/** Creates `n` PENDING flow runs in one batch; returns their ids. */
export async function seedRuns(engine: Engine, n: number): Promise<string[]> {
  const runs = await Promise.all(
    Array.from({ length: n }, () => engine.createFlowRun({ name: "bench" })),
  );
  return runs.map((run) => run.id);
}

/** Starts every run, awaiting each proposal before sending the next. */
export async function proposeSequential(engine: Engine, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const result = await engine.propose(id, { to: "RUNNING", token: `start-${id}`, kind: "start" });
    if (result.status !== "accepted") {
      throw new Error(`Run "${id}" did not start: ${result.reason}`);
    }
  }
}

/** Starts every run with all proposals in flight at once. */
export async function proposeConcurrent(engine: Engine, ids: readonly string[]): Promise<void> {
  const results = await Promise.all(
    ids.map((id) => engine.propose(id, { to: "RUNNING", token: `start-${id}`, kind: "start" })),
  );
  const refused = results.find((r) => r.status !== "accepted");
  if (refused) throw new Error(`A run did not start: ${refused.reason}`);
}

/** Runs `body` in a fresh temporary directory that is removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_bench_" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface Measurement {
  label: string;
  transitions: number;
  ms: number;
}

/** Best of `rounds` timings of `measure`, which returns the ms it spent. */
async function best(rounds: number, measure: () => Promise<number> | number): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) fastest = Math.min(fastest, await measure());
  return fastest;
}

async function timeEngine(
  open: () => Promise<{ engine: Engine; dispose(): Promise<void> }>,
  n: number,
  mode: "sequential" | "concurrent",
): Promise<number> {
  const { engine, dispose } = await open();
  try {
    const ids = await seedRuns(engine, n);
    const start = performance.now();
    if (mode === "sequential") await proposeSequential(engine, ids);
    else await proposeConcurrent(engine, ids);
    return performance.now() - start;
  } finally {
    await dispose();
  }
}

function memoryEngine() {
  const engine = benchEngine(createMemoryStore());
  return Promise.resolve({ engine, dispose: () => engine.close() });
}

async function sqliteEngine() {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_bench_" });
  const engine = benchEngine(createSqliteStore(`${dir}/bench.db`));
  return {
    engine,
    async dispose() {
      await engine.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function timeRaw(n: number, mode: "batch" | "each"): Promise<number> {
  return withTempDir((dir) => {
    using raw = openRawSqlite(`${dir}/raw.db`);
    const ids = raw.seed(n);
    const start = performance.now();
    if (mode === "batch") raw.writeBatch(ids);
    else raw.writeEach(ids);
    return performance.now() - start;
  });
}

async function main(): Promise<void> {
  const rounds = 3;
  const rows: Measurement[] = [];
  const add = async (label: string, n: number, measure: () => Promise<number>) => {
    rows.push({ label, transitions: n, ms: await best(rounds, measure) });
  };
  await add("raw node:sqlite, one transaction per transition", 1_000, () => timeRaw(1_000, "each"));
  await add("raw node:sqlite, one transaction (1,000)", 1_000, () => timeRaw(1_000, "batch"));
  await add("raw node:sqlite, one transaction (20,000)", 20_000, () => timeRaw(20_000, "batch"));
  for (const [store, open] of [["memory", memoryEngine], ["sqlite", sqliteEngine]] as const) {
    await add(`engine ${store}, sequential`, 1_000, () => timeEngine(open, 1_000, "sequential"));
    await add(
      `engine ${store}, concurrent 1,000`,
      1_000,
      () => timeEngine(open, 1_000, "concurrent"),
    );
    await add(
      `engine ${store}, concurrent 20,000`,
      20_000,
      () => timeEngine(open, 20_000, "concurrent"),
    );
  }
  const rate = (label: string) => {
    const row = rows.find((r) => r.label === label)!;
    return row.transitions / (row.ms / 1000);
  };
  console.log(
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, best of ${rounds}`,
  );
  console.log("");
  for (const row of rows) {
    const perSecond = Math.round(row.transitions / (row.ms / 1000)).toLocaleString("en-US");
    console.log(
      `${row.label.padEnd(50)} ${perSecond.padStart(12)} transitions/s  (${row.ms.toFixed(1)} ms)`,
    );
  }
  console.log("");
  const ratios: Array<[string, string, string]> = [
    [
      "sqlite sequential",
      "engine sqlite, sequential",
      "raw node:sqlite, one transaction per transition",
    ],
    [
      "sqlite concurrent 1,000",
      "engine sqlite, concurrent 1,000",
      "raw node:sqlite, one transaction (1,000)",
    ],
    [
      "sqlite concurrent 20,000",
      "engine sqlite, concurrent 20,000",
      "raw node:sqlite, one transaction (20,000)",
    ],
  ];
  for (const [label, engine, ceiling] of ratios) {
    const ratio = rate(engine) / rate(ceiling);
    console.log(`engine/ceiling, ${label.padEnd(26)} ${(ratio * 100).toFixed(0).padStart(4)} %`);
  }
}

if (import.meta.main) await main();
