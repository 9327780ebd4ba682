/**
 * Fixtures of the deployment tests: engines on a fake clock over memory,
 * SQLite or PostgreSQL stores, and a deployment service.
 *
 * @module
 */
import {
  createEngine,
  createMemoryStore,
  createPostgresStore,
  createSqliteStore,
  type Engine,
  FakeClock,
  SequentialIds,
  type Store,
} from "../../../engine/mod.ts";
import { DeploymentService } from "../../../engine/deployments/mod.ts";
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL } from "../_helpers.ts";

/** An engine with its clock and deployments; dispose to close. */
export interface DeploymentFixture extends AsyncDisposable {
  engine: Engine;
  clock: FakeClock;
  deployments: DeploymentService;
}

/** Midnight UTC, 1 May 2024. */
export const T0 = Date.UTC(2024, 4, 1);

/** A fresh engine over `store` (default memory) on a fake clock at {@linkcode T0}. */
export function fixture(
  store: Store = createMemoryStore(),
  clock = new FakeClock(T0),
): DeploymentFixture {
  const engine = createEngine({ store, clock, ids: new SequentialIds("run") });
  return {
    engine,
    clock,
    deployments: new DeploymentService(engine),
    [Symbol.asyncDispose]: () => engine.close(),
  };
}

/** A SQLite file in a fresh temporary folder, removed on dispose. */
export async function tempDb(): Promise<{ path: string; dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "ironflow_deploy_test_" });
  return {
    path: `${dir}/ironflow.db`,
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/**
 * Runs `fn` as one test step per store adapter: memory, SQLite in a
 * temporary folder, and PostgreSQL in a fresh schema when the tests run under
 * `.ci/with_postgres` (skipped otherwise).
 */
export async function onEachStore(
  t: Deno.TestContext,
  fn: (f: DeploymentFixture) => Promise<void>,
): Promise<void> {
  for (const kind of ["memory", "sqlite"] as const) {
    await t.step(kind, async () => {
      await using db = await tempDb();
      await using f = fixture(kind === "memory" ? createMemoryStore() : createSqliteStore(db.path));
      await fn(f);
    });
  }
  await t.step({
    name: POSTGRES_URL ? "postgres" : `postgres (${POSTGRES_SKIP})`,
    ignore: POSTGRES_URL === undefined,
    async fn() {
      await using schema = freshPostgresSchema();
      await using f = fixture(createPostgresStore(POSTGRES_URL!, { schema: schema.schema }));
      await fn(f);
    },
  });
}

export { createSqliteStore };
