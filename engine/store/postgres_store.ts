/**
 * The PostgreSQL store, for several servers on one database: the same
 * contract as the SQLite store, with seqs handed out under a row lock every
 * writer takes in turn, and uniqueness enforced by the database. This file
 * opens and migrates the database and composes the store's sides: writes
 * and purges (`_postgres_write.ts`, `_postgres_purge.ts`), queries
 * (`_postgres_queries.ts`), documents and limits (`_postgres_documents.ts`).
 *
 * The driver (npm `postgres`) is asynchronous and the store port is not: a
 * worker thread owns the connection (`_postgres_bridge.ts`).
 *
 * @module
 */
import type { Store } from "../core/mod.ts";
import { ComposedStore } from "./_composed_store.ts";
import { redact } from "./_postgres_bridge.ts";
import { PostgresConnection } from "./_postgres_connection.ts";
import { PostgresDocuments, PostgresLimits } from "./_postgres_documents.ts";
import { PostgresQueries } from "./_postgres_queries.ts";
import { PostgresWriter } from "./_postgres_write.ts";
import { PG_MIGRATIONS, PG_SCHEMA_VERSION, PgLock, SCHEMA_LOCK_KEY } from "./postgres_schema.ts";

/** Options of {@linkcode createPostgresStore}. */
export interface PostgresStoreOptions {
  /**
   * The schema IronFlow's tables live in, created when missing. Several
   * IronFlow homes may share one database, each in its own schema.
   * @default the connection's default schema (`public`)
   */
  schema?: string;
  /**
   * Bring an older schema up to date when opening. Off, an out-of-date
   * database is refused with a message naming `ironflow db migrate`.
   * @default true
   */
  migrate?: boolean;
}

/** Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** Opens (and migrates) the PostgreSQL store at `url` (`postgres://user:pass@host:port/db`). */
export function createPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  const schema = checkedSchema(url, options.schema);
  const conn = new PostgresConnection(url, schema);
  try {
    migrate(conn, schema, options.migrate ?? true);
  } catch (error) {
    conn.close();
    throw error;
  }
  const documents = new PostgresDocuments(conn);
  const queries = new PostgresQueries(conn);
  const limits = new PostgresLimits(conn);
  const writes = new PostgresWriter({ conn, queries, documents, limits });
  return new ComposedStore({
    schemaVersion: PG_SCHEMA_VERSION,
    writes,
    queries,
    limits,
    documents,
    // A read inside an open write transaction sees what that transaction kept.
    enter: () => writes.flushPending(),
    close: () => conn.close(),
  });
}

// Refuses a URL that is not PostgreSQL's and a schema name that is not a plain identifier.
function checkedSchema(url: string, schema: string | undefined): string | null {
  if (!isPostgresUrl(url)) {
    throw new RangeError(
      `Invalid database URL "${redact(url)}": expected postgres://user:password@host:port/database`,
    );
  }
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(`Invalid schema name "${schema}": use lower-case letters, digits and "_"`);
  }
  return schema ?? null;
}

/**
 * Migrates the PostgreSQL database at `url` (in `options.schema`) to this
 * build's schema and closes it; returns the versions it applied (none when
 * it was up to date).
 */
export function migratePostgres(url: string, options: { schema?: string } = {}): number[] {
  const schema = checkedSchema(url, options.schema);
  const conn = new PostgresConnection(url, schema);
  try {
    return migrate(conn, schema, true);
  } finally {
    conn.close();
  }
}

/**
 * Brings the schema to the version of this build, under an advisory lock:
 * servers starting together migrate one after another, and the later ones
 * find nothing left to do. Returns the versions it applied.
 */
function migrate(conn: PostgresConnection, schema: string | null, apply: boolean): number[] {
  const lock = `${PgLock.MIGRATE}, ${SCHEMA_LOCK_KEY}`;
  if (schema !== null) conn.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  conn.query(`SELECT pg_advisory_lock(${lock})`);
  try {
    return conn.transaction(() => {
      conn.queue("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      const [row] = conn.query<{ v: number | null }>(
        "SELECT MAX(version) AS v FROM schema_version",
      );
      const current = row?.v ?? 0;
      if (current > PG_SCHEMA_VERSION) {
        throw new Error(
          `Database schema version ${current} is newer than this build supports (${PG_SCHEMA_VERSION})`,
        );
      }
      if (current < PG_SCHEMA_VERSION && !apply) {
        throw new Error(
          `Database schema version ${current} is older than this build's (${PG_SCHEMA_VERSION}): ` +
            `run "ironflow db migrate"`,
        );
      }
      const applied: number[] = [];
      for (let version = current + 1; version <= PG_SCHEMA_VERSION; version++) {
        conn.queue(PG_MIGRATIONS[version - 1]!);
        conn.queue("INSERT INTO schema_version (version) VALUES ($1)", [version]);
        applied.push(version);
      }
      return applied;
    });
  } finally {
    conn.query(`SELECT pg_advisory_unlock(${lock})`);
  }
}
