/**
 * Store adapters: memory (tests, scripts), SQLite (the durable default) and
 * PostgreSQL (several servers on one database).
 *
 * @example
 * ```ts
 * import { createSqliteStore } from "./mod.ts";
 * const store = createSqliteStore(":memory:");
 * console.log(store.summary().flowRuns); // 0
 * store.close();
 * ```
 *
 * @module
 */
export { createMemoryStore } from "./memory_store.ts";
export {
  createSqliteStore,
  sqliteDocumentCollections,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from "./sqlite_store.ts";
export { MIGRATIONS, SCHEMA_VERSION } from "./sqlite_schema.ts";
export {
  createPostgresStore,
  isPostgresUrl,
  migratePostgres,
  type PostgresStoreOptions,
} from "./postgres_store.ts";
export {
  type CopyReport,
  copyStore,
  type CopyStoreOptions,
  countStore,
  type StoreCounts,
} from "./copy_store.ts";
export { PG_SCHEMA_VERSION } from "./postgres_schema.ts";
