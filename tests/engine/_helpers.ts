/**
 * Shared fixtures of the engine tests: store factories that clean up after
 * themselves, engines on a fake clock, and page walking.
 *
 * @module
 */
import postgres from "postgres";
import {
  createEngine,
  createMemoryStore,
  createPostgresStore,
  createSqliteStore,
  type Engine,
  FakeClock,
  type Policy,
  type RunQuery,
  type RunRecord,
  SequentialIds,
  type Store,
} from "../../engine/mod.ts";

/** A store under test plus the clean-up of whatever backs it. */
export interface StoreFixture extends AsyncDisposable {
  readonly store: Store;
  /** Path of the SQLite file, when the store has one. */
  readonly path?: string;
}

/** A named way to open a fresh, empty store. */
export interface StoreAdapter {
  readonly name: string;
  open(): Promise<StoreFixture>;
}

/** Opens a SQLite store on a file in a fresh temporary directory. */
export async function openSqliteFixture(): Promise<StoreFixture & { path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_engine_test_" });
  const path = `${dir}/ironflow.db`;
  const store = createSqliteStore(path);
  return {
    store,
    path,
    dir,
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * The PostgreSQL server the tests may use (`.ci/with_postgres` starts one);
 * without it the PostgreSQL tests are skipped.
 */
export const POSTGRES_URL: string | undefined = Deno.env.get("IRONFLOW_TEST_DATABASE_URL");

/** Why PostgreSQL tests are skipped, in their names. */
export const POSTGRES_SKIP =
  "skipped: IRONFLOW_TEST_DATABASE_URL is not set (run the tests under .ci/with_postgres)";

/** A fresh schema of the test server, dropped with everything in it on dispose. */
export function freshPostgresSchema(): AsyncDisposable & { schema: string } {
  const url = POSTGRES_URL;
  if (!url) throw new Error(POSTGRES_SKIP);
  // Parallel test modules share the server: each store gets a schema of its own.
  const schema = `t_${crypto.randomUUID().replaceAll("-", "")}`;
  return {
    schema,
    async [Symbol.asyncDispose]() {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await sql.end();
      }
    },
  };
}

/**
 * A fresh database on the test server, for what takes a whole URL (the CLI,
 * servers in subprocesses); dropped on dispose.
 */
export async function freshPostgresDatabase(): Promise<AsyncDisposable & { url: string }> {
  const url = POSTGRES_URL;
  if (!url) throw new Error(POSTGRES_SKIP);
  const name = `t_${crypto.randomUUID().replaceAll("-", "")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString(),
    async [Symbol.asyncDispose]() {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** Opens a PostgreSQL store in a fresh schema of the test server. */
export function openPostgresFixture(): Promise<StoreFixture & { schema: string }> {
  const fresh = freshPostgresSchema();
  const store = createPostgresStore(POSTGRES_URL!, { schema: fresh.schema });
  return Promise.resolve({
    store,
    schema: fresh.schema,
    async [Symbol.asyncDispose]() {
      store.close();
      await fresh[Symbol.asyncDispose]();
    },
  });
}

/** Every store adapter the engine ships; the contract suites run against each. */
export const STORE_ADAPTERS: readonly StoreAdapter[] = [
  {
    name: "memory",
    open() {
      const store = createMemoryStore();
      return Promise.resolve({
        store,
        [Symbol.asyncDispose]() {
          store.close();
          return Promise.resolve();
        },
      });
    },
  },
  { name: "sqlite", open: openSqliteFixture },
  ...(POSTGRES_URL ? [{ name: "postgres", open: openPostgresFixture }] : []),
];

/** The start of every fake clock in these tests. */
export const T0 = 1_700_000_000_000;

/** An engine over `store` with a fake clock and sequential ids. */
export function testEngine(
  store: Store,
  options: { clock?: FakeClock; policy?: Policy; onError?: (error: unknown) => void } = {},
): { engine: Engine; clock: FakeClock } {
  const clock = options.clock ?? new FakeClock(T0);
  const engine = createEngine({
    store,
    clock,
    ids: new SequentialIds("run"),
    ...(options.policy ? { policy: { flow: options.policy, task: options.policy } } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return { engine, clock };
}

/** Every run matching `query`, walking all pages; fails on a repeated run. */
export function allRuns(
  source: { listRuns(query: RunQuery): { items: RunRecord[]; nextCursor: string | null } },
  query: RunQuery = {},
): RunRecord[] {
  const out: RunRecord[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = source.listRuns(cursor === undefined ? query : { ...query, cursor });
    for (const run of page.items) {
      if (seen.has(run.id)) throw new Error(`Run "${run.id}" was listed twice`);
      seen.add(run.id);
      out.push(run);
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return out;
}
