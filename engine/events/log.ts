/**
 * The event log: state changes read from the engine's history (by `seq`) and
 * custom events kept as documents of the `event` collection (keyed by a
 * UUIDv7 of their arrival, so new ones always sort last), read as one
 * stream ordered by time with a cursor over both sources.
 *
 * @module
 */
import {
  type DocumentAccess,
  type EngineEvent,
  InvalidCursorError,
  type Json,
  type StoredDocument,
  type StoreReader,
} from "../core/mod.ts";
import { uuidv7, uuidv7From } from "../uuid7.ts";
import { type EventFilter, eventMatches, type IronEvent, type NewEvent } from "./model.ts";
import { stateChangeEvent } from "./state_events.ts";

/** Collection of custom events; key: UUIDv7 of arrival, ref: resource id. */
export const EVENT_COLLECTION = "event";

/** How long custom events are kept by default: 7 days. */
export const DEFAULT_EVENT_RETENTION_MS = 7 * 86_400_000;

/** Positions in both sources of the log: everything at or before them was read. */
export interface EventPosition {
  /** Last engine event seq read. */
  seq: number;
  /** Last custom event key read ("" for none). */
  key: string;
}

/** The position before any event. */
export const LOG_START: EventPosition = { seq: 0, key: "" };

/** Writes custom events into a transaction; returns them as stored. */
export function appendEvents(
  tx: DocumentAccess,
  inputs: readonly NewEvent[],
  options: { now: number; retentionMs?: number },
): IronEvent[] {
  const retentionMs = options.retentionMs ?? DEFAULT_EVENT_RETENTION_MS;
  return inputs.map((input) => {
    const event: IronEvent = {
      id: uuidv7(options.now),
      event: input.event,
      occurred: input.occurred ?? options.now,
      resource: input.resource,
      related: input.related ?? [],
      payload: input.payload ?? {},
    };
    tx.putDocument({
      collection: EVENT_COLLECTION,
      key: event.id,
      ref: event.resource,
      data: event as unknown as Json,
      createdAt: options.now,
      updatedAt: options.now,
      expiresAt: options.now + retentionMs,
    });
    return event;
  });
}

/** What one read of the log asks. */
export interface EventReadOptions {
  filter?: EventFilter;
  /** Read after this position. @default LOG_START */
  after?: EventPosition;
  /** Most events answered. @default 100 */
  limit?: number;
  /** Most raw events scanned per source before answering what was found. @default 5000 */
  scanLimit?: number;
  /** Time that decides which custom events have expired. */
  now: number;
}

/** A page of the log with the position to read on from. */
export interface EventRead {
  items: IronEvent[];
  /** The position just after each item: where a reader that got it resumes. */
  positions: EventPosition[];
  next: EventPosition;
  /** False when both sources were read to their end. */
  more: boolean;
}

/**
 * Reads the log after a position: both sources merged by time, filtered. A
 * source whose scan budget runs out without a match ends the page early
 * (with `more`), so filters never make a read unbounded.
 */
export function readEvents(reader: StoreReader, options: EventReadOptions): EventRead {
  const limit = options.limit ?? 100;
  const scanLimit = options.scanLimit ?? 5000;
  const filter = options.filter ?? {};
  const state = new StateSource(reader, options.after?.seq ?? 0, filter, scanLimit);
  const custom = new CustomSource(reader, options.after?.key ?? "", filter, scanLimit, options.now);
  const items: IronEvent[] = [];
  const positions: EventPosition[] = [];
  const here = () => ({ seq: state.position, key: custom.position });
  while (items.length < limit) {
    const a = state.peek();
    const b = custom.peek();
    if (a === "budget" || b === "budget") break;
    if (a === undefined && b === undefined) {
      return { items, positions, next: here(), more: false };
    }
    if (b === undefined || (a !== undefined && a.occurred <= b.occurred)) items.push(state.take());
    else items.push(custom.take());
    positions.push(here());
  }
  return { items, positions, next: here(), more: true };
}

type Peeked = IronEvent | undefined | "budget";

// A filtered source read a page at a time; `position` is just before `peek()`.
abstract class Source<P> {
  #buffer: { event: IronEvent | null; at: P }[] = [];
  #scanned = 0;
  #ended = false;
  #head: { event: IronEvent; at: P } | undefined;
  #lastRead: P;

  constructor(public position: P, readonly filter: EventFilter, readonly scanLimit: number) {
    this.#lastRead = position;
  }

  /** Raw entries after `after`; `null` events (expired) never match. */
  protected abstract page(after: P): { event: IronEvent | null; at: P }[];

  peek(): Peeked {
    while (this.#head === undefined) {
      if (this.#buffer.length === 0) {
        if (this.#ended) return undefined;
        if (this.#scanned >= this.scanLimit) return "budget";
        this.#buffer = this.page(this.#lastRead);
        this.#scanned += this.#buffer.length;
        if (this.#buffer.length === 0) {
          this.#ended = true;
          return undefined;
        }
        this.#lastRead = this.#buffer.at(-1)!.at;
      }
      const next = this.#buffer.shift()!;
      if (next.event !== null && eventMatches(this.filter, next.event)) {
        this.#head = { event: next.event, at: next.at };
      } else this.position = next.at;
    }
    return this.#head.event;
  }

  take(): IronEvent {
    const head = this.#head!;
    this.position = head.at;
    this.#head = undefined;
    return head.event;
  }
}

class StateSource extends Source<number> {
  #workPools = new Map<string, string | undefined>();
  constructor(readonly reader: StoreReader, seq: number, filter: EventFilter, scanLimit: number) {
    super(seq, filter, scanLimit);
  }
  protected page(after: number) {
    const events = this.reader.events({ afterSeq: after, limit: 500 });
    return events.map((e) => ({ event: this.#toEvent(e), at: e.seq }));
  }
  #toEvent(e: EngineEvent): IronEvent {
    const run = this.reader.getRun(e.runId);
    const deploymentId = run?.deploymentId;
    let workPool: string | undefined;
    if (deploymentId) {
      if (!this.#workPools.has(deploymentId)) {
        const doc = this.reader.getDocument("deployment", deploymentId);
        const pool = (doc?.data as { workPool?: string } | undefined)?.workPool;
        this.#workPools.set(deploymentId, pool);
      }
      workPool = this.#workPools.get(deploymentId);
    }
    return stateChangeEvent(e, { run, workPool });
  }
}

class CustomSource extends Source<string> {
  constructor(
    readonly reader: StoreReader,
    key: string,
    filter: EventFilter,
    scanLimit: number,
    readonly now: number,
  ) {
    super(key, filter, scanLimit);
  }
  protected page(after: string) {
    const docs = this.reader.listDocuments({
      collection: EVENT_COLLECTION,
      limit: 500,
      ...(after !== "" ? { afterKey: after } : {}),
    });
    return docs.map((doc: StoredDocument) => ({
      // An expired event stays in the scan (its key advances the cursor) but matches nothing.
      event: doc.expiresAt !== null && doc.expiresAt <= this.now
        ? null
        : doc.data as unknown as IronEvent,
      at: doc.key,
    }));
  }
}

/**
 * The position of the log's end at `now`: after every committed state change
 * and before custom events that arrive from this millisecond on.
 */
export function logEnd(reader: StoreReader, now: number): EventPosition {
  return { seq: reader.lastSeq(), key: uuidv7From(now, new Uint8Array(10)) };
}

/** Encodes a position as an opaque cursor. */
export function encodeCursor(position: EventPosition): string {
  return btoa(JSON.stringify([position.seq, position.key]));
}

/** Decodes a cursor; throws `InvalidCursorError` when it is not one. */
export function decodeCursor(cursor: string): EventPosition {
  try {
    const [seq, key] = JSON.parse(atob(cursor));
    if (Number.isSafeInteger(seq) && typeof key === "string") return { seq, key };
  } catch { /* reported below */ }
  throw new InvalidCursorError(`Cannot read cursor "${cursor}": it is not one this server gave`);
}
