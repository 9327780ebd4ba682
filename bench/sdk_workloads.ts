/**
 * SDK workloads: what running tasks through flows costs next to calling the
 * same function in a plain `await fn()` loop, and what the worker runner buys
 * on CPU-bound work.
 *
 * Run with `deno run -A bench/sdk_workloads.ts` (`--quick` skips the
 * 10,000-task sizes, `--cpu` runs only the CPU-bound part). For each control plane (memory, SQLite in a temporary
 * directory) and shape (mapped: one `map()` fan-out; chained: each task takes
 * the previous task's future) it runs one warm-up flow, then times flow runs
 * per size, each on a fresh plane, and reports the median (`--reps=N`,
 * default 5: the machines are shared and single runs swing). It reports transitions per second (events
 * committed during the run, from `engine.summary().events`) and the per-task
 * overhead in microseconds over the plain loop measured in the same process.
 * Last, eight CPU-bound tasks (~50 ms each) run on `SequentialTaskRunner`
 * and on `WorkerTaskRunner({ workers: 2 })`: with a new pool per flow run, as
 * the SDK closes a flow's runner when the run ends (worker start-up and
 * module loading included), and with a pool kept across runs.
 *
 * The workers import this module to find the task bodies, so everything
 * that runs lives behind `import.meta.main`. `bench/sdk_bench.ts` reuses the
 * workloads with `Deno.bench`.
 *
 * @module
 */
import {
  createInMemoryControlPlane,
  createSqliteControlPlane,
  flow,
  type LocalControlPlane,
  SequentialTaskRunner,
  task,
  type TaskRunner,
  WorkerTaskRunner,
} from "../sdk/mod.ts";

/** The task every flow workload runs: cheap, so the SDK's own cost shows. */
export const increment = task({ name: "increment" }, (x: number) => x + 1);

/** Counts primes below `limit` by trial division: CPU-bound work. */
export const countPrimes = task({ name: "countPrimes" }, (limit: number) => {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count += 1;
  }
  return count;
});

/** A flow mapping `increment` over `0..n-1`. */
export const mappedFlow = flow({ name: "bench-mapped" }, async (n: number) => {
  const values = await Promise.all(increment.map(Array.from({ length: n }, (_, i) => i)));
  return values.length;
});

/** A flow of `n` increments, each fed the previous one's future. */
export const chainedFlow = flow({ name: "bench-chained" }, async (n: number) => {
  let future = increment.submit(0);
  for (let i = 1; i < n; i++) future = increment.submit(future);
  return await future;
});

/** The same `n` calls of the task body without the SDK: the baseline. */
export async function plainLoop(n: number, shape: "mapped" | "chained"): Promise<number> {
  let value = 0;
  for (let i = 0; i < n; i++) value = await increment.fn(shape === "chained" ? value : i);
  return value;
}

/** A flow running `countPrimes(limit)` `count` times with `runner`. */
export function cpuFlow(runner: () => TaskRunner) {
  return flow(
    { name: "bench-cpu", taskRunner: runner },
    async (limit: number, count: number) =>
      await Promise.all(countPrimes.map(Array.from({ length: count }, () => limit))),
  );
}

/** A control plane to measure on, and how to get rid of it. */
export interface BenchPlane {
  readonly plane: LocalControlPlane;
  dispose(): Promise<void>;
}

/** A fresh in-memory control plane. */
export function memoryPlane(): Promise<BenchPlane> {
  const plane = createInMemoryControlPlane();
  return Promise.resolve({ plane, dispose: () => plane.close() });
}

/** A fresh SQLite control plane in a temporary directory that is removed on dispose. */
export async function sqlitePlane(): Promise<BenchPlane> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_sdk_bench_" });
  const plane = createSqliteControlPlane(`${dir}/ironflow.db`);
  return {
    plane,
    async dispose() {
      await plane.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** One timed flow run. */
export interface FlowMeasurement {
  ms: number;
  events: number;
}

/** Runs one flow of `n` tasks of `shape` on `plane`; times it and counts its events. */
export async function measureFlow(
  plane: LocalControlPlane,
  shape: "mapped" | "chained",
  n: number,
): Promise<FlowMeasurement> {
  const before = plane.engine.summary().events;
  const start = performance.now();
  const outcome = await (shape === "mapped" ? mappedFlow : chainedFlow).runWith({ plane }, n);
  await plane.flush();
  const ms = performance.now() - start;
  if (outcome.state.type !== "COMPLETED") {
    throw new Error(`Benchmark flow ended ${outcome.state.type}: ${outcome.error?.message}`);
  }
  return { ms, events: plane.engine.summary().events - before };
}

/** Milliseconds of the plain loop, best of `rounds`. */
export async function measurePlain(
  n: number,
  shape: "mapped" | "chained",
  rounds = 5,
): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await plainLoop(n, shape);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** A `countPrimes` limit that takes about `targetMs` on this thread. */
export function calibratePrimeLimit(targetMs: number): number {
  let limit = 50_000;
  for (let round = 0; round < 4; round++) {
    const start = performance.now();
    countPrimes.fn(limit);
    const ms = Math.max(performance.now() - start, 0.5);
    limit = Math.round(limit * (targetMs / ms) ** (2 / 3));
  }
  return limit;
}

async function timed<T>(body: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

const PLANES = [["memory", memoryPlane], ["sqlite", sqlitePlane]] as const;
const SHAPES = ["mapped", "chained"] as const;

/** The middle value (the upper one of the two middles). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

async function main(): Promise<void> {
  const quick = Deno.args.includes("--quick");
  const sizes = quick ? [100, 500] : [100, 500, 10_000];
  // Each cell is the median of this many flow runs, each on a fresh plane: the machine is shared.
  const reps = Number(Deno.args.find((arg) => arg.startsWith("--reps="))?.slice(7) ?? 5);
  console.log(
    `Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs; median of ${reps} runs`,
  );
  console.log("");
  console.log(
    `${"plane".padEnd(7)} ${"shape".padEnd(8)} ${"tasks".padStart(6)} ${"flow ms".padStart(9)} ` +
      `${"plain ms".padStart(9)} ${"events".padStart(7)} ${"transitions/s".padStart(14)} ` +
      `${"µs/task over plain".padStart(19)}`,
  );
  for (const [planeName, open] of PLANES) {
    for (const shape of SHAPES) {
      const warm = await open();
      await measureFlow(warm.plane, shape, 500);
      await warm.dispose();
      for (const n of sizes) {
        const plainMs = await measurePlain(n, shape);
        const runs: FlowMeasurement[] = [];
        for (let rep = 0; rep < reps; rep++) {
          const bench = await open();
          try {
            runs.push(await measureFlow(bench.plane, shape, n));
          } finally {
            await bench.dispose();
          }
        }
        const measured = { ms: median(runs.map((run) => run.ms)), events: runs[0]!.events };
        const perSecond = measured.events / (measured.ms / 1000);
        const overheadUs = (measured.ms - plainMs) * 1000 / n;
        console.log(
          `${planeName.padEnd(7)} ${shape.padEnd(8)} ${n.toLocaleString("en-US").padStart(6)} ` +
            `${measured.ms.toFixed(1).padStart(9)} ${plainMs.toFixed(2).padStart(9)} ` +
            `${String(measured.events).padStart(7)} ` +
            `${Math.round(perSecond).toLocaleString("en-US").padStart(14)} ` +
            `${overheadUs.toFixed(1).padStart(19)}`,
        );
      }
    }
  }

  console.log("");
  await cpuBoundMap();
}

/** A runner that keeps its workers across flow runs: the SDK closes runners when a run ends. */
function keptOpen(runner: WorkerTaskRunner): TaskRunner {
  return {
    name: runner.name,
    acquire: (signal) => runner.acquire(signal),
    execute: (job) => runner.execute(job),
  };
}

async function cpuBoundMap(): Promise<void> {
  const limit = calibratePrimeLimit(50);
  const count = 8;
  const rounds = 3;
  const best = async (body: () => Promise<unknown>) => {
    let fastest = Infinity;
    for (let i = 0; i < rounds; i++) fastest = Math.min(fastest, await timed(body));
    return fastest;
  };
  const pool = new WorkerTaskRunner({ workers: 2 });
  const sequential = cpuFlow(() => new SequentialTaskRunner());
  const coldWorkers = cpuFlow(() => new WorkerTaskRunner({ workers: 2 }));
  const warmWorkers = cpuFlow(() => keptOpen(pool));
  const { plane, dispose } = await memoryPlane();
  try {
    // Warm-up: JIT on this thread, module loading in the workers.
    for (const f of [sequential, coldWorkers, warmWorkers]) await f.runWith({ plane }, limit, 2);
    const onThread = await best(async () => {
      for (let i = 0; i < count; i++) await countPrimes.fn(limit);
    });
    const sequentialMs = await best(() => sequential.runWith({ plane }, limit, count));
    const coldMs = await best(() => coldWorkers.runWith({ plane }, limit, count));
    const warmMs = await best(() => warmWorkers.runWith({ plane }, limit, count));
    const row = (label: string, ms: number, ratio?: number) =>
      console.log(
        `  ${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms` +
          (ratio === undefined ? "" : `   speed-up ${ratio.toFixed(2)}x`),
      );
    console.log(
      `CPU-bound map: ${count} × countPrimes(${limit.toLocaleString("en-US")}), ` +
        `~${(onThread / count).toFixed(0)} ms each; best of ${rounds}`,
    );
    row("plain loop on this thread", onThread);
    row("SequentialTaskRunner", sequentialMs);
    row("WorkerTaskRunner({ workers: 2 }), new pool per flow run", coldMs, sequentialMs / coldMs);
    row("WorkerTaskRunner({ workers: 2 }), pool kept across runs", warmMs, sequentialMs / warmMs);
  } finally {
    pool.close();
    await dispose();
  }
}

if (import.meta.main) await (Deno.args.includes("--cpu") ? cpuBoundMap() : main());
