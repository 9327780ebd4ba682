/**
 * Heartbeats of the flow runs this process executes. Whatever runs a flow
 * (a script, a remote script, a worker's run process, `serve()`) tells the
 * engine every few seconds that it still holds its runs, in one request per
 * control plane; a run whose heartbeats stop is ended CRASHED by the reaper.
 * The answers carry news the process may not have heard otherwise: a run an
 * operator is cancelling, or one that ended without it (fenced).
 *
 * @module
 */
import type { HeartbeatAnswer } from "../engine/mod.ts";
import type { ControlPlane } from "./control_plane.ts";
import { readEnv } from "./env.ts";
import { abortableSleep } from "./sleep.ts";

/** Time between heartbeats unless `IRONFLOW_HEARTBEAT_MS` says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 10_000;

/** Called with the engine's answer about a run after each heartbeat. */
export type HeartbeatListener = (answer: HeartbeatAnswer) => void;

interface Beating {
  readonly runs: Map<string, HeartbeatListener>;
  readonly stop: AbortController;
}

const beating = new WeakMap<ControlPlane, Beating>();

/** Time between heartbeats: `IRONFLOW_HEARTBEAT_MS`, else {@linkcode DEFAULT_HEARTBEAT_MS}. */
function heartbeatIntervalMs(): number {
  const configured = Number(readEnv("IRONFLOW_HEARTBEAT_MS"));
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_HEARTBEAT_MS;
}

/**
 * Heartbeats `runId` on `plane` until the returned function is called; the
 * engine's answers go to `listener`. All runs of one plane share one loop.
 */
export function keepAlive(
  plane: ControlPlane,
  runId: string,
  listener: HeartbeatListener,
): () => void {
  let entry = beating.get(plane);
  if (!entry) {
    entry = { runs: new Map(), stop: new AbortController() };
    beating.set(plane, entry);
    void loop(plane, entry);
  }
  entry.runs.set(runId, listener);
  const mine = entry;
  return () => {
    if (mine.runs.get(runId) !== listener) return;
    mine.runs.delete(runId);
    if (mine.runs.size > 0) return;
    mine.stop.abort();
    if (beating.get(plane) === mine) beating.delete(plane);
  };
}

async function loop(plane: ControlPlane, entry: Beating): Promise<void> {
  const intervalMs = heartbeatIntervalMs();
  while (!entry.stop.signal.aborted) {
    // Wall-clock time, not the plane's timer: liveness is judged between
    // processes in real time, and a test's fake clock must not see these waits.
    if (!await abortableSleep(intervalMs, entry.stop.signal, { unref: true })) return;
    const runIds = [...entry.runs.keys()];
    if (runIds.length === 0) continue;
    let answers: HeartbeatAnswer[];
    try {
      answers = await plane.heartbeat(runIds);
    } catch {
      // The control plane is away: the next beat tries again. Liveness gives it
      // the whole timeout before the run is judged crashed.
      continue;
    }
    for (const answer of answers) {
      const listener = entry.runs.get(answer.runId);
      if (!listener) continue;
      try {
        listener(answer);
      } catch (error) {
        console.error(error);
      }
    }
  }
}
