/**
 * Shared fixtures of the SDK tests: in-memory control planes that close
 * themselves, fake-clock stepping without real sleeps, deferred promises and
 * history look-ups, and tasks that journal their transaction hooks.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { EngineEvent, FakeClock, LogRecord, RunRecord } from "../../engine/mod.ts";
import { createInMemoryControlPlane, type LocalControlPlane, task } from "../../sdk/mod.ts";

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
export async function until(
  ready: () => boolean,
  what: string,
  turns = 2000,
): Promise<void> {
  for (let turn = 0; !ready(); turn++) {
    if (turn >= turns) throw new Error(`Gave up waiting for ${what}`);
    await nextTurn();
  }
}

/** Waits until some code sleeps on `clock`, then moves it forward by `ms`. */
export async function advance(clock: FakeClock, ms: number): Promise<void> {
  await until(() => clock.pendingSleepers > 0, "a sleeper on the fake clock");
  clock.tick(ms);
}

/** A promise with its resolve function exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

/** A promise to resolve from outside. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => resolve = r);
  return { promise, resolve };
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
export function taskRunNamed(
  plane: LocalControlPlane,
  flowRunId: string,
  name: string,
): RunRecord {
  const runs = taskRunsOf(plane, flowRunId).filter((run) => run.name === name);
  if (runs.length !== 1) {
    throw new Error(`Expected one task run named "${name}", found ${runs.length}`);
  }
  return runs[0]!;
}

/** A run's history as `"TO StateName"` strings, creation included. */
export function historyOf(plane: LocalControlPlane, runId: string): string[] {
  return plane.engine.events(runId).map((event: EngineEvent) => `${event.to} ${event.stateName}`);
}

/** The log lines of a flow run once everything queued is committed. */
export async function logsOf(
  plane: LocalControlPlane,
  flowRunId: string,
  minLevel?: number,
): Promise<LogRecord[]> {
  await plane.flush();
  return plane.engine.logs({ flowRunId, limit: 1000, ...(minLevel ? { minLevel } : {}) });
}

/**
 * Three tasks (`write`, `index`, `publish`) returning their input, whose
 * commit and rollback hooks append `commit <name>` / `rollback <name>=<result>`
 * to `journal`.
 */
export function journaled(journal: string[]) {
  const step = (name: string) =>
    task({
      name,
      onCommit: () => {
        journal.push(`commit ${name}`);
      },
      onRollback: ({ result }) => {
        journal.push(`rollback ${name}=${result}`);
      },
    }, async (x: number) => await Promise.resolve(x));
  return { write: step("write"), index: step("index"), publish: step("publish") };
}

/**
 * Runs `tests/testdata/sdk/<script>` twice in its own process on one fresh
 * home: the first run does the work of its transaction key, the second finds
 * the key committed and does none (the script prints `{ result, ran }`).
 */
export async function assertKeyHoldsAcrossProcesses(script: string): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "ironflow_txn_" });
  const path = new URL(`../testdata/sdk/${script}`, import.meta.url).pathname;
  const runOnce = async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", path, "2024-05-01"],
      env: { IRONFLOW_HOME: home },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(output.success, new TextDecoder().decode(output.stderr));
    return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
  };
  try {
    assert.deepEqual(await runOnce(), { result: "rows-2024-05-01:3", ran: 1 });
    assert.deepEqual(await runOnce(), { result: "rows-2024-05-01:3", ran: 0 });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}
