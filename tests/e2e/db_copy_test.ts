/**
 * `ironflow db migrate` and `ironflow db copy --to postgres://…` in
 * subprocesses: a SQLite home moves into an empty PostgreSQL database with
 * every count checked, and a database that is not empty is refused.
 */
import assert from "node:assert/strict";
import {
  createEngine,
  createPostgresStore,
  createSqliteStore,
  FakeClock,
  PG_SCHEMA_VERSION,
  SequentialIds,
} from "../../engine/mod.ts";
import { runDeno } from "./_deno.ts";
import { createPostgresResultStore } from "../../sdk/postgres_results.ts";
import { createFileResultStore } from "../../sdk/results.ts";
import { freshPostgresDatabase, POSTGRES_SKIP, POSTGRES_URL } from "../engine/_helpers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const needsPostgres = POSTGRES_URL ? "" : ` (${POSTGRES_SKIP})`;

async function ironflow(home: string, ...args: string[]) {
  return await runDeno(["run", "-A", MAIN, ...args], { env: { IRONFLOW_HOME: home } });
}

// A home with runs in several states, log lines, a document and a limit.
async function seedHome(home: string): Promise<string[]> {
  const store = createSqliteStore(`${home}/ironflow.db`);
  const engine = createEngine({
    store,
    clock: new FakeClock(1_700_000_000_000),
    ids: new SequentialIds("r"),
  });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const run = await engine.createFlowRun({ name: "etl", flowName: "etl" });
    await engine.propose(run.id, { to: "RUNNING", token: `s${i}`, kind: "start" });
    if (i % 2 === 0) await engine.propose(run.id, { to: "COMPLETED", token: `e${i}`, kind: "end" });
    await engine.transact((tx) => {
      tx.appendLog({
        flowRunId: run.id,
        taskRunId: null,
        level: 20,
        name: "etl",
        message: `line ${i}`,
        at: 1,
      });
      tx.putDocument({
        collection: "notes",
        key: run.id,
        ref: run.id,
        data: { i },
        createdAt: 1,
        updatedAt: 1,
        expiresAt: null,
      });
    });
    ids.push(run.id);
  }
  store.putConcurrencyLimit({
    name: "db",
    limit: 2,
    slotDecayPerSecond: 0,
    activeSlots: 0,
    createdAt: 1,
    updatedAt: 1,
  });
  await engine.close();
  return ids;
}

Deno.test({
  name:
    `ironflow db copy moves a SQLite home into PostgreSQL and refuses a second copy${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using db = await freshPostgresDatabase();
    const home = await Deno.makeTempDir();
    try {
      const ids = await seedHome(home);
      const ref = await createFileResultStore(`${home}/results`).put(new Uint8Array([1, 2, 3]));
      const copy = await ironflow(home, "db", "copy", "--to", db.url);
      assert.equal(copy.code, 0, copy.stderr);
      assert.match(copy.stdout, /flow runs\s+5\s+5/);
      assert.match(copy.stdout, /documents notes\s+5\s+5/);
      assert.match(copy.stdout, /results\s+1\s+1/);
      assert.match(copy.stdout, /every count matches/);
      const results = createPostgresResultStore(db.url);
      assert.deepEqual(await results.get(ref), new Uint8Array([1, 2, 3]));
      await results.close();
      const source = createSqliteStore(`${home}/ironflow.db`);
      const target = createPostgresStore(db.url);
      try {
        for (const id of ids) assert.deepEqual(target.getRun(id), source.getRun(id));
        assert.deepEqual(target.events(), source.events());
        assert.deepEqual(
          target.logs({}).map((l) => l.message),
          source.logs({}).map((l) => l.message),
        );
        assert.deepEqual(
          target.getDocument("notes", ids[0]!),
          source.getDocument("notes", ids[0]!),
        );
        assert.deepEqual(target.concurrencyLimits(), source.concurrencyLimits());
      } finally {
        source.close();
        target.close();
      }
      const again = await ironflow(home, "db", "copy", "--to", db.url);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /Cannot copy into a database that is not empty/);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name: `ironflow db migrate brings a new PostgreSQL database to the schema once${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using db = await freshPostgresDatabase();
    const home = await Deno.makeTempDir();
    try {
      const first = await ironflow(home, "db", "migrate", "--database-url", db.url);
      assert.equal(first.code, 0, first.stderr);
      assert.match(
        first.stdout,
        new RegExp(`Migrated PostgreSQL schema to version ${PG_SCHEMA_VERSION}`),
      );
      const second = await ironflow(home, "db", "migrate", "--database-url", db.url);
      assert.match(second.stdout, /up to date/);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test("ironflow db copy and migrate refuse a URL that is not PostgreSQL's", async () => {
  const home = await Deno.makeTempDir();
  try {
    const copy = await ironflow(home, "db", "copy", "--to", "mysql://u:p@h/db");
    assert.equal(copy.code, 1);
    assert.match(copy.stderr, /--to must be postgres:\/\//);
    const missing = await ironflow(home, "db", "copy");
    assert.match(missing.stderr, /Missing --to/);
    const migrate = await ironflow(home, "db", "migrate", "--database-url", "sqlite://x");
    assert.match(migrate.stderr, /--database-url must be postgres:\/\//);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
