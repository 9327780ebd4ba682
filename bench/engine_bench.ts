/**
 * Engine benchmarks: transitions per second through the engine on the memory
 * and SQLite stores, against the physical ceiling of raw `node:sqlite` writes
 * of the same rows (the baseline of each group, so `deno bench` prints ratios).
 *
 * Run with `deno bench -A bench/engine_bench.ts`. Every iteration moves 1,000
 * freshly created runs PENDING → RUNNING; creating them is not measured.
 * `bench/engine_throughput.ts` prints the same figures as a table, with
 * 20,000-proposal batches too.
 *
 * @module
 */
import { createMemoryStore, createSqliteStore, type Engine } from "../engine/mod.ts";
import {
  benchEngine,
  proposeConcurrent,
  proposeSequential,
  seedRuns,
} from "./engine_throughput.ts";
import { openRawSqlite, type RawSqlite } from "./sqlite_ceiling.ts";

const N = 1_000;
const ONE_TRANSACTION = "1,000 transitions, one transaction";
const ONE_AT_A_TIME = "1,000 transitions, one at a time";

const dir = Deno.makeTempDirSync({ prefix: "ironflow_bench_" });
const open: Array<{ close(): void }> = [];
addEventListener("unload", () => {
  for (const handle of open) handle.close();
  Deno.removeSync(dir, { recursive: true });
});

function raw(name: string): RawSqlite {
  const db = openRawSqlite(`${dir}/${name}.db`);
  open.push({ close: () => db[Symbol.dispose]() });
  return db;
}

function engineOn(store: "memory" | "sqlite", name: string): Engine {
  const s = store === "memory" ? createMemoryStore() : createSqliteStore(`${dir}/${name}.db`);
  open.push(s);
  return benchEngine(s);
}

const rawBatch = raw("raw_batch");
Deno.bench({
  name: "raw node:sqlite, one transaction (ceiling)",
  group: ONE_TRANSACTION,
  baseline: true,
  n: 20,
  warmup: 3,
  fn(b) {
    const ids = rawBatch.seed(N);
    b.start();
    rawBatch.writeBatch(ids);
    b.end();
  },
});

for (const store of ["sqlite", "memory"] as const) {
  const engine = engineOn(store, `engine_concurrent_${store}`);
  Deno.bench({
    name: `engine ${store}, 1,000 concurrent proposals`,
    group: ONE_TRANSACTION,
    n: 20,
    warmup: 3,
    async fn(b) {
      const ids = await seedRuns(engine, N);
      b.start();
      await proposeConcurrent(engine, ids);
      b.end();
    },
  });
}

const rawEach = raw("raw_each");
Deno.bench({
  name: "raw node:sqlite, one transaction per transition (ceiling)",
  group: ONE_AT_A_TIME,
  baseline: true,
  n: 5,
  warmup: 1,
  fn(b) {
    const ids = rawEach.seed(N);
    b.start();
    rawEach.writeEach(ids);
    b.end();
  },
});

for (const store of ["sqlite", "memory"] as const) {
  const engine = engineOn(store, `engine_sequential_${store}`);
  Deno.bench({
    name: `engine ${store}, 1,000 sequential proposals`,
    group: ONE_AT_A_TIME,
    n: store === "sqlite" ? 5 : 20,
    warmup: 1,
    async fn(b) {
      const ids = await seedRuns(engine, N);
      b.start();
      await proposeSequential(engine, ids);
      b.end();
    },
  });
}
