/**
 * Pure evaluation of event triggers: given an automation's counting state,
 * the events read since the last pass and the time, the next state and the
 * firings. No I/O and no clock: the services loop hands in `now` and stores
 * the state with the log position in one transaction, so a restart neither
 * fires twice nor forgets a window.
 *
 * @module
 */
import { eventMatches, type IronEvent } from "../events/mod.ts";
import type { EventTrigger } from "./model.ts";

/** One group's window: when it opened and how many matching events it holds. */
export interface WindowState {
  start: number;
  count: number;
}

/** What an automation remembers between passes: a window per group. */
export interface TriggerState {
  windows: { [group: string]: WindowState };
}

/** A trigger that fired. */
export interface Firing {
  /** The `forEach` group ("" without one). */
  group: string;
  /** When it fired: the last counted event's time (reactive), the window's end (proactive). */
  at: number;
  /** The event that completed the count (reactive only). */
  event?: IronEvent;
  count: number;
}

/** The state of a trigger that has seen nothing. */
export function freshState(): TriggerState {
  return { windows: {} };
}

/** The group an event counts in. */
export function groupOf(trigger: EventTrigger, event: IronEvent): string {
  if (trigger.forEach === undefined) return "";
  if (trigger.forEach === "resource") return event.resource;
  return event.related.find((r) => r.role === trigger.forEach)?.id ?? "";
}

/** Whether `event` counts for `trigger`. */
export function triggerMatches(trigger: EventTrigger, event: IronEvent): boolean {
  return eventMatches({
    names: trigger.match,
    ...(trigger.resource ? { resources: trigger.resource } : {}),
  }, event);
}

/**
 * Feeds `events` (in log order) and the time `now` through a trigger.
 * `since` is when the automation started watching: the first proactive
 * window of the default group opens then.
 *
 * @example A reactive trigger: 2 failures within a minute
 * ```ts
 * import { evaluateTrigger, freshState } from "./evaluate.ts";
 * import type { EventTrigger } from "./model.ts";
 * const trigger: EventTrigger = { type: "event", posture: "reactive",
 *   match: ["ironflow.flow-run.Failed"], threshold: 2, withinSeconds: 60 };
 * const failed = (at: number) => ({ id: `e${at}`, event: "ironflow.flow-run.Failed", occurred: at,
 *   resource: "ironflow.flow-run.r", related: [], payload: {} });
 * const out = evaluateTrigger(trigger, freshState(), [failed(0), failed(30_000)], { now: 30_000, since: 0 });
 * console.log(out.firings.length); // 1
 * ```
 */
export function evaluateTrigger(
  trigger: EventTrigger,
  state: TriggerState,
  events: readonly IronEvent[],
  time: { now: number; since: number },
): { state: TriggerState; firings: Firing[] } {
  const windowMs = trigger.withinSeconds * 1000;
  const windows: { [group: string]: WindowState } = { ...state.windows };
  const firings: Firing[] = [];
  if (trigger.posture === "proactive" && trigger.forEach === undefined && !windows[""]) {
    windows[""] = { start: time.since, count: 0 };
  }
  const closeProactive = (group: string, until: number) => {
    // Every window that ended before `until` is judged, in order.
    let window = windows[group]!;
    while (window.start + windowMs <= until) {
      const end = window.start + windowMs;
      if (window.count < trigger.threshold) firings.push({ group, at: end, count: window.count });
      window = { start: end, count: 0 };
    }
    windows[group] = window;
  };
  for (const event of events) {
    if (!triggerMatches(trigger, event)) continue;
    const group = groupOf(trigger, event);
    if (trigger.posture === "proactive") {
      windows[group] ??= { start: event.occurred, count: 0 };
      closeProactive(group, event.occurred);
      windows[group] = { ...windows[group]!, count: windows[group]!.count + 1 };
      continue;
    }
    const open = windows[group];
    const inWindow = open !== undefined &&
      (windowMs === 0 || event.occurred < open.start + windowMs);
    const window = inWindow
      ? { ...open, count: open.count + 1 }
      : { start: event.occurred, count: 1 };
    if (window.count >= trigger.threshold) {
      firings.push({ group, at: event.occurred, event, count: window.count });
      delete windows[group];
    } else windows[group] = window;
  }
  if (trigger.posture === "proactive" && windowMs > 0) {
    for (const group of Object.keys(windows)) closeProactive(group, time.now);
  }
  return { state: { windows }, firings };
}
