/**
 * What the durability settings cost: engine throughput with SQLite's
 * `synchronous=NORMAL` (the default) and `synchronous=FULL`
 * (`IRONFLOW_SQLITE_SYNCHRONOUS=full`), measured in the same run with the two
 * settings interleaved round by round (so a busy neighbour slows both), as
 * medians; then the time of the `PRAGMA quick_check` run when a store opens,
 * on a large database.
 *
 * Run with `deno run -A bench/durability_settings.ts [--rounds 7] [--runs 1000000]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { createSqliteStore, type SqliteSynchronous } from "../engine/mod.ts";
import {
  benchEngine,
  proposeConcurrent,
  proposeSequential,
  seedRuns,
} from "./engine_throughput.ts";
import { seedUiBench } from "./ui_seed.ts";

type Mode = "sequential" | "concurrent";

async function timeSetting(synchronous: SqliteSynchronous, n: number, mode: Mode) {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_bench_" });
  const engine = benchEngine(createSqliteStore(`${dir}/bench.db`, { synchronous }));
  try {
    const ids = await seedRuns(engine, n);
    const start = performance.now();
    if (mode === "sequential") await proposeSequential(engine, ids);
    else await proposeConcurrent(engine, ids);
    return performance.now() - start;
  } finally {
    await engine.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function synchronousCost(rounds: number): Promise<void> {
  const cases: Array<{ label: string; n: number; mode: Mode }> = [
    { label: "sequential (one commit per transition)", n: 500, mode: "sequential" },
    { label: "concurrent 1,000 (group commit)", n: 1_000, mode: "concurrent" },
    { label: "concurrent 20,000 (group commit)", n: 20_000, mode: "concurrent" },
  ];
  console.log(`synchronous=NORMAL vs FULL, ${rounds} interleaved rounds, medians`);
  for (const { label, n, mode } of cases) {
    const times: Record<SqliteSynchronous, number[]> = { normal: [], full: [] };
    for (let round = 0; round < rounds; round++) {
      // Alternate which setting goes first, so neither always meets a warm cache.
      const order: SqliteSynchronous[] = round % 2 ? ["full", "normal"] : ["normal", "full"];
      for (const setting of order) times[setting].push(await timeSetting(setting, n, mode));
    }
    const rate = (ms: number) => Math.round(n / (ms / 1000));
    const normal = median(times.normal);
    const full = median(times.full);
    console.log(
      `${label.padEnd(40)} normal ${rate(normal).toLocaleString("en-US").padStart(8)}/s` +
        `  full ${rate(full).toLocaleString("en-US").padStart(8)}/s` +
        `  full/normal ${(normal / full).toFixed(2)}×` +
        `  (per transition ${(normal / n).toFixed(3)} vs ${(full / n).toFixed(3)} ms)`,
    );
  }
}

async function quickCheckCost(runs: number): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_bench_" });
  try {
    const path = `${dir}/large.db`;
    await seedUiBench(path, { runs, detailTasks: 1_000 });
    const bytes = (await Deno.stat(path)).size;
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      createSqliteStore(path, { integrityCheck: true }).close();
      times.push(performance.now() - start);
    }
    const plain: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      createSqliteStore(path).close();
      plain.push(performance.now() - start);
    }
    const db = new DatabaseSync(path);
    const full = performance.now();
    db.prepare("PRAGMA integrity_check").all();
    const integrityMs = performance.now() - full;
    db.close();
    console.log(
      `\nopen with quick_check, ${runs.toLocaleString("en-US")} flow runs ` +
        `(${(bytes / 2 ** 20).toFixed(0)} MiB): median ${median(times).toFixed(0)} ms, ` +
        `without ${median(plain).toFixed(0)} ms; full integrity_check ${integrityMs.toFixed(0)} ms`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "7" },
      runs: { type: "string", default: "1000000" },
    },
  });
  console.log(
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs, load ${
      Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
    }`,
  );
  await synchronousCost(Number(values.rounds));
  await quickCheckCost(Number(values.runs));
}
