/**
 * The storage port. Adapters (memory, SQLite) live in `engine/store/`; one
 * contract test suite runs against all of them. A {@linkcode Store} is its
 * write side ({@linkcode StoreWrites}), its query side (`StoreQueries`, in
 * `store_queries.ts`), concurrency limits and documents.
 *
 * Writes are synchronous inside `write()`: the engine batches proposals into
 * one transaction (group commit), so the store never waits on a caller.
 *
 * @module
 */
import type { EngineEvent, Json, LogRecord, PendingEvent, RunRecord } from "./model.ts";
import type { StoreQueries } from "./store_queries.ts";

/** A named limit on concurrently held slots (leases come with a later release). */
export interface ConcurrencyLimit {
  name: string;
  limit: number;
  slotDecayPerSecond: number;
  activeSlots: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * A JSON document in a named collection: the store's home for records that
 * are not runs (artifacts, cache entries, deployments...). `ref` is an
 * indexed secondary key (e.g. the flow run an artifact belongs to).
 */
export interface StoredDocument {
  collection: string;
  key: string;
  ref: string | null;
  data: Json;
  createdAt: number;
  updatedAt: number;
  /** Epoch ms after which readers treat the document as gone. */
  expiresAt: number | null;
}

/** A query over one collection, ordered by key. */
export interface DocumentQuery {
  collection: string;
  ref?: string;
  /** Only keys greater than this (paging). */
  afterKey?: string;
  /** Only keys up to this one, inclusive. */
  throughKey?: string;
  /** @default 1000 */
  limit?: number;
  /**
   * In a write transaction: lock the listed documents until it ends, and
   * leave out those another transaction holds instead of waiting for it
   * (PostgreSQL's `FOR UPDATE SKIP LOCKED`). Stores that run one write
   * transaction at a time, with no other lock holders, have nothing to skip.
   */
  skipLocked?: boolean;
}

/** Reads of documents. */
export interface DocumentReader {
  getDocument(collection: string, key: string): StoredDocument | undefined;
  listDocuments(query: DocumentQuery): StoredDocument[];
}

/** Reads and writes of documents; available in and out of write transactions. */
export interface DocumentAccess extends DocumentReader {
  /** Inserts or replaces the document at (collection, key). */
  putDocument(document: StoredDocument): void;
  /** Deletes a document; returns whether it existed. */
  deleteDocument(collection: string, key: string): boolean;
}

/** Every document of a collection (optionally with `ref`), in key order, a page at a time. */
export function* allDocuments(
  docs: DocumentReader,
  collection: string,
  ref?: string,
): Generator<StoredDocument> {
  let afterKey: string | undefined;
  while (true) {
    const page = docs.listDocuments({
      collection,
      limit: 1000,
      ...(ref !== undefined ? { ref } : {}),
      ...(afterKey !== undefined ? { afterKey } : {}),
    });
    yield* page;
    if (page.length < 1000) return;
    afterKey = page.at(-1)!.key;
  }
}

/** Why {@linkcode StoreWrites.purgeRuns} kept a run it was asked to purge. */
export type PurgeKeptReason =
  /** No flow run has that id. */
  | "not_found"
  /** A subflow run: it goes with its root's tree, never alone. */
  | "not_root"
  /** A run of the tree, or an attempt of the root's lineage, is not terminal. */
  | "live"
  /** The root or an attempt of its lineage ended at or after `endedBefore`. */
  | "recent"
  /** The tree holds the log's newest event or newest log line: deleting it would let its seq (or log id) be reused. */
  | "newest";

/** Options of {@linkcode StoreWrites.purgeRuns}. */
export interface PurgeOptions {
  /**
   * Keep a tree whose root, or any attempt of the root's lineage, ended (end
   * time, else last update) at or after this epoch ms. Checked inside the
   * purge transaction.
   */
  endedBefore?: number;
  /** Collections whose documents name a purged run in `ref` (e.g. artifacts): deleted with it. */
  documentsByRef?: readonly string[];
  /** Collections whose documents are keyed by a purged run's id: deleted with it. */
  documentsByKey?: readonly string[];
  /**
   * Called inside the purge transaction with what it deleted; the document it
   * returns is written in that transaction (the purge's audit record).
   */
  record?: (result: PurgeResult) => StoredDocument | undefined;
}

/** What one {@linkcode StoreWrites.purgeRuns} call deleted and what it kept. */
export interface PurgeResult {
  /** Root flow runs deleted with their trees, in the order asked. */
  purged: string[];
  /** Roots asked for but kept, with the reason. */
  kept: { runId: string; reason: PurgeKeptReason }[];
  /** Flow runs deleted: roots and their subflow runs. */
  flowRuns: number;
  taskRuns: number;
  events: number;
  logs: number;
  documents: number;
}

/** A purge result with nothing deleted or kept yet: what adapters start from. */
export function emptyPurgeResult(): PurgeResult {
  return { purged: [], kept: [], flowRuns: 0, taskRuns: 0, events: 0, logs: 0, documents: 0 };
}

/**
 * Checks an imported event's `seq` against the last one in the log; throws
 * `RangeError` unless it is above it (a purged log has gaps, so only the
 * order is checked). Adapters call it from {@linkcode StoreWrites.importEvents}.
 */
export function checkImportedSeq(seq: number, last: number): void {
  if (!Number.isSafeInteger(seq) || seq <= last) {
    throw new RangeError(`Cannot import event seq ${seq}: expected a seq above ${last}`);
  }
}

/**
 * Whatever runs a function inside a write transaction that joins the engine's
 * group commit (the engine itself); helpers that only need to write take this
 * instead of the whole engine.
 */
export interface Transactor {
  transact<T>(fn: (tx: StoreTx) => T): Promise<T>;
}

/** What a write transaction may do. */
export interface StoreTx extends DocumentAccess {
  /** Whether another connection committed since this connection's last write. */
  externalChanges(): boolean;
  /**
   * When `externalChanges()` said yes: the runs other connections changed,
   * if the store can tell (a reader that caches runs then forgets only
   * those); `undefined` when it cannot, and every cached run is suspect.
   */
  externallyChangedRuns?(): ReadonlySet<string> | undefined;
  /** The run as committed (including earlier writes of this transaction). */
  getRun(runId: string): RunRecord | undefined;
  /**
   * Which of `runIds` are runs already (of either kind): one query for a
   * batch of creations with caller-chosen ids instead of a lookup per id.
   */
  existingRunIds(runIds: readonly string[]): Set<string>;
  /** Tokens already applied to a run, with the version each produced. */
  runTokens(runId: string): Map<string, number>;
  /** Appends an event; returns its `seq`. */
  appendEvent(event: PendingEvent): number;
  insertRun(run: RunRecord): void;
  /** Replaces a run's record; `previous` (the record before) spares the store a read. */
  updateRun(run: RunRecord, previous?: RunRecord): void;
  /** Appends a log line; returns its id. */
  appendLog(log: LogRecord): number;
  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined;
  /** Inserts or replaces the limit named `limit.name`. */
  putConcurrencyLimit(limit: ConcurrencyLimit): void;
  /** Deletes a limit; returns whether it existed. */
  deleteConcurrencyLimit(name: string): boolean;
}

/** The write side of a store: transactions, imports, rebuilds and purges. */
export interface StoreWrites {
  /** Runs `fn` in one atomic write transaction. */
  write<T>(fn: (tx: StoreTx) => T): T;
  /** Deletes all projections and rebuilds them by replaying `apply` over every event. */
  rebuildProjections(apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord): void;
  /**
   * Appends already-sequenced events verbatim (import); projections are
   * rebuilt after. Each seq must be above the last one (a purged log has gaps).
   */
  importEvents(events: Iterable<EngineEvent>): void;
  /**
   * Deletes terminal flow runs with everything that belongs to them, in one
   * transaction: each root's whole tree (subflow runs, task runs), their
   * events, log lines and the documents named by `options`, keeping the run
   * counts right. A root is kept (see {@linkcode PurgeKeptReason}) unless its
   * tree and its lineage are all terminal. The log keeps every other event
   * and its seq: readers see a gap where the purged events were. Callers
   * bound the transaction by the number of roots they pass.
   */
  purgeRuns(rootIds: readonly string[], options?: PurgeOptions): PurgeResult;
}

/** Reads and writes of concurrency limits. */
export interface ConcurrencyLimitAccess {
  /** Every concurrency limit, ordered by name. */
  concurrencyLimits(): ConcurrencyLimit[];
  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined;
  /** Inserts or replaces the limit named `limit.name`. */
  putConcurrencyLimit(limit: ConcurrencyLimit): void;
  /** Deletes a limit; returns whether it existed. */
  deleteConcurrencyLimit(name: string): boolean;
}

/**
 * A durable (or memory) home for events and run projections: its write side,
 * its query side, limits and documents.
 */
export interface Store extends StoreWrites, StoreQueries, ConcurrencyLimitAccess, DocumentAccess {
  /** Schema version of the adapter's data. */
  readonly schemaVersion: number;
  close(): void;
}

/**
 * What an engine's readers may do with its store: every read, no write. Writes
 * go through the engine (`engine.transact()`), so they join its group commit.
 */
export type StoreReader = Omit<
  Store,
  | "write"
  | "close"
  | "importEvents"
  | "rebuildProjections"
  | "purgeRuns"
  | "putDocument"
  | "deleteDocument"
  | "putConcurrencyLimit"
  | "deleteConcurrencyLimit"
>;
