/**
 * The durable store: `node:sqlite` (built into Deno and its compiled
 * binaries), WAL, one transaction per engine batch. This file opens the
 * database and composes the store's sides: writes (`_sqlite_write.ts`),
 * queries (`_sqlite_queries.ts`), purges (`_sqlite_purge.ts`) and documents
 * (`_sqlite_documents.ts`).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import {
  type ActivityBucket,
  type ActivityQuery,
  type ConcurrencyLimit,
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
  StorageError,
  StorageErrorCode,
  storageErrorOf,
  type Store,
  type StoredDocument,
  type StoreSummary,
  type StoreTx,
  type TaskGraph,
} from "../core/mod.ts";
import { mapStorageErrors, SqliteConnection } from "./_sqlite_connection.ts";
import { SqliteDocuments, SqliteLimits } from "./_sqlite_documents.ts";
import { SqlitePurge } from "./_sqlite_purge.ts";
import { SqliteQueries } from "./_sqlite_queries.ts";
import { SqliteWriter } from "./_sqlite_write.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./sqlite_schema.ts";

/** Options of {@linkcode createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Milliseconds a writer waits for another process's lock. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting in WAL mode. `"normal"`: a commit is safe
   * from a crash of the process, but a power loss or OS crash may undo the
   * last commits (the database stays consistent). `"full"`: each commit is
   * flushed to the disk (fsync) before it returns, so it survives a power
   * loss too, at a cost per transaction.
   * @default "normal"
   */
  synchronous?: SqliteSynchronous;
  /**
   * Run `PRAGMA quick_check` when opening and refuse a damaged database with a
   * {@linkcode StorageError} (`storage_corrupt`) that says how to recover.
   * Costs a read of the whole file (about 1 s per GB).
   * @default false
   */
  integrityCheck?: boolean;
}

/** Values of {@linkcode SqliteStoreOptions.synchronous}. */
export type SqliteSynchronous = "normal" | "full";

/** Opens (and migrates) the SQLite store at `path` (`":memory:"` works too). */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return new SqliteStore(openDatabase(path, options));
}

// Opens the file with the settings every connection runs with, and migrates it.
function openDatabase(path: string, options: SqliteStoreOptions): SqliteConnection {
  const synchronous = options.synchronous ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full") {
    throw new RangeError(
      `Unknown SQLite synchronous setting "${synchronous}": use "normal" or "full"`,
    );
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (error) {
    throw storageErrorOf(error) ?? error;
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    if (options.integrityCheck) checkIntegrity(db, path);
    db.exec("PRAGMA journal_mode = WAL");
  } catch (error) {
    db.close();
    throw storageErrorOf(error) ?? error;
  }
  db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA cache_size = -65536");
  db.exec("PRAGMA wal_autocheckpoint = 8192");
  const conn = new SqliteConnection(db);
  migrate(conn);
  return conn;
}

// A damaged file must not take writes: they would spread the damage, and
// reads may answer wrong data. quick_check verifies every page and index
// structure without cross-checking index contents (integrity_check).
function checkIntegrity(db: DatabaseSync, path: string): void {
  let problems: string[];
  try {
    problems = (db.prepare("PRAGMA quick_check(5)").all() as { quick_check: string }[])
      .map((row) => row.quick_check);
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length === 1 && problems[0] === "ok") return;
  // One line: the operator reads it in a terminal or a log.
  const found = problems.join("; ").replace(/\s*\n\s*/g, "; ").slice(0, 300);
  throw new StorageError(
    StorageErrorCode.CORRUPT,
    `Database "${path}" failed its integrity check (${found}). Stop every IronFlow ` +
      `process on it, save what is readable with "ironflow db export --skip-integrity-check ` +
      `--out events.jsonl" and restore a backup (docs/backup_restore.md); ` +
      `IRONFLOW_SKIP_INTEGRITY_CHECK=1 opens it anyway`,
  );
}

// Brings the schema to SCHEMA_VERSION in one transaction.
function migrate(conn: SqliteConnection): void {
  conn.transaction(() => {
    conn.db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = conn.db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as
      | { v: number | null }
      | undefined;
    const current = row?.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `Database schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`,
      );
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      conn.db.exec(MIGRATIONS[version - 1]!);
      conn.db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(version);
    }
  });
}

// Every method opens with #open(): a closed store refuses, and a read inside
// an open write transaction sees the runs and events that transaction queued.
class SqliteStore implements Store {
  readonly schemaVersion = SCHEMA_VERSION;
  readonly #conn: SqliteConnection;
  readonly #documents: SqliteDocuments;
  readonly #limits: SqliteLimits;
  readonly #queries: SqliteQueries;
  readonly #writer: SqliteWriter;
  readonly #purge: SqlitePurge;
  #closed = false;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
    this.#documents = new SqliteDocuments(conn);
    this.#limits = new SqliteLimits(conn);
    this.#queries = new SqliteQueries(conn);
    this.#writer = new SqliteWriter({
      conn,
      queries: this.#queries,
      documents: this.#documents,
      limits: this.#limits,
    });
    this.#purge = new SqlitePurge(conn, this.#documents);
  }

  write<T>(fn: (tx: StoreTx) => T): T {
    this.#open();
    return this.#writer.write(fn);
  }

  rebuildProjections(apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord): void {
    this.#open();
    this.#writer.rebuildProjections(apply);
  }

  importEvents(events: Iterable<EngineEvent>): void {
    this.#open();
    this.#writer.importEvents(events);
  }

  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    this.#open();
    const result = this.#purge.purgeRuns(rootIds, options);
    // Readers that cache runs (the engine) ask externalChanges() before each
    // batch: answering true once makes them drop what they hold of purged runs.
    if (result.purged.length > 0) this.#writer.forgetDataVersion();
    return result;
  }

  getRun(runId: string): RunRecord | undefined {
    this.#open();
    return this.#queries.getRun(runId);
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    this.#open();
    return this.#queries.listRuns(query);
  }

  countRuns(query: RunQuery): Partial<Record<StateType, number>> {
    this.#open();
    return this.#queries.countRuns(query);
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    this.#open();
    return this.#queries.flowRunActivity(query);
  }

  flowStats(): FlowStat[] {
    this.#open();
    return this.#queries.flowStats();
  }

  flowNames(limit?: number): string[] {
    this.#open();
    return this.#queries.flowNames(limit);
  }

  taskGraph(flowRunId: string): TaskGraph {
    this.#open();
    return this.#queries.taskGraph(flowRunId);
  }

  events(query?: EventQuery): EngineEvent[] {
    this.#open();
    return this.#queries.events(query);
  }

  logs(query: LogQuery): LogRecord[] {
    this.#open();
    return this.#queries.logs(query);
  }

  lastSeq(): number {
    this.#open();
    return this.#queries.lastSeq();
  }

  summary(): StoreSummary {
    this.#open();
    return this.#queries.summary();
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    this.#open();
    return this.#limits.concurrencyLimits();
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    this.#open();
    return this.#limits.getConcurrencyLimit(name);
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    this.#open();
    mapStorageErrors(() => this.#limits.putConcurrencyLimit(limit));
  }

  deleteConcurrencyLimit(name: string): boolean {
    this.#open();
    return mapStorageErrors(() => this.#limits.deleteConcurrencyLimit(name));
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    this.#open();
    return this.#documents.getDocument(collection, key);
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    this.#open();
    return this.#documents.listDocuments(query);
  }

  putDocument(document: StoredDocument): void {
    this.#open();
    mapStorageErrors(() => this.#documents.putDocument(document));
  }

  deleteDocument(collection: string, key: string): boolean {
    this.#open();
    return mapStorageErrors(() => this.#documents.deleteDocument(collection, key));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn.db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error("Store is closed");
    this.#writer.flushPending();
  }
}
