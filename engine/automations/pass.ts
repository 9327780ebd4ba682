/**
 * One evaluation pass of every enabled automation over the events recorded
 * since the last pass. The pass's firings, the automations' new counting
 * states and the log position commit in one transaction: a pass that does
 * not commit leaves everything as it was (the next one reads the same
 * events), and one that does is never repeated, so each firing happens once.
 *
 * @module
 */
import type { Json } from "../core/mod.ts";
import type { Engine } from "../engine.ts";
import {
  appendEvents,
  type IronEvent,
  logEnd,
  namePatternMatches,
  type NewEvent,
  readEvents,
} from "../events/mod.ts";
import { uuidv7 } from "../uuid7.ts";
import { evaluateTrigger, type Firing } from "./evaluate.ts";
import { eventTriggerOf } from "./model.ts";
import {
  type FiringRecord,
  listAutomations,
  putCursor,
  putFiring,
  putTriggerState,
  readCursor,
  storedTriggerState,
} from "./store.ts";

/** What one pass did. */
export interface PassReport {
  /** Events read. */
  events: number;
  firings: FiringRecord[];
  /** More events wait: the next pass should follow at once. */
  more: boolean;
}

/** Options of {@linkcode evaluateAutomations}. */
export interface PassOptions {
  now: number;
  /** Most events read per pass. @default 5000 */
  maxEvents?: number;
}

/** Evaluates every enabled automation once; see the module doc. */
export async function evaluateAutomations(
  engine: Engine,
  options: PassOptions,
): Promise<PassReport> {
  const { now } = options;
  const start = readCursor(engine.reader);
  if (!listAutomations(engine.reader).some((automation) => automation.enabled)) {
    return await skipToLogEnd(engine, start, now);
  }
  // Never evaluated: automations react to what happens from now on, not to the past.
  const after = start ?? logEnd(engine.reader, now);
  const page = readEvents(engine.reader, {
    after,
    limit: options.maxEvents ?? 5000,
    now,
  });
  const events = page.items.filter((event) => !event.event.startsWith("ironflow.automation."));
  return await engine.transact((tx) => {
    // Another leader moved the position since it was read: its pass counted these events.
    if (JSON.stringify(readCursor(tx)) !== JSON.stringify(start)) {
      return { events: 0, firings: [], more: false };
    }
    const firings: FiringRecord[] = [];
    const announced: NewEvent[] = [];
    const byName = new EventsByName(events);
    for (const automation of listAutomations(tx)) {
      if (!automation.enabled) continue;
      const trigger = eventTriggerOf(automation.trigger);
      const stored = storedTriggerState(tx, automation.id);
      const state = stored ?? { windows: {}, since: now };
      const watched = byName.matching(trigger.match).filter((event) =>
        event.occurred >= state.since
      );
      const result = evaluateTrigger(trigger, state, watched, { now, since: state.since });
      // Most automations see nothing in a pass: their unchanged state is not written again.
      if (
        !stored || result.firings.length > 0 ||
        JSON.stringify(result.state.windows) !== JSON.stringify(stored.windows)
      ) {
        putTriggerState(tx, automation.id, { ...result.state, since: state.since }, now);
      }
      for (const firing of result.firings) {
        const record = firingRecord(
          automation.id,
          automation.name,
          firing,
          automation.actions.length,
          now,
        );
        putFiring(tx, record, now);
        firings.push(record);
        announced.push(triggeredEvent(record, firing.event));
      }
    }
    appendEvents(tx, announced, { now });
    putCursor(tx, page.next, now);
    return { events: page.items.length, firings, more: page.more };
  });
}

/**
 * With no enabled automation, nobody would look at the new events: the
 * position moves to the log's end without reading them (reading costs a run
 * lookup per event, a large share of a busy server's time). An automation
 * enabled later watches from its own start anyway.
 */
async function skipToLogEnd(
  engine: Engine,
  start: ReturnType<typeof readCursor>,
  now: number,
): Promise<PassReport> {
  const end = logEnd(engine.reader, now);
  return await engine.transact((tx) => {
    const moved = JSON.stringify(readCursor(tx)) !== JSON.stringify(start);
    // Enabled meanwhile: the next pass reads these events.
    const enabled = listAutomations(tx).some((automation) => automation.enabled);
    if (moved || enabled) return { events: 0, firings: [], more: enabled };
    putCursor(tx, end, now);
    return { events: 0, firings: [], more: false };
  });
}

function firingRecord(
  automationId: string,
  automationName: string,
  firing: Firing,
  actions: number,
  now: number,
): FiringRecord {
  return {
    id: uuidv7(now),
    automationId,
    automationName,
    group: firing.group,
    at: firing.at,
    count: firing.count,
    event: (firing.event ?? null) as unknown as Json,
    actions: Array.from({ length: actions }, () => ({
      status: "pending" as const,
      attempts: 0,
      nextAttemptAt: now,
    })),
    done: actions === 0,
  };
}

function triggeredEvent(record: FiringRecord, event: IronEvent | undefined): NewEvent {
  return {
    event: "ironflow.automation.triggered",
    resource: `ironflow.automation.${record.automationId}`,
    related: [
      ...(event ? [{ id: event.resource, role: "triggering-resource" }] : []),
      ...(record.group ? [{ id: record.group, role: "group" }] : []),
    ],
    payload: {
      firing_id: record.id,
      automation: record.automationName,
      count: record.count,
      ...(event ? { triggering_event: event.id, triggering_event_name: event.event } : {}),
    },
  };
}

/**
 * A pass's events indexed by name: an automation's name patterns pick their
 * events from the few distinct names of a page instead of testing every
 * event, so a pass costs little per automation that matches nothing.
 */
class EventsByName {
  #byName = new Map<string, number[]>();
  #events: readonly IronEvent[];

  constructor(events: readonly IronEvent[]) {
    this.#events = events;
    events.forEach((event, index) => {
      const list = this.#byName.get(event.event);
      if (list) list.push(index);
      else this.#byName.set(event.event, [index]);
    });
  }

  /** The events whose name matches one of `patterns`, in log order. */
  matching(patterns: readonly string[]): IronEvent[] {
    // No pattern matches every name, as in eventMatches().
    if (patterns.length === 0) return [...this.#events];
    const lists: number[][] = [];
    for (const [name, indexes] of this.#byName) {
      if (patterns.some((pattern) => namePatternMatches(pattern, name))) lists.push(indexes);
    }
    if (lists.length === 0) return [];
    const indexes = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => a - b);
    return indexes.map((index) => this.#events[index]!);
  }
}
