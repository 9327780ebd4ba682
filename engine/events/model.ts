/**
 * Events: one shape for state changes of runs and for custom events (posted,
 * emitted by flows, made by webhooks, or by automations).
 *
 * @module
 */
import type { Json } from "../core/mod.ts";

/** A resource an event is about, or related to, with its role in the event. */
export interface RelatedResource {
  /** Resource id, e.g. `ironflow.deployment.<id>`. */
  id: string;
  /** What the resource is to the event: `flow`, `deployment`, `work-pool`, `tag`... */
  role: string;
}

/** One event of the log. */
export interface IronEvent {
  id: string;
  /** Dotted name, e.g. `ironflow.flow-run.Failed` or `acme.file.landed`. */
  event: string;
  /** When it happened (epoch ms). */
  occurred: number;
  /** Id of the resource the event is about, e.g. `ironflow.flow-run.<id>`. */
  resource: string;
  related: RelatedResource[];
  payload: { [key: string]: Json };
}

/** A custom event as its emitter gives it; the log adds id and time. */
export interface NewEvent {
  event: string;
  resource: string;
  related?: RelatedResource[];
  payload?: { [key: string]: Json };
  /** @default the time it was received */
  occurred?: number;
}

/** Event names: dotted words of letters, digits, `_`, `-`, `:`. */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/;

/** Longest event name, resource id or role. */
export const MAX_NAME_LENGTH = 1024;

/** The prefix of events and resources IronFlow itself emits; custom events may not use it. */
export const RESERVED_PREFIX = "ironflow.";

/**
 * What is wrong with a custom event, as messages (empty: it is valid).
 *
 * @example
 * ```ts
 * import { newEventProblems } from "./model.ts";
 * console.log(newEventProblems({ event: "acme.file.landed", resource: "acme.bucket.raw" })); // []
 * console.log(newEventProblems({ event: "ironflow.flow-run.Failed", resource: "x" }).length); // 1
 * ```
 */
export function newEventProblems(input: NewEvent): string[] {
  const problems: string[] = [];
  if (!EVENT_NAME_PATTERN.test(input.event) || input.event.length > MAX_NAME_LENGTH) {
    problems.push(`event "${input.event}" must be dotted words of letters, digits, _ - :`);
  } else if (input.event.startsWith(RESERVED_PREFIX)) {
    problems.push(
      `event "${input.event}" starts with "${RESERVED_PREFIX}", which IronFlow reserves for its own events`,
    );
  }
  if (input.resource === "" || input.resource.length > MAX_NAME_LENGTH) {
    problems.push(`resource "${input.resource}" must be 1 to ${MAX_NAME_LENGTH} characters`);
  }
  for (const related of input.related ?? []) {
    if (related.id === "" || related.role === "") {
      problems.push(`related resource "${related.id}" needs an id and a role`);
    }
  }
  if (input.occurred !== undefined && !Number.isFinite(input.occurred)) {
    problems.push(`occurred must be a time`);
  }
  return problems;
}

/**
 * Whether `name` matches `pattern`: exact, `*` (anything), or a prefix
 * ending in `*` (`acme.file.*`).
 *
 * @example
 * ```ts
 * import { namePatternMatches } from "./model.ts";
 * console.log(namePatternMatches("ironflow.flow-run.*", "ironflow.flow-run.Failed")); // true
 * console.log(namePatternMatches("acme.x", "acme.xy")); // false
 * ```
 */
export function namePatternMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith("*")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** A filter on events: what the API, the SSE stream and triggers select by. */
export interface EventFilter {
  /** Event name prefixes (any of them). */
  prefixes?: readonly string[];
  /** Event name patterns (any of them; see {@linkcode namePatternMatches}). */
  names?: readonly string[];
  /** Resource id patterns matching the event's resource or a related one (any). */
  resources?: readonly string[];
  /** Occurred at or after (epoch ms). */
  since?: number;
  /** Occurred before (epoch ms). */
  until?: number;
}

/** Whether `event` passes `filter`. */
export function eventMatches(filter: EventFilter, event: IronEvent): boolean {
  if (filter.prefixes?.length && !filter.prefixes.some((p) => event.event.startsWith(p))) {
    return false;
  }
  if (filter.names?.length && !filter.names.some((p) => namePatternMatches(p, event.event))) {
    return false;
  }
  if (filter.resources?.length) {
    const ids = [event.resource, ...event.related.map((r) => r.id)];
    if (!filter.resources.some((p) => ids.some((id) => namePatternMatches(p, id)))) return false;
  }
  if (filter.since !== undefined && event.occurred < filter.since) return false;
  if (filter.until !== undefined && event.occurred >= filter.until) return false;
  return true;
}
