/**
 * Documents and concurrency limits of the SQLite store: keyed records that
 * are not runs, read and written in and out of write transactions.
 *
 * @module
 */
import type {
  ConcurrencyLimit,
  DocumentAccess,
  DocumentQuery,
  StoredDocument,
} from "../core/mod.ts";
import type { SqliteConnection } from "./_sqlite_connection.ts";
import { SqlWhere } from "./_sqlite_where.ts";
import { documentToRow, limitToRow, type Row, rowToDocument, rowToLimit } from "./_sqlite_rows.ts";

const GET_DOCUMENT_SQL = "SELECT * FROM documents WHERE collection = ? AND key = ?";
const PUT_DOCUMENT_SQL = `INSERT OR REPLACE INTO documents
  (collection, key, ref, data, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;
const DELETE_DOCUMENT_SQL = "DELETE FROM documents WHERE collection = ? AND key = ?";

const LIST_LIMITS_SQL = "SELECT * FROM concurrency_limits ORDER BY name";
const GET_LIMIT_SQL = "SELECT * FROM concurrency_limits WHERE name = ?";
const PUT_LIMIT_SQL = `INSERT OR REPLACE INTO concurrency_limits
  (name, slot_limit, slot_decay_per_second, active_slots, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?)`;
const DELETE_LIMIT_SQL = "DELETE FROM concurrency_limits WHERE name = ?";

/** The `documents` table; its callers check that the store is open and map storage errors. */
export class SqliteDocuments implements DocumentAccess {
  readonly #conn: SqliteConnection;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    const row = this.#conn.statement(GET_DOCUMENT_SQL).get(collection, key) as Row | undefined;
    return row ? rowToDocument(row) : undefined;
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    const where = new SqlWhere()
      .add("collection = ?", query.collection)
      .addIf("ref = ?", query.ref)
      .addIf("key > ?", query.afterKey)
      .addIf("key <= ?", query.throughKey);
    // A write transaction here holds the whole database (BEGIN IMMEDIATE):
    // nothing is locked by another, so `skipLocked` has nothing to skip.
    const rows = this.#conn.statement(
      `SELECT * FROM documents ${where.sql()} ORDER BY key LIMIT ?`,
    ).all(...where.params, query.limit ?? 1000) as Row[];
    return rows.map(rowToDocument);
  }

  putDocument(document: StoredDocument): void {
    this.#conn.statement(PUT_DOCUMENT_SQL).run(...documentToRow(document));
  }

  deleteDocument(collection: string, key: string): boolean {
    return Number(this.#conn.statement(DELETE_DOCUMENT_SQL).run(collection, key).changes) > 0;
  }
}

/** The `concurrency_limits` table; its callers check that the store is open. */
export class SqliteLimits {
  readonly #conn: SqliteConnection;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    return (this.#conn.db.prepare(LIST_LIMITS_SQL).all() as Row[]).map(rowToLimit);
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    const row = this.#conn.db.prepare(GET_LIMIT_SQL).get(name) as Row | undefined;
    return row ? rowToLimit(row) : undefined;
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    this.#conn.db.prepare(PUT_LIMIT_SQL).run(...limitToRow(limit));
  }

  deleteConcurrencyLimit(name: string): boolean {
    return Number(this.#conn.db.prepare(DELETE_LIMIT_SQL).run(name).changes) > 0;
  }
}
