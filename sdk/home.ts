/**
 * Where a process keeps its runs, and the engine over them: the one place
 * that picks the store (the SQLite file of a home folder, or a PostgreSQL
 * database), the result store that goes with it, and builds the engine. The
 * server, the services loop and the SDK's local plane (the CLI's commands,
 * scripts) all open their home here.
 *
 * @module
 */
import {
  type Clock,
  createEngine,
  createIdSource,
  createPostgresStore,
  createSqliteStore,
  type Engine,
  type SqliteStoreOptions,
  type Store,
  systemClock,
} from "../engine/mod.ts";
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

/** The engine of {@linkcode openHome} and {@linkcode openEngineOn}. */
export interface EngineSettings {
  /** @default the system clock */
  clock?: Clock;
  /** How long a run may go without a heartbeat (`IRONFLOW_LIVENESS_TIMEOUT_MS`). @default 60_000 */
  livenessMs?: number | undefined;
}

/** An engine over a home's storage, with the results beside it. */
export interface OpenedHome {
  readonly engine: Engine;
  readonly results: ResultStore;
  /** Closes the engine (after its last commit), then the result store. */
  close(): Promise<void>;
}

/** Builds the engine over `storage`: the one place IronFlow's processes make theirs. */
export function openEngineOn(storage: HomeStorage, settings: EngineSettings = {}): OpenedHome {
  const engine = createEngine({
    store: storage.store,
    clock: settings.clock ?? systemClock,
    ids: createIdSource(),
    ...(settings.livenessMs !== undefined ? { livenessMs: settings.livenessMs } : {}),
  });
  return {
    engine,
    results: storage.results,
    async close() {
      await engine.close();
      await storage.closeResults();
    },
  };
}

/**
 * Opens a home ({@linkcode openHomeStorage}) and the engine over it.
 *
 * @example Open a home, read it, close it
 * ```ts
 * import { openHome } from "./home.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const home = openHome({ home: dir });
 * console.log(home.engine.listRuns({ kind: "flow" }).items.length); // 0
 * await home.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function openHome(options: HomeStorageOptions & EngineSettings): OpenedHome {
  return openEngineOn(openHomeStorage(options), options);
}
