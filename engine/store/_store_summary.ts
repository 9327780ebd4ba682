/**
 * The store summary both adapters answer: run counts by kind and state, and
 * the highest event `seq`.
 *
 * @module
 */
import type { RunKind, StateType, StoreSummary } from "../core/mod.ts";

/** A number of runs of one kind in one state. */
export interface RunCount {
  kind: RunKind;
  state: StateType;
  n: number;
}

/**
 * Sums `counts` into a summary; `events` is the highest seq, not the number
 * of events (a purge leaves gaps).
 */
export function summarize(events: number, counts: Iterable<RunCount>): StoreSummary {
  const summary: StoreSummary = {
    flowRuns: 0,
    taskRuns: 0,
    events,
    flowRunsByState: {},
    taskRunsByState: {},
  };
  for (const { kind, state, n } of counts) {
    const byState = kind === "flow" ? summary.flowRunsByState : summary.taskRunsByState;
    if (kind === "flow") summary.flowRuns += n;
    else summary.taskRuns += n;
    byState[state] = (byState[state] ?? 0) + n;
  }
  return summary;
}
