/**
 * Documents and concurrency limits of the PostgreSQL store: keyed records
 * that are not runs, read and written in and out of write transactions.
 *
 * @module
 */
import type {
  ConcurrencyLimit,
  DocumentAccess,
  DocumentQuery,
  StoredDocument,
} from "../core/mod.ts";
import type { PostgresConnection } from "./_postgres_connection.ts";
import { PgWhere } from "./_postgres_where.ts";
import { documentToRow, limitToRow, type Row, rowToDocument, rowToLimit } from "./_sqlite_rows.ts";

const GET_DOCUMENT_SQL = "SELECT * FROM documents WHERE collection = $1 AND key = $2";
const PUT_DOCUMENT_SQL = `INSERT INTO documents
  (collection, key, ref, data, created_at, updated_at, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (collection, key) DO UPDATE SET ref = excluded.ref, data = excluded.data,
    created_at = excluded.created_at, updated_at = excluded.updated_at,
    expires_at = excluded.expires_at`;
const DELETE_DOCUMENT_SQL = "DELETE FROM documents WHERE collection = $1 AND key = $2";

const LIST_LIMITS_SQL = "SELECT * FROM concurrency_limits ORDER BY name";
const GET_LIMIT_SQL = "SELECT * FROM concurrency_limits WHERE name = $1";
const PUT_LIMIT_SQL = `INSERT INTO concurrency_limits
  (name, slot_limit, slot_decay_per_second, active_slots, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (name) DO UPDATE SET slot_limit = excluded.slot_limit,
    slot_decay_per_second = excluded.slot_decay_per_second,
    active_slots = excluded.active_slots, created_at = excluded.created_at,
    updated_at = excluded.updated_at`;
const DELETE_LIMIT_SQL = "DELETE FROM concurrency_limits WHERE name = $1";

/**
 * The `documents` table. A put inside a write transaction is queued and
 * sent with the transaction's next round trip; outside one it runs at once.
 */
export class PostgresDocuments implements DocumentAccess {
  readonly #conn: PostgresConnection;

  constructor(conn: PostgresConnection) {
    this.#conn = conn;
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    const [row] = this.#conn.query<Row>(GET_DOCUMENT_SQL, [collection, key]);
    return row ? rowToDocument(row) : undefined;
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    const where = new PgWhere()
      .add("collection = ?", query.collection)
      .addIf("ref = ?", query.ref)
      .addIf("key > ?", query.afterKey);
    const limit = where.param(query.limit ?? 1000);
    const rows = this.#conn.query<Row>(
      `SELECT * FROM documents ${where.sql()} ORDER BY key LIMIT ${limit}`,
      where.params,
    );
    return rows.map(rowToDocument);
  }

  putDocument(document: StoredDocument): void {
    if (this.#conn.inTransaction) this.#conn.queue(PUT_DOCUMENT_SQL, documentToRow(document));
    else this.#conn.execute(PUT_DOCUMENT_SQL, documentToRow(document));
  }

  deleteDocument(collection: string, key: string): boolean {
    return this.#conn.execute(DELETE_DOCUMENT_SQL, [collection, key]) > 0;
  }
}

/** The `concurrency_limits` table. */
export class PostgresLimits {
  readonly #conn: PostgresConnection;

  constructor(conn: PostgresConnection) {
    this.#conn = conn;
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    return this.#conn.query<Row>(LIST_LIMITS_SQL).map(rowToLimit);
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    const [row] = this.#conn.query<Row>(GET_LIMIT_SQL, [name]);
    return row ? rowToLimit(row) : undefined;
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    if (this.#conn.inTransaction) this.#conn.queue(PUT_LIMIT_SQL, limitToRow(limit));
    else this.#conn.execute(PUT_LIMIT_SQL, limitToRow(limit));
  }

  deleteConcurrencyLimit(name: string): boolean {
    return this.#conn.execute(DELETE_LIMIT_SQL, [name]) > 0;
  }
}
