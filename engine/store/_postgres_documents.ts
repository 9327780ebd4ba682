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
import { RECORD_DOCUMENT_CHANGES_JSON, WRITE_ALONE_SQL } from "./_postgres_changes.ts";
import { PgWhere } from "./_postgres_where.ts";
import { documentToRow, limitToRow, type Row, rowToDocument, rowToLimit } from "./_sqlite_rows.ts";

const GET_DOCUMENT_SQL = "SELECT * FROM documents WHERE collection = $1 AND key = $2";
const PUT_DOCUMENT_SQL = `INSERT INTO documents
  (collection, key, ref, data, created_at, updated_at, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (collection, key) DO UPDATE SET ref = excluded.ref, data = excluded.data,
    created_at = excluded.created_at, updated_at = excluded.updated_at,
    expires_at = excluded.expires_at`;
// Puts of one transaction as one statement: `[collection, key, ref, data, created, updated, expires]` rows.
const PUT_DOCUMENTS_JSON = `INSERT INTO documents
  (collection, key, ref, data, created_at, updated_at, expires_at)
  SELECT r->>0, r->>1, r->>2, r->>3, (r->>4)::bigint, (r->>5)::bigint, (r->>6)::bigint
  FROM jsonb_array_elements($1::jsonb) AS r
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

/** Documents a store keeps between write transactions; past this the cache starts over. */
const CACHE_LIMIT = 50_000;

/**
 * The `documents` table. Puts inside a write transaction are kept and sent
 * as one statement with the transaction's next round trip; outside one a
 * put runs at once, in a transaction of its own that counts as a write.
 *
 * Inside a write transaction that found no other writer since this store's
 * last one, documents read or written before are answered from memory: the
 * engine reads one per transition (a run's liveness), and a round trip each
 * would cost more than the rest of the batch.
 */
export class PostgresDocuments implements DocumentAccess {
  readonly #conn: PostgresConnection;
  readonly #cache = new Map<string, StoredDocument | null>();
  /** Puts of the open write transaction, by collection and key, written as one statement. */
  readonly #puts = new Map<string, StoredDocument>();
  /** Documents the open write transaction put or deleted, as `[collection, key]`. */
  readonly #changed = new Map<string, [string, string]>();
  #trusted = false;

  constructor(conn: PostgresConnection) {
    this.#conn = conn;
  }

  /**
   * A write transaction opened. `externalChanges`: another server wrote
   * since our last write; `changed`: the documents it changed, if known.
   */
  opened(externalChanges: boolean, changed: ReadonlySet<string> | undefined): void {
    if (this.#cache.size > CACHE_LIMIT || (externalChanges && changed === undefined)) {
      this.#cache.clear();
    } else if (externalChanges) {
      for (const id of changed!) this.#cache.delete(id);
    }
    this.#trusted = true;
  }

  /** The write transaction ended; what it wrote is forgotten unless it committed. */
  closed(committed: boolean): void {
    if (!committed) this.#cache.clear();
    this.#puts.clear();
    this.#changed.clear();
    this.#trusted = false;
  }

  /**
   * Queues the open transaction's puts as one multi-row upsert and, given
   * the transaction's `writes`, records what it changed for other servers.
   */
  flushPuts(writes?: number): void {
    if (this.#puts.size > 0) {
      const rows = [...this.#puts.values()].map(documentToRow);
      this.#puts.clear();
      this.#conn.queue(PUT_DOCUMENTS_JSON, [rows]);
    }
    if (writes !== undefined && this.#changed.size > 0) {
      this.#conn.queue(RECORD_DOCUMENT_CHANGES_JSON, [writes, [...this.#changed.values()]]);
      this.#changed.clear();
    }
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    const id = `${collection}\u0000${key}`;
    if (this.#trusted) {
      const cached = this.#cache.get(id);
      if (cached !== undefined) return cached === null ? undefined : structuredClone(cached);
    }
    this.flushPuts();
    const [row] = this.#conn.query<Row>(GET_DOCUMENT_SQL, [collection, key]);
    const document = row ? rowToDocument(row) : undefined;
    if (this.#trusted) this.#cache.set(id, document ? structuredClone(document) : null);
    return document;
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    const where = new PgWhere()
      .add("collection = ?", query.collection)
      .addIf("ref = ?", query.ref)
      .addIf("key > ?", query.afterKey)
      .addIf("key <= ?", query.throughKey);
    const limit = where.param(query.limit ?? 1000);
    // Rows held by another transaction are left out, not waited on; ours stay locked to commit.
    const lock = query.skipLocked && this.#conn.inTransaction ? " FOR UPDATE SKIP LOCKED" : "";
    this.flushPuts();
    const rows = this.#conn.query<Row>(
      `SELECT * FROM documents ${where.sql()} ORDER BY key LIMIT ${limit}${lock}`,
      where.params,
    );
    return rows.map(rowToDocument);
  }

  putDocument(document: StoredDocument): void {
    const id = `${document.collection}\u0000${document.key}`;
    if (this.#conn.inTransaction) {
      this.#puts.set(id, document);
      this.#changed.set(id, [document.collection, document.key]);
      if (this.#trusted) this.#cache.set(id, structuredClone(document));
      else this.#cache.delete(id);
      return;
    }
    this.#cache.delete(id);
    this.#conn.transaction(() => {
      this.#conn.queue(WRITE_ALONE_SQL, [document.collection, document.key]);
      this.#conn.queue(PUT_DOCUMENT_SQL, documentToRow(document));
    });
  }

  deleteDocument(collection: string, key: string): boolean {
    const id = `${collection}\u0000${key}`;
    if (this.#conn.inTransaction) {
      this.flushPuts();
      const deleted = this.#conn.execute(DELETE_DOCUMENT_SQL, [collection, key]) > 0;
      this.#changed.set(id, [collection, key]);
      if (this.#trusted) this.#cache.set(id, null);
      else this.#cache.delete(id);
      return deleted;
    }
    this.#cache.delete(id);
    return this.#conn.transaction(() => {
      this.#conn.queue(WRITE_ALONE_SQL, [collection, key]);
      return this.#conn.execute(DELETE_DOCUMENT_SQL, [collection, key]) > 0;
    });
  }

  /** Forgets every cached document (a purge deleted some). */
  forget(): void {
    this.#cache.clear();
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
