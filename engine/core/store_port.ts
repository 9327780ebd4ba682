/**
 * The storage port. Adapters (memory, SQLite) live in `engine/store/`; one
 * contract test suite runs against all of them.
 *
 * Writes are synchronous inside `write()`: the engine batches proposals into
 * one transaction (group commit), so the store never waits on a caller.
 *
 * @module
 */
import type {
  EngineEvent,
  Json,
  LogQuery,
  LogRecord,
  PendingEvent,
  RunKind,
  RunRecord,
} from "./model.ts";
import type { StateType } from "./states.ts";

/** Sort keys for run listings; `expected` is the expected start time. */
export type RunSortKey = "created" | "updated" | "start" | "end" | "name" | "expected";

/** A filtered, sorted, paged query over runs. */
export interface RunQuery {
  kind?: RunKind;
  states?: readonly StateType[];
  /** Flow name (flow runs) or owning flow's name (task runs). */
  flowName?: string;
  /** Task name or flow name, exact. */
  name?: string;
  parentId?: string;
  rootId?: string;
  lineageId?: string;
  deploymentId?: string;
  /** Case-insensitive substring of the run name, name or id. */
  text?: string;
  /** Runs carrying all of these tags. */
  tags?: readonly string[];
  createdAfter?: number;
  createdBefore?: number;
  /** Only runs with an expected start time before this (epoch ms); runs without one are left out. */
  expectedStartBefore?: number;
  sort?: RunSortKey;
  order?: "asc" | "desc";
  /** Opaque cursor from a previous page; must match sort and order. */
  cursor?: string;
  /** Page size. @default 50 */
  limit?: number;
}

/** Width of the stored activity counts of flow runs (see {@linkcode Store.flowRunActivity}): one hour. */
export const ACTIVITY_BUCKET_MS = 3_600_000;

/**
 * A query over the stored counts of flow runs created per hour and state.
 * `since`, `until` and `bucketMs` are multiples of
 * {@linkcode ACTIVITY_BUCKET_MS}: the counts answer whole hours only.
 */
export interface ActivityQuery {
  /** Creation time from which runs count (epoch ms, inclusive). */
  since: number;
  /** Creation time up to which runs count (epoch ms, exclusive). */
  until: number;
  /** Width of the buckets answered; they are aligned to the epoch. */
  bucketMs: number;
  /** Only flow runs of this flow name. */
  flowName?: string;
  /** Only flow runs in these states (none or empty: every state). */
  states?: readonly StateType[];
}

/** Flow runs created in one bucket, by state. */
export interface ActivityBucket {
  /** Start of the bucket (epoch ms, a multiple of the query's `bucketMs`). */
  start: number;
  /** Runs by state; states without runs are left out. */
  counts: Partial<Record<StateType, number>>;
}

/** A page of results with the cursor of the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A query over the event log. */
export interface EventQuery {
  runId?: string;
  /** Only events with `seq` greater than this. */
  afterSeq?: number;
  limit?: number;
}

/** Counts for dashboards and health checks. */
export interface StoreSummary {
  flowRuns: number;
  taskRuns: number;
  events: number;
  flowRunsByState: Partial<Record<StateType, number>>;
  taskRunsByState: Partial<Record<StateType, number>>;
}

/** A flow name with its number of flow runs and its newest run. */
export interface FlowStat {
  flowName: string;
  runs: number;
  lastRunId: string;
  lastRunState: StateType;
  lastRunCreatedAt: number;
}

/**
 * A flow run's task runs grouped by task key: the logical graph, with a
 * map's fan-out collapsed into one node.
 */
export interface TaskGraph {
  /** Groups ordered by their oldest task run (creation time, then id). */
  nodes: TaskGraphNode[];
  /** Upstream edges between groups, ordered by `from`, `to`, `kind`. */
  edges: TaskGraphEdge[];
}

/** The task runs of one call site (a map's runs share its task key). */
export interface TaskGraphNode {
  /** The task key, or the run id of a task run that has none. */
  key: string;
  name: string;
  runs: number;
  states: Partial<Record<StateType, number>>;
  /** The group's oldest task run (creation time, then id). */
  firstRunId: string;
}

/** Upstream edges from the runs of group `from` to the runs of group `to`. */
export interface TaskGraphEdge {
  from: string;
  to: string;
  kind: "data" | "waitFor";
  count: number;
}

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
  /** @default 1000 */
  limit?: number;
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

/** Why {@linkcode Store.purgeRuns} kept a run it was asked to purge. */
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

/** Options of {@linkcode Store.purgeRuns}. */
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

/** What one {@linkcode Store.purgeRuns} call deleted and what it kept. */
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
 * order is checked). Adapters call it from {@linkcode Store.importEvents}.
 */
export function checkImportedSeq(seq: number, last: number): void {
  if (!Number.isSafeInteger(seq) || seq <= last) {
    throw new RangeError(`Cannot import event seq ${seq}: expected a seq above ${last}`);
  }
}

/** What a write transaction may do. */
export interface StoreTx extends DocumentAccess {
  /** Whether another connection committed since this connection's last write. */
  externalChanges(): boolean;
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

/** A durable (or memory) home for events and run projections. */
export interface Store extends DocumentAccess {
  /** Schema version of the adapter's data. */
  readonly schemaVersion: number;
  /** Runs `fn` in one atomic write transaction. */
  write<T>(fn: (tx: StoreTx) => T): T;
  getRun(runId: string): RunRecord | undefined;
  listRuns(query: RunQuery): Page<RunRecord>;
  /** Counts of the runs matching the query's filters, by state (sort and paging ignored). */
  countRuns(query: RunQuery): Partial<Record<StateType, number>>;
  /**
   * Flow runs created per bucket and state, from counts the store keeps per
   * hour: the cost grows with the hours in the window, not with the runs.
   * Buckets without runs are left out; the rest ascend by `start`. Throws
   * `RangeError` when a bound or the width is not a whole number of hours.
   */
  flowRunActivity(query: ActivityQuery): ActivityBucket[];
  /** Every flow name with its run count and newest run, ordered by name. */
  flowStats(): FlowStat[];
  /** Distinct flow names of flow runs, ordered, at most `limit` (default 1000); cost grows with names, not runs. */
  flowNames(limit?: number): string[];
  /** The task runs of `flowRunId` grouped by task key, with the edges between groups. */
  taskGraph(flowRunId: string): TaskGraph;
  events(query?: EventQuery): EngineEvent[];
  logs(query: LogQuery): LogRecord[];
  /** Highest committed `seq`, 0 when empty. */
  lastSeq(): number;
  summary(): StoreSummary;
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
  /** Every concurrency limit, ordered by name. */
  concurrencyLimits(): ConcurrencyLimit[];
  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined;
  /** Inserts or replaces the limit named `limit.name`. */
  putConcurrencyLimit(limit: ConcurrencyLimit): void;
  /** Deletes a limit; returns whether it existed. */
  deleteConcurrencyLimit(name: string): boolean;
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
