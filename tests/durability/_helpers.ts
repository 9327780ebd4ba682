/**
 * Shared fixtures of the durability tests: in-memory control planes that
 * close themselves, fake-clock stepping without real sleeps, and history
 * look-ups.
 *
 * @module
 */
import type { EngineEvent, FakeClock, LogRecord, RunRecord } from "../../engine/mod.ts";
import { createInMemoryControlPlane, type LocalControlPlane } from "../../sdk/mod.ts";

/** An in-memory control plane that closes its engine when disposed. */
export type TestPlane = LocalControlPlane & AsyncDisposable;

/** A fresh in-memory control plane, on `timer` when given; use with `await using`. */
export function testPlane(timer?: FakeClock): TestPlane {
  const plane = createInMemoryControlPlane(timer ? { timer } : {});
  return Object.assign(plane, { [Symbol.asyncDispose]: () => plane.close() });
}

/** Lets queued microtasks and zero-delay timers run once. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Yields until `ready()` holds; fails after `turns` event-loop turns. */
export async function until(ready: () => boolean, what: string, turns = 2000): Promise<void> {
  for (let turn = 0; !ready(); turn++) {
    if (turn >= turns) throw new Error(`Gave up waiting for ${what}`);
    await nextTurn();
  }
}

/**
 * Waits until some code sleeps on `clock`, then moves it by `ms`. Fails after
 * 2,000 turns without a sleeper: a tick with nobody asleep is lost, and the
 * test would then wait forever for what the tick should have woken.
 */
export async function advance(clock: FakeClock, ms: number): Promise<void> {
  await until(() => clock.pendingSleepers > 0, "a sleeper on the fake clock");
  clock.tick(ms);
}

/**
 * Ticks `clock` by `stepMs` every turn until `done()` holds: drives code
 * that polls on the fake clock (slot waits) while other code makes progress.
 */
export async function driveUntil(
  clock: FakeClock,
  done: () => boolean,
  what: string,
  stepMs = 250,
  turns = 2000,
): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    if (turn >= turns) throw new Error(`Gave up driving the clock for ${what}`);
    await nextTurn();
    clock.tick(stepMs);
  }
}

export { type Deferred, deferred } from "../sdk/_helpers.ts";

/** Resolves never; rejects with the signal's reason when it aborts. */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** The task runs of a flow run, oldest first. */
export function taskRunsOf(plane: LocalControlPlane, flowRunId: string): RunRecord[] {
  return plane.engine.listRuns({
    kind: "task",
    parentId: flowRunId,
    sort: "created",
    order: "asc",
    limit: 1000,
  }).items;
}

/** The only task run of `flowRunId` named `name`. */
export function taskRunNamed(plane: LocalControlPlane, flowRunId: string, name: string): RunRecord {
  const runs = taskRunsOf(plane, flowRunId).filter((run) => run.name === name);
  if (runs.length !== 1) {
    throw new Error(`Expected one task run named "${name}", found ${runs.length}`);
  }
  return runs[0]!;
}

/** The flow runs of the plane, oldest first. */
export function flowRunsOf(plane: LocalControlPlane): RunRecord[] {
  return plane.engine.listRuns({ kind: "flow", sort: "created", order: "asc", limit: 1000 }).items;
}

/** A run's history as `"TO StateName"` strings, creation included. */
export function historyOf(plane: LocalControlPlane, runId: string): string[] {
  return plane.engine.events(runId).map((event: EngineEvent) => `${event.to} ${event.stateName}`);
}

/** The last event of a run that entered `to`. */
export function lastEventTo(
  plane: LocalControlPlane,
  runId: string,
  to: string,
): EngineEvent | undefined {
  return plane.engine.events(runId).findLast((event) => event.to === to);
}

/** The log lines of a flow run once everything queued is committed. */
export async function logsOf(plane: LocalControlPlane, flowRunId: string): Promise<LogRecord[]> {
  await plane.flush();
  return plane.engine.logs({ flowRunId, limit: 1000 });
}
