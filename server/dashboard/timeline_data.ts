/**
 * Timeline bars from a task run's events: one segment per stay in RUNNING,
 * coloured by how that attempt ended.
 *
 * @module
 */
import type { EngineEvent, StateType } from "../../engine/mod.ts";
import type { TimelineSegment } from "../../ui/mod.ts";

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
