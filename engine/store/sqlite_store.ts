/**
 * The durable store: `node:sqlite` (built into Deno and its compiled
 * binaries), WAL, one transaction per engine batch. This file opens and
 * migrates the database and composes the store's sides: writes and purges
 * (`_sqlite_write.ts`, `_sqlite_purge.ts`), queries (`_sqlite_queries.ts`),
 * documents and limits (`_sqlite_documents.ts`).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { StorageError, StorageErrorCode, storageErrorOf, type Store } from "../core/mod.ts";
import { ComposedStore } from "./_composed_store.ts";
import { AUTOCHECKPOINT_PAGES, SqliteCheckpointer } from "./_sqlite_checkpointer.ts";
import { SqliteConnection } from "./_sqlite_connection.ts";
import { SqliteDocuments, SqliteLimits } from "./_sqlite_documents.ts";
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
  /**
   * Let a process that keeps writing (past 5,000 commits) copy the
   * write-ahead log into the database on a thread of its own instead of in
   * a commit every 32 MiB of log. The thread costs about 25 MB of memory;
   * `false` keeps SQLite's automatic checkpoints.
   * @default true
   */
  checkpointThread?: boolean;
}

/** Values of {@linkcode SqliteStoreOptions.synchronous}. */
export type SqliteSynchronous = "normal" | "full";

/** Opens (and migrates) the SQLite store at `path` (`":memory:"` works too). */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const conn = openDatabase(path, options);
  const checkpointer = isFile(path) && options.checkpointThread !== false
    ? new SqliteCheckpointer(conn.db, path)
    : undefined;
  // A process that keeps writing checkpoints beside its commits (see _sqlite_checkpointer.ts).
  if (checkpointer) conn.afterCommit = () => checkpointer.committed();
  const documents = new SqliteDocuments(conn);
  const queries = new SqliteQueries(conn);
  const limits = new SqliteLimits(conn);
  const writes = new SqliteWriter({ conn, queries, documents, limits });
  return new ComposedStore({
    schemaVersion: SCHEMA_VERSION,
    writes,
    queries,
    limits,
    documents,
    // A read inside an open write transaction sees what that transaction queued.
    enter: () => writes.flushPending(),
    close: () => {
      checkpointer?.close();
      conn.db.close();
    },
  });
}

// ":memory:" and "" (a temporary database) have no write-ahead log to checkpoint.
function isFile(path: string): boolean {
  return path !== ":memory:" && path !== "" && !path.startsWith("file::memory:");
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
  // 8 MiB of pages per connection: a large fan-out's fresh pages are written
  // once and seldom read again, so a bigger cache only held them in memory
  // (64 MiB cost a 10,000-task fan-out ~12 MB at its peak), and the
  // dashboard's pages over 1,000,000 runs measured the same.
  db.exec("PRAGMA cache_size = -8192");
  db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
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

/** The document collections of the SQLite database at `path` (what `ironflow db copy` copies). */
export function sqliteDocumentCollections(path: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare("SELECT DISTINCT collection FROM documents ORDER BY collection")
      .all() as { collection: string }[];
    return rows.map((row) => row.collection);
  } finally {
    db.close();
  }
}
