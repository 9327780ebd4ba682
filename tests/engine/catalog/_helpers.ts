/**
 * Fixtures of the flow catalog tests: an engine on a fake clock and runs
 * driven to a state.
 *
 * @module
 */
import {
  createEngine,
  createMemoryStore,
  createSqliteStore,
  type Engine,
  FakeClock,
  type RunRecord,
  SequentialIds,
  type Store,
} from "../../../engine/mod.ts";

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

/** A sweep pause that does not wait (tests drive time with the fake clock). */
export const noPause = (): Promise<void> => Promise.resolve();

/** Runs `fn` as one test step per store adapter (memory, then SQLite in a temporary folder). */
export async function onEachStore(
  t: Deno.TestContext,
  fn: (f: ReturnType<typeof catalogFixture>) => Promise<void>,
): Promise<void> {
  for (const kind of ["memory", "sqlite"] as const) {
    await t.step(kind, async () => {
      const dir = await Deno.makeTempDir({ prefix: "ironflow_flows_test_" });
      try {
        await using f = catalogFixture(
          kind === "sqlite" ? createSqliteStore(`${dir}/db.sqlite`) : undefined,
        );
        await fn(f);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
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
  return engine.reader.getRun(run.id)!;
}
