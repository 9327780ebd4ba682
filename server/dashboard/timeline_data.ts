/**
 * Timeline bars from a task run's events: one segment per stay in RUNNING,
 * coloured by how that attempt ended.
 *
 * @module
 */
import type { EngineEvent, RunRecord, StateType } from "../../engine/mod.ts";
import type { TimelineRow, TimelineSegment } from "../../ui/mod.ts";

/**
 * Timeline rows of `runs` (in start order): the task runs of one mapped
 * call share a row, placed where its first run started, each run's bars
 * labelled with its name; other runs have a row each.
 */
export function timelineRows(
  runs: readonly RunRecord[],
  segmentsOf: (run: RunRecord) => TimelineSegment[],
): TimelineRow[] {
  const rows: { run: RunRecord; segments: TimelineSegment[]; count: number }[] = [];
  const groups = new Map<string, (typeof rows)[number]>();
  for (const run of runs) {
    const mapped = run.kind === "task" && run.mapIndex !== null && run.taskKey !== null;
    const group = mapped ? groups.get(run.taskKey!) : undefined;
    const segments = segmentsOf(run);
    if (group) {
      group.count += 1;
      for (const segment of segments) group.segments.push({ ...segment, label: run.runName });
      continue;
    }
    const row = {
      run,
      segments: mapped ? segments.map((s) => ({ ...s, label: run.runName })) : segments,
      count: 1,
    };
    rows.push(row);
    if (mapped) groups.set(run.taskKey!, row);
  }
  return rows;
}

/**
 * The RUNNING intervals of one run's events (in `seq` order). An attempt
 * that went back to SCHEDULED or PENDING (a retry) counts as FAILED; one
 * still running ends at `now`.
 */
export function runningSegments(events: readonly EngineEvent[], now: number): TimelineSegment[] {
  const segments: TimelineSegment[] = [];
  let start: number | null = null;
  for (const event of events) {
    if (event.to === "RUNNING" && start === null) {
      start = event.at;
      continue;
    }
    if (start !== null && event.from === "RUNNING" && event.to !== "RUNNING") {
      const retried = event.to === "SCHEDULED" || event.to === "PENDING";
      const state: StateType = retried ? "FAILED" : event.to;
      segments.push({ start, end: event.at, state });
      start = null;
    }
  }
  if (start !== null) segments.push({ start, end: Math.max(start, now), state: "RUNNING" });
  return segments;
}
