/**
 * Resume benchmark: retrying a flow run of 1,000 mapped tasks whose results
 * were all persisted (every task run is restored, none runs), against running
 * the same flow fresh (the baseline of the group, so `deno bench` prints the
 * ratio).
 *
 * Run with `deno bench -A bench/durability_bench.ts`. Each iteration uses its
 * own in-memory control plane, so every retry reads a lineage of exactly one
 * earlier attempt; only the measured run is timed.
 *
 * @module
 */
import {
  createInMemoryControlPlane,
  flow,
  type FlowRunOutcome,
  retryFlowRun,
  task,
} from "../sdk/mod.ts";

const N = 1_000;
const GROUP = `${N.toLocaleString("en")} mapped tasks`;

let failAfterMap = false;
const bodies = { count: 0 };

const square = task(async (x: number) => {
  bodies.count += 1;
  return await Promise.resolve(x * x);
}, { persistResult: true });

const squares = flow({ name: "durability-bench-squares" }, async (n: number) => {
  const values = await Promise.all(square.map(Array.from({ length: n }, (_, i) => i)));
  if (failAfterMap) throw new Error("The benchmark fails the first attempt after its map");
  return values.length;
});

function expectCompleted(outcome: FlowRunOutcome<unknown>, bodiesRun: number): void {
  if (outcome.state.type !== "COMPLETED" || outcome.result !== N) {
    throw new Error(`Benchmark flow ended ${outcome.state.type}: ${outcome.error?.message}`);
  }
  if (bodies.count !== bodiesRun) {
    throw new Error(`Expected ${bodiesRun} task bodies to run, ${bodies.count} did`);
  }
}

Deno.bench({
  name: "fresh run (baseline)",
  group: GROUP,
  baseline: true,
  n: 20,
  warmup: 3,
  async fn(b) {
    const plane = createInMemoryControlPlane();
    failAfterMap = false;
    bodies.count = 0;
    b.start();
    const outcome = await squares.runWith({ plane }, N);
    b.end();
    expectCompleted(outcome, N);
    await plane.close();
  },
});

Deno.bench({
  name: "retry with every task restored",
  group: GROUP,
  n: 20,
  warmup: 3,
  async fn(b) {
    const plane = createInMemoryControlPlane();
    failAfterMap = true;
    const failed = await squares.runWith({ plane }, N);
    if (failed.state.type !== "FAILED") throw new Error("The first attempt did not fail");
    failAfterMap = false;
    bodies.count = 0;
    b.start();
    const outcome = await retryFlowRun(failed.runId, { plane });
    b.end();
    expectCompleted(outcome, 0);
    await plane.close();
  },
});
