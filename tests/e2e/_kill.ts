/**
 * Helpers of the end-to-end and kill tests: bounded polling, free ports,
 * process liveness by pid, and the check every kill test ends with (the
 * SQLite file is whole and a projection rebuild from the event log changes
 * nothing).
 *
 * @module
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { type Engine, isTerminal, type RunRecord } from "../../engine/mod.ts";

/** The IronFlow CLI module. */
export const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Polls `probe` every 50 ms until it returns a value; throws after `ms`. */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  ms = 30_000,
): Promise<T> {
  const start = Date.now();
  while (true) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > ms) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Polls `probe` every 150 ms until it answers a value; a probe that throws
 * (a server not listening yet) counts as no answer. Throws after 20 s.
 */
export async function untilAnswered<T>(
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Whether process `pid` still runs (a zombie waiting for its reaper counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** SIGKILLs a process unless it is gone already. */
export function kill(target: Deno.ChildProcess | number): void {
  try {
    if (typeof target === "number") Deno.kill(target, "SIGKILL");
    else target.kill("SIGKILL");
  } catch { /* already gone */ }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Reads a process id a flow wrote to `path`; undefined until it is there. */
export function pidIn(path: string): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync(path));
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every run of the engine (flow and task runs). */
export function allRuns(engine: Engine): RunRecord[] {
  return [
    ...engine.listRuns({ kind: "flow", limit: 1000 }).items,
    ...engine.listRuns({ kind: "task", limit: 1000 }).items,
  ];
}

/** Flow run `runId` and every run under it, as `[name, state]`. */
export function treeStates(engine: Engine, runId: string): Array<[string, string]> {
  const runs = allRuns(engine).filter((run) => run.id === runId || run.rootId === runId);
  return runs.map((run) => [run.name, run.state]);
}

/** Asserts that no run is left live (not terminal). */
export function assertAllTerminal(engine: Engine): void {
  const live = allRuns(engine).filter((run) => !isTerminal(run.state));
  assert.deepEqual(
    live.map((run) => `${run.kind} ${run.name}: ${run.state}`),
    [],
    "no run left live",
  );
}

/** `PRAGMA integrity_check` is ok and rebuilding the projections changes nothing. */
export function assertStoreWhole(path: string, engine: Engine): void {
  const db = new DatabaseSync(path);
  try {
    const checks = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
    assert.deepEqual(checks.map((row) => row.integrity_check), ["ok"]);
  } finally {
    db.close();
  }
  const before = allRuns(engine);
  const summary = engine.summary();
  engine.rebuildProjections();
  assert.deepEqual(allRuns(engine), before, "a projection rebuild changes no run");
  assert.deepEqual(engine.summary(), summary);
}
