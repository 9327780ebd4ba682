/**
 * One `node:sqlite` connection shared by the sides of the SQLite store:
 * statements prepared once per SQL text, and transactions that roll back and
 * map SQLite's full-disk and I/O errors to `StorageError`s.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { storageErrorOf } from "../core/mod.ts";

/** The database of a SQLite store and what every side does with it. */
export class SqliteConnection {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Called after each commit (the store's checkpoints count them). */
  afterCommit: (() => void) | undefined;

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** The statement of `sql`, prepared on first use: most queries run in every scheduler tick. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, statement = this.db.prepare(sql));
    return statement;
  }

  /** Opens a write transaction, waiting up to the busy timeout for another process's lock. */
  begin(): void {
    try {
      this.db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      throw storageErrorOf(error) ?? error;
    }
  }

  /** Rolls back the open transaction, if SQLite has not already. */
  rollback(): void {
    if (this.db.isTransaction) this.db.exec("ROLLBACK");
  }

  /**
   * Runs `fn` in one write transaction and commits. When `fn` or the commit
   * fails (full disk, I/O error), `discard` drops what the caller queued for
   * it, the transaction is rolled back and the error is thrown as a
   * `StorageError` when it is one.
   */
  transaction<T>(fn: () => T, discard?: () => void): T {
    this.begin();
    let result: T;
    try {
      result = fn();
      this.db.exec("COMMIT");
    } catch (error) {
      discard?.();
      this.rollback();
      throw storageErrorOf(error) ?? error;
    }
    this.afterCommit?.();
    return result;
  }
}
