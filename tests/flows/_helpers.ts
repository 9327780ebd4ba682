/**
 * Fixtures of the flow catalog tests: an engine on a fake clock and runs
 * driven to a state.
 *
 * @module
 */
import {
  createEngine,
  createMemoryStore,
  type Engine,
  FakeClock,
  type RunRecord,
  SequentialIds,
  type Store,
} from "../../engine/mod.ts";

/** Midnight UTC, 1 May 2024. */
export const T0 = Date.UTC(2024, 4, 1);

/** One day in milliseconds. */
export const DAY = 86_400_000;

/** An engine over `store` (default memory) with its fake clock. */
export function catalogFixture(store: Store = createMemoryStore()): {
  engine: Engine;
  clock: FakeClock;
  store: Store;
} & AsyncDisposable {
  const clock = new FakeClock(T0);
  const engine = createEngine({ store, clock, ids: new SequentialIds("run") });
  return { engine, clock, store, [Symbol.asyncDispose]: () => engine.close() };
}

/** A flow run of `name` in `to` ("PENDING" leaves it as created). */
export async function runIn(
  engine: Engine,
  name: string,
  to: "PENDING" | "RUNNING" | "COMPLETED" | "FAILED",
): Promise<RunRecord> {
  const run = await engine.createFlowRun({ name });
  if (to === "PENDING") return run;
  await engine.propose(run.id, { to: "RUNNING", token: `${run.id}-start`, kind: "start" });
  if (to !== "RUNNING") {
    await engine.propose(run.id, { to, token: `${run.id}-end`, kind: "finish" });
  }
  await engine.flush();
  return engine.store.getRun(run.id)!;
}
