/**
 * What the memory store holds: the event log with its per-run indexes, the
 * run projections, log lines, limits and documents.
 *
 * @module
 */
import type {
  ConcurrencyLimit,
  EngineEvent,
  LogRecord,
  PendingEvent,
  RunRecord,
  StoredDocument,
} from "../core/mod.ts";

/** The key of a document in {@linkcode MemoryData.documents}. */
export function documentId(collection: string, key: string): string {
  return `${collection}\u0000${key}`;
}

/** The memory store's data, shared by its sides. */
export class MemoryData {
  events: EngineEvent[] = [];
  /** Each run's events, in seq order: `events({ runId })` must not scan the whole log. */
  readonly eventsByRun = new Map<string, EngineEvent[]>();
  readonly runs = new Map<string, RunRecord>();
  /** Tokens applied to each run, with the version each produced. */
  readonly tokens = new Map<string, Map<string, number>>();
  logs: LogRecord[] = [];
  readonly limits = new Map<string, ConcurrencyLimit>();
  /** By {@linkcode documentId}. */
  readonly documents = new Map<string, StoredDocument>();
  /** Set by a purge: the next transaction reports external changes (see `MemoryWrites.purgeRuns`). */
  purged = false;

  /** Highest `seq` of the log, 0 when empty. */
  lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  /** Appends an event; returns its seq. An imported event keeps its own `seq`. */
  append(event: PendingEvent): number {
    // A purge never deletes the newest event (so seqs are never reused), but
    // leaves gaps: seq is the last one plus one, not the length.
    const seq = this.lastSeq() + 1;
    // `seq` first, as the SQLite store returns it, so exports match byte for byte.
    const stored = { seq, ...event };
    this.events.push(stored);
    let byRun = this.eventsByRun.get(event.runId);
    if (!byRun) this.eventsByRun.set(event.runId, byRun = []);
    byRun.push(stored);
    let tokens = this.tokens.get(event.runId);
    if (!tokens) this.tokens.set(event.runId, tokens = new Map());
    tokens.set(event.token, event.version);
    return seq;
  }

  /** Rolls the log back to its first `length` events. */
  dropEventsFrom(length: number): void {
    for (const event of this.events.splice(length)) {
      this.tokens.get(event.runId)?.delete(event.token);
      this.eventsByRun.get(event.runId)?.pop();
    }
  }
}
