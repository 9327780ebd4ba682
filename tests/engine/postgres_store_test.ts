/**
 * What the PostgreSQL store adds to the store contract: its URL checks, how
 * it reports an unreachable server, and its versioned migrations.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { createPostgresStore, PG_SCHEMA_VERSION, StorageError } from "../../engine/mod.ts";
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL, testEngine } from "./_helpers.ts";

const needsPostgres = POSTGRES_URL ? "" : ` (${POSTGRES_SKIP})`;

Deno.test("createPostgresStore() refuses a URL that is not postgres:// and a bad schema name", () => {
  assert.throws(
    () => createPostgresStore("mysql://user:secret@db/x"),
    (error: Error) =>
      error instanceof RangeError && /expected postgres:\/\//.test(error.message) &&
      !error.message.includes("secret"),
  );
  assert.throws(
    () => createPostgresStore("postgres://127.0.0.1:1/x", { schema: "Robert'); DROP" }),
    /Invalid schema name "Robert'\); DROP"/,
  );
});

Deno.test("createPostgresStore() reports a server that cannot be reached as a StorageError", async () => {
  // A port nothing listens on: bound, then released.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Promise.resolve();
  assert.throws(
    () => createPostgresStore(`postgres://ironflow:hunter2@127.0.0.1:${port}/ironflow`),
    (error: Error) =>
      error instanceof StorageError && error.message.includes(`127.0.0.1:${port}`) &&
      !error.message.includes("hunter2"),
  );
});

Deno.test({
  name:
    `createPostgresStore() migrates a new schema once and refuses one newer than the build${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using fresh = freshPostgresSchema();
    createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }).close();
    const again = createPostgresStore(POSTGRES_URL!, { schema: fresh.schema });
    assert.equal(again.schemaVersion, PG_SCHEMA_VERSION);
    again.close();
    const sql = postgres(POSTGRES_URL!, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql.unsafe(`SELECT version FROM ${fresh.schema}.schema_version`);
      const every = Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1);
      assert.deepEqual(rows.map((row) => Number(row.version)), every);
      await sql.unsafe(
        `INSERT INTO ${fresh.schema}.schema_version VALUES (${PG_SCHEMA_VERSION + 1})`,
      );
    } finally {
      await sql.end();
    }
    assert.throws(
      () => createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }),
      new RegExp(`schema version ${PG_SCHEMA_VERSION + 1} is newer than this build supports`),
    );
  },
});

Deno.test({
  name:
    `createPostgresStore() with migrate: false refuses an out-of-date schema, naming the command${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using fresh = freshPostgresSchema();
    assert.throws(
      () => createPostgresStore(POSTGRES_URL!, { schema: fresh.schema, migrate: false }),
      /is older than this build's .*ironflow db migrate/,
    );
  },
});

Deno.test({
  name:
    `createPostgresStore() brings a database of schema version 1 up to date, keeping its runs${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using fresh = freshPostgresSchema();
    const store = createPostgresStore(POSTGRES_URL!, { schema: fresh.schema });
    const { engine } = testEngine(store);
    const run = await engine.createFlowRun({ name: "etl" });
    await engine.close();
    // Back to version 1: what a database of the first release holds.
    const sql = postgres(POSTGRES_URL!, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`DROP TABLE ${fresh.schema}.results, ${fresh.schema}.document_changes`);
      await sql.unsafe(`ALTER TABLE ${fresh.schema}.store_state DROP COLUMN resets`);
      await sql.unsafe(`DELETE FROM ${fresh.schema}.schema_version WHERE version > 1`);
    } finally {
      await sql.end();
    }
    const upgraded = createPostgresStore(POSTGRES_URL!, { schema: fresh.schema });
    try {
      assert.equal(upgraded.getRun(run.id)?.name, "etl");
    } finally {
      upgraded.close();
    }
    const check = postgres(POSTGRES_URL!, { max: 1, onnotice: () => {} });
    try {
      const versions = await check.unsafe(
        `SELECT version FROM ${fresh.schema}.schema_version ORDER BY 1`,
      );
      assert.deepEqual(
        versions.map((row) => Number(row.version)),
        Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
      );
      await check.unsafe(`SELECT ref FROM ${fresh.schema}.results`);
    } finally {
      await check.end();
    }
  },
});

Deno.test({
  name:
    `a write transaction reads a document fresh once another server changed it, and never one it rolled back${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using fresh = freshPostgresSchema();
    const mine = createPostgresStore(POSTGRES_URL!, { schema: fresh.schema });
    const theirs = createPostgresStore(POSTGRES_URL!, { schema: fresh.schema });
    const doc = (v: number) => ({
      collection: "liveness",
      key: "r1",
      ref: null,
      data: { v },
      createdAt: 1,
      updatedAt: v,
      expiresAt: null,
    });
    const read = () => mine.write((tx) => tx.getDocument("liveness", "r1")?.data);
    try {
      mine.write((tx) => tx.putDocument(doc(1)));
      assert.deepEqual(read(), { v: 1 });
      theirs.write((tx) => tx.putDocument(doc(2)));
      assert.deepEqual(read(), { v: 2 });
      theirs.putDocument(doc(3));
      assert.deepEqual(read(), { v: 3 });
      theirs.deleteDocument("liveness", "r1");
      assert.equal(read(), undefined);
      assert.throws(() =>
        mine.write((tx) => {
          tx.putDocument(doc(4));
          throw new Error("rolled back");
        })
      );
      assert.equal(read(), undefined);
      assert.equal(theirs.getDocument("liveness", "r1"), undefined);
    } finally {
      mine.close();
      theirs.close();
    }
  },
});

Deno.test({
  name: `an engine forgets exactly the cached runs another server changed${needsPostgres}`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using fresh = freshPostgresSchema();
    const { engine: mine } = testEngine(
      createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }),
    );
    const { engine: theirs } = testEngine(
      createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }),
    );
    try {
      const [r1, r2] = [
        await mine.createFlowRun({ id: "r1", name: "etl" }),
        await mine.createFlowRun({ id: "r2", name: "etl" }),
      ];
      // Both runs are cached by `mine`; the other server moves r1 on.
      const moved = await theirs.propose(r1.id, { to: "RUNNING", token: "t-start", kind: "start" });
      assert.equal(moved.status, "accepted");
      const [next, other] = await Promise.all([
        mine.propose(r1.id, {
          to: "COMPLETED",
          token: "m-end",
          kind: "end",
          expectedVersion: moved.version,
        }),
        mine.propose(r2.id, { to: "RUNNING", token: "m-start", kind: "start", expectedVersion: 1 }),
      ]);
      assert.equal(next.status, "accepted", next.reason);
      assert.equal(next.version, moved.version + 1);
      assert.equal(other.status, "accepted", other.reason);
      // The token the other server applied is a duplicate here too.
      const again = await mine.propose(r1.id, { to: "RUNNING", token: "t-start", kind: "start" });
      assert.equal(again.status, "duplicate");
    } finally {
      await mine.close();
      await theirs.close();
    }
  },
});
