/**
 * A {@linkcode Store} made of its sides: every adapter supplies a write side,
 * a query side, limits and documents, and this class gives them the one face
 * the engine sees: a closed store refuses every call, and writes of
 * documents and limits outside a transaction report storage faults as
 * `StorageError`s.
 *
 * @module
 */
import {
  type ActivityBucket,
  type ActivityQuery,
  type ConcurrencyLimit,
  type ConcurrencyLimitAccess,
  type DocumentAccess,
  type DocumentQuery,
  type EngineEvent,
  type EventQuery,
  type FlowStat,
  type LogQuery,
  type LogRecord,
  type Page,
  type PurgeOptions,
  type PurgeResult,
  type RunQuery,
  type RunRecord,
  type StateType,
  storageErrorOf,
  type Store,
  type StoredDocument,
  type StoreQueries,
  type StoreSummary,
  type StoreTx,
  type StoreWrites,
  type TaskGraph,
} from "../core/mod.ts";

/** The parts an adapter composes into a store. */
export interface StoreSides {
  schemaVersion: number;
  writes: StoreWrites;
  queries: StoreQueries;
  limits: ConcurrencyLimitAccess;
  documents: DocumentAccess;
  /** Runs before every call of an open store (e.g. to write what a transaction queued). */
  enter?: () => void;
  /** Releases the adapter's resources; called once. */
  close?: () => void;
}

/** The store the engine sees, delegating to an adapter's sides. */
export class ComposedStore implements Store {
  readonly schemaVersion: number;
  readonly #sides: StoreSides;
  #closed = false;

  constructor(sides: StoreSides) {
    this.schemaVersion = sides.schemaVersion;
    this.#sides = sides;
  }

  write<T>(fn: (tx: StoreTx) => T): T {
    return this.#open().writes.write(fn);
  }

  rebuildProjections(apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord): void {
    this.#open().writes.rebuildProjections(apply);
  }

  importEvents(events: Iterable<EngineEvent>): void {
    this.#open().writes.importEvents(events);
  }

  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    return this.#open().writes.purgeRuns(rootIds, options);
  }

  getRun(runId: string): RunRecord | undefined {
    return this.#open().queries.getRun(runId);
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    return this.#open().queries.listRuns(query);
  }

  countRuns(query: RunQuery): Partial<Record<StateType, number>> {
    return this.#open().queries.countRuns(query);
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    return this.#open().queries.flowRunActivity(query);
  }

  flowStats(): FlowStat[] {
    return this.#open().queries.flowStats();
  }

  flowNames(limit?: number): string[] {
    return this.#open().queries.flowNames(limit);
  }

  taskGraph(flowRunId: string): TaskGraph {
    return this.#open().queries.taskGraph(flowRunId);
  }

  events(query?: EventQuery): EngineEvent[] {
    return this.#open().queries.events(query);
  }

  logs(query: LogQuery): LogRecord[] {
    return this.#open().queries.logs(query);
  }

  lastSeq(): number {
    return this.#open().queries.lastSeq();
  }

  summary(): StoreSummary {
    return this.#open().queries.summary();
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    return this.#open().limits.concurrencyLimits();
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    return this.#open().limits.getConcurrencyLimit(name);
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    const { limits } = this.#open();
    mapStorageErrors(() => limits.putConcurrencyLimit(limit));
  }

  deleteConcurrencyLimit(name: string): boolean {
    const { limits } = this.#open();
    return mapStorageErrors(() => limits.deleteConcurrencyLimit(name));
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    return this.#open().documents.getDocument(collection, key);
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    return this.#open().documents.listDocuments(query);
  }

  putDocument(document: StoredDocument): void {
    const { documents } = this.#open();
    mapStorageErrors(() => documents.putDocument(document));
  }

  deleteDocument(collection: string, key: string): boolean {
    const { documents } = this.#open();
    return mapStorageErrors(() => documents.deleteDocument(collection, key));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sides.close?.();
  }

  #open(): StoreSides {
    if (this.#closed) throw new Error("Store is closed");
    this.#sides.enter?.();
    return this.#sides;
  }
}

// A write outside a transaction: storage faults (full disk, I/O) become StorageErrors.
function mapStorageErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw storageErrorOf(error) ?? error;
  }
}
