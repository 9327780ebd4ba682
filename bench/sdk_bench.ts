/**
 * SDK benchmarks: a flow of 100 tasks, mapped and chained, on the memory and
 * SQLite control planes, against the same 100 calls in a plain `await fn()`
 * loop (the baseline of each group, so `deno bench` prints the ratio).
 *
 * Run with `deno bench -A bench/sdk_bench.ts`. Every iteration runs one flow
 * on a control plane opened before the benchmark; `bench/sdk_workloads.ts`
 * prints transitions per second and per-task overhead at 100, 500 and 10,000
 * tasks, and the worker runner's speed-up on CPU-bound work.
 *
 * @module
 */
import {
  createInMemoryControlPlane,
  createSqliteControlPlane,
  type LocalControlPlane,
} from "../sdk/mod.ts";
import { chainedFlow, mappedFlow, plainLoop } from "./sdk_workloads.ts";

const N = 100;
const dir = Deno.makeTempDirSync({ prefix: "ironflow_sdk_bench_" });
const planes: Record<"memory" | "sqlite", LocalControlPlane> = {
  memory: createInMemoryControlPlane(),
  sqlite: createSqliteControlPlane(`${dir}/ironflow.db`),
};
addEventListener("unload", () => {
  // Every flow was awaited, so nothing is left to flush.
  for (const plane of Object.values(planes)) void plane.close();
  Deno.removeSync(dir, { recursive: true });
});

async function runFlow(plane: LocalControlPlane, shape: "mapped" | "chained"): Promise<void> {
  const outcome = await (shape === "mapped" ? mappedFlow : chainedFlow).runWith({ plane }, N);
  if (outcome.state.type !== "COMPLETED") {
    throw new Error(`Benchmark flow ended ${outcome.state.type}: ${outcome.error?.message}`);
  }
}

for (const shape of ["mapped", "chained"] as const) {
  const group = `${N} tasks, ${shape}`;
  Deno.bench({
    name: `plain await loop (baseline)`,
    group,
    baseline: true,
    warmup: 5,
    async fn() {
      await plainLoop(N, shape);
    },
  });
  for (const [name, plane] of Object.entries(planes)) {
    Deno.bench({
      name: `flow on the ${name} control plane`,
      group,
      n: 30,
      warmup: 3,
      async fn() {
        await runFlow(plane, shape);
      },
    });
  }
}
