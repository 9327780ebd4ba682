/**
 * Where a process keeps its runs: the one place that picks the store (the
 * SQLite file of a home folder, or a PostgreSQL database) and the result
 * store that goes with it. The server and the SDK's local plane (the CLI's
 * commands, scripts) both open their storage here.
 *
 * @module
 */
import { createPostgresStore, createSqliteStore, type Store } from "../engine/mod.ts";
import type { SqliteStoreOptions } from "../engine/mod.ts";
import { createPostgresResultStore } from "./postgres_results.ts";
import { createFileResultStore, type ResultStore } from "./results.ts";

/** What {@linkcode openHomeStorage} opens. */
export interface HomeStorageOptions {
  /** The home folder: its `ironflow.db` and `results/`; unused when `databaseUrl` is set. */
  home: string;
  /**
   * A PostgreSQL database (`postgres://…`) that keeps runs and large results
   * instead of the home folder, so several servers can share them.
   */
  databaseUrl?: string | undefined;
  /** Settings of the SQLite store. */
  sqlite?: SqliteStoreOptions;
}

/** A store and the result store beside it. */
export interface HomeStorage {
  readonly store: Store;
  /** Large results: `results/` beside the SQLite file, or the database's `results` table. */
  readonly results: ResultStore;
  /** Closes the result store's connections; the engine closes the store. */
  closeResults(): Promise<void>;
}

/**
 * Opens the storage of a home: the PostgreSQL database of `databaseUrl` when
 * it is given (results in its `results` table, reachable from every server),
 * else `home/ironflow.db` with results in `home/results` (creating `home`).
 *
 * @example Open a home's storage
 * ```ts
 * import { openHomeStorage } from "./home.ts";
 *
 * const home = await Deno.makeTempDir();
 * const storage = openHomeStorage({ home });
 * storage.store.close();
 * await storage.closeResults();
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export function openHomeStorage(options: HomeStorageOptions): HomeStorage {
  if (options.databaseUrl) {
    const results = createPostgresResultStore(options.databaseUrl);
    return {
      store: createPostgresStore(options.databaseUrl),
      results,
      closeResults: () => results.close(),
    };
  }
  Deno.mkdirSync(options.home, { recursive: true });
  return {
    store: createSqliteStore(`${options.home}/ironflow.db`, options.sqlite),
    results: createFileResultStore(`${options.home}/results`),
    closeResults: () => Promise.resolve(),
  };
}
