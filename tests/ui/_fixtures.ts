/**
 * Shared fixtures of the dashboard tests: run records, a page context, and
 * an app over a memory engine populated by running real flows.
 *
 * @module
 */
import {
  createEngine,
  createIdSource,
  createMemoryStore,
  type Engine,
  FakeClock,
  type RunRecord,
  systemClock,
} from "../../engine/mod.ts";
import { createLocalControlPlane, type LocalControlPlane } from "../../sdk/mod.ts";
import type { PageContext } from "../../ui/mod.ts";

/** Noon, 15 June 2025 UTC: "now" of the component tests. */
export const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);

/** A page context with fixed time and a known CSRF token. */
export const CTX: PageContext = {
  assets: { css: "/assets/app.css?v=test", js: "/assets/live.js?v=test" },
  session: { csrf: "token-123", authenticated: false },
  now: NOW,
};

/** A flow run record with sensible defaults. */
export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  const id = overrides.id ?? "run-1";
  return {
    id,
    kind: "flow",
    name: "etl",
    flowName: "etl",
    runName: "brave-otter",
    parentId: null,
    rootId: id,
    parentTaskRunId: null,
    depth: 0,
    deploymentId: null,
    lineageId: id,
    attempt: 1,
    state: "COMPLETED",
    stateName: "Completed",
    version: 4,
    createdAt: NOW - 60_000,
    updatedAt: NOW - 30_000,
    expectedStartTime: null,
    startTime: NOW - 59_000,
    endTime: NOW - 30_000,
    runCount: 1,
    totalRunTimeMs: 29_000,
    taskKey: null,
    mapIndex: null,
    tags: [],
    parameters: null,
    upstream: [],
    message: null,
    ...overrides,
  };
}

/** An engine on a memory store with a control plane for running flows, closed on dispose. */
export interface TestEngine extends AsyncDisposable {
  engine: Engine;
  plane: LocalControlPlane;
}

/** A fresh engine; `clock` defaults to the system clock (flows really run). */
export function testEngine(clock: FakeClock | typeof systemClock = systemClock): TestEngine {
  const engine = createEngine({ store: createMemoryStore(), clock, ids: createIdSource() });
  const plane = createLocalControlPlane(engine, clock);
  return { engine, plane, [Symbol.asyncDispose]: () => engine.close() };
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => resolve = r);
  return { promise, resolve };
}

/** Waits (real time, bounded) until `ready()` holds. */
export async function until(ready: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export { FakeClock };
