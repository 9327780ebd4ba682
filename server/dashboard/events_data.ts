/**
 * The events page's data: the event log read newest first, a page at a
 * time, and links from the resources events name to their pages.
 *
 * The log's own reader goes forward (the API and the stream tail it); the
 * page reads it backwards: state changes by `seq` in chunks, custom events
 * (keyed by a UUIDv7 of their arrival) in time windows that widen while they
 * are sparse. A page's cursor holds the bounds both sources stopped at.
 *
 * @module
 */
import {
  decodeCursor,
  encodeCursor,
  EVENT_COLLECTION,
  type EventFilter,
  eventMatches,
  type IronEvent,
  stateChangeEvent,
} from "../../engine/events/mod.ts";
import type { StoreReader } from "../../engine/mod.ts";
import { uuidv7From } from "../../engine/uuid7.ts";
import { findAutomation } from "../../engine/automations/mod.ts";
import { deploymentHref, flowHref, runHref, workPoolHref } from "../../ui/mod.ts";

/** A page of events, newest first. */
export interface RecentEvents {
  items: IronEvent[];
  /** Cursor of the next (older) page; null on the last one. */
  nextCursor: string | null;
}

/** Options of {@linkcode recentEvents}. */
export interface RecentEventsOptions {
  filter: EventFilter;
  /** A cursor from a previous page; none for the newest page. */
  cursor: string | null;
  /** @default 50 */
  limit?: number;
  /** Time that decides which custom events have expired. */
  now: number;
  /** Most raw events scanned per source for one page. @default 20000 */
  scanLimit?: number;
}

// A custom-event key bound above every real key ("f" > any hex digit).
const NO_KEY = "~";
const STATE_CHUNK = 250;
const ZERO_BYTES = new Uint8Array(10);

interface Entry {
  event: IronEvent;
  seq?: number;
  key?: string;
}

/** The newest events before the cursor that pass the filter. */
export function recentEvents(reader: StoreReader, options: RecentEventsOptions): RecentEvents {
  const limit = options.limit ?? 50;
  const budget = options.scanLimit ?? 20_000;
  const before = options.cursor === null
    ? { seq: reader.lastSeq() + 1, key: NO_KEY }
    : decodeCursor(options.cursor);
  const state = new Peekable(stateBackwards(reader, before.seq, options.filter, budget));
  const custom = new Peekable(
    customBackwards(reader, before.key, options.filter, options.now, budget),
  );
  const items: IronEvent[] = [];
  let bound = { ...before };
  while (items.length < limit) {
    const a = state.peek();
    const b = custom.peek();
    if (a === undefined && b === undefined) return { items, nextCursor: null };
    if (isStop(a) || isStop(b)) break;
    // Backwards through the forward reader's order: on equal times it put state first.
    const entry = b === undefined || (a !== undefined && a.event.occurred > b.event.occurred)
      ? state.take()
      : custom.take();
    if (entry.seq !== undefined) bound = { ...bound, seq: entry.seq };
    if (entry.key !== undefined) bound = { ...bound, key: entry.key };
    items.push(entry.event);
  }
  const a = state.peek();
  const b = custom.peek();
  const more = a !== undefined || b !== undefined;
  // A source that stopped for its scan budget resumes below what it scanned.
  if (isStop(a)) bound.seq = a.seq!;
  if (isStop(b)) bound.key = b.key!;
  return { items, nextCursor: more ? encodeCursor(bound) : null };
}

// A source stopped by its scan budget, with the bound it reached.
interface Stop {
  stop: true;
  seq?: number;
  key?: string;
}
type Step = Entry | Stop;

function isStop(step: Step | undefined): step is Stop {
  return step !== undefined && "stop" in step;
}

// A generator with one step of look-ahead.
class Peekable {
  #head: IteratorResult<Step, void> | undefined;
  constructor(readonly source: Generator<Step, void>) {}
  peek(): Step | undefined {
    this.#head ??= this.source.next();
    return this.#head.done ? undefined : this.#head.value;
  }
  take(): Entry {
    const step = this.peek() as Entry;
    this.#head = undefined;
    return step;
  }
}

// State changes with `seq` below `beforeSeq`, newest first, read in chunks.
function* stateBackwards(
  reader: StoreReader,
  beforeSeq: number,
  filter: EventFilter,
  budget: number,
): Generator<Step, void> {
  const pools = new Map<string, string | undefined>();
  // The oldest kept seq: below it (history swept by retention) there is nothing to read.
  const oldest = reader.events({ afterSeq: 0, limit: 1 })[0]?.seq;
  if (oldest === undefined) return;
  let high = beforeSeq;
  let scanned = 0;
  while (high > oldest) {
    if (scanned >= budget) {
      yield { stop: true, seq: high };
      return;
    }
    const low = Math.max(0, high - 1 - STATE_CHUNK);
    const chunk = reader.events({ afterSeq: low, limit: high - 1 - low })
      .filter((e) => e.seq < high);
    scanned += high - 1 - low;
    for (let i = chunk.length - 1; i >= 0; i--) {
      const e = chunk[i]!;
      const run = reader.getRun(e.runId);
      const deploymentId = run?.deploymentId;
      if (deploymentId && !pools.has(deploymentId)) {
        const doc = reader.getDocument("deployment", deploymentId);
        pools.set(deploymentId, (doc?.data as { workPool?: string } | undefined)?.workPool);
      }
      const workPool = deploymentId ? pools.get(deploymentId) : undefined;
      const event = stateChangeEvent(e, { run, workPool });
      if (eventMatches(filter, event)) yield { event, seq: e.seq };
    }
    high = low + 1;
  }
}

// Milliseconds of a UUIDv7 key.
function timeOfKey(key: string): number {
  return parseInt(key.slice(0, 8) + key.slice(9, 13), 16);
}

// Custom events with keys below `beforeKey`, newest first, read in time
// windows: a window is read forward whole, then given back reversed.
function* customBackwards(
  reader: StoreReader,
  beforeKey: string,
  filter: EventFilter,
  now: number,
  budget: number,
): Generator<Step, void> {
  const first = reader.listDocuments({ collection: EVENT_COLLECTION, limit: 1 })[0];
  if (!first) return;
  const floor = timeOfKey(first.key);
  let highKey = beforeKey;
  let highTime = beforeKey === NO_KEY ? now : timeOfKey(beforeKey);
  let span = 60_000;
  let scanned = 0;
  while (true) {
    if (scanned >= budget) {
      yield { stop: true, key: highKey };
      return;
    }
    const lowTime = Math.max(floor, highTime - span);
    const lowKey = lowTime <= floor ? "" : uuidv7From(lowTime, ZERO_BYTES);
    const window: Entry[] = [];
    let after = lowKey;
    let count = 0;
    read: while (true) {
      const docs = reader.listDocuments({
        collection: EVENT_COLLECTION,
        limit: 500,
        ...(after !== "" ? { afterKey: after } : {}),
      });
      for (const doc of docs) {
        if (doc.key >= highKey) break read;
        count++;
        if (doc.expiresAt !== null && doc.expiresAt <= now) continue;
        const event = doc.data as unknown as IronEvent;
        if (eventMatches(filter, event)) window.push({ event, key: doc.key });
      }
      if (docs.length < 500) break;
      after = docs.at(-1)!.key;
    }
    scanned += count;
    for (let i = window.length - 1; i >= 0; i--) yield window[i]!;
    if (lowKey === "") return;
    highKey = lowKey;
    highTime = lowTime;
    // Sparse windows widen, crowded ones narrow, so a page costs few reads.
    span = count < 100 ? span * 4 : count > 2_000 ? Math.max(1_000, span / 4) : span;
  }
}

/** Hrefs of the resources named by `events` that have a page here. */
export function resourceLinks(
  reader: StoreReader,
  events: readonly IronEvent[],
  deploymentName: (id: string) => string | undefined,
): Record<string, string> {
  const links: Record<string, string> = {};
  for (const event of events) {
    for (const id of [event.resource, ...event.related.map((r) => r.id)]) {
      if (id in links) continue;
      const href = resourceHref(reader, id, deploymentName);
      if (href !== null) links[id] = href;
    }
  }
  return links;
}

function resourceHref(
  reader: StoreReader,
  id: string,
  deploymentName: (id: string) => string | undefined,
): string | null {
  const match = /^ironflow\.([a-z-]+)\.(.+)$/.exec(id);
  if (!match) return null;
  const [, kind, rest] = match as unknown as [string, string, string];
  switch (kind) {
    case "flow-run":
    case "task-run":
      return reader.getRun(rest) ? runHref(rest) : null;
    case "flow":
      return flowHref(rest);
    case "deployment": {
      const name = deploymentName(rest);
      return name === undefined ? null : deploymentHref(name);
    }
    case "work-pool":
      return workPoolHref(rest);
    case "automation": {
      const automation = findAutomation(reader, rest);
      return automation ? `/automations/${encodeURIComponent(automation.name)}` : null;
    }
    default:
      return null;
  }
}
