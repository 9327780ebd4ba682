/**
 * Two engines on one database, as two servers (or a server and a CLI) share
 * it: leadership, scheduled slots, claims, lease expiry and deployment
 * concurrency hold across them, on SQLite (one file) and on PostgreSQL (one
 * schema, run under `.ci/with_postgres`).
 */
import assert from "node:assert/strict";
import { createPostgresStore, type Schedule, type Store } from "../../../engine/mod.ts";
import {
  claimRuns,
  createDeploymentRun,
  renewClaim,
  scheduleRuns,
} from "../../../engine/deployments/mod.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL } from "../_helpers.ts";
import { createSqliteStore, type DeploymentFixture, fixture, T0, tempDb } from "./_helpers.ts";

const MINUTE = 60_000;

/** A database two engines can open: each `open()` is a new connection to it. */
interface SharedDatabase extends AsyncDisposable {
  open(): Store;
}

const DATABASES: ReadonlyArray<{
  name: string;
  ignore: boolean;
  create(): Promise<SharedDatabase>;
}> = [
  {
    name: "SQLite",
    ignore: false,
    async create() {
      const db = await tempDb();
      return {
        open: () => createSqliteStore(db.path),
        [Symbol.asyncDispose]: () => db[Symbol.asyncDispose](),
      };
    },
  },
  {
    name: "PostgreSQL",
    ignore: POSTGRES_URL === undefined,
    create() {
      const fresh = freshPostgresSchema();
      return Promise.resolve({
        open: () => createPostgresStore(POSTGRES_URL!, { schema: fresh.schema }),
        [Symbol.asyncDispose]: () => fresh[Symbol.asyncDispose](),
      });
    },
  },
];

function every(seconds: number): Schedule {
  return {
    kind: "interval",
    intervalSeconds: seconds,
    anchor: T0,
    timezone: "UTC",
    active: true,
    catchup: "skip",
  } as Schedule;
}

/** Two engines on `db` sharing one fake clock; the database outlives them. */
async function twoEngines(
  db: SharedDatabase,
  fn: (a: DeploymentFixture, b: DeploymentFixture) => Promise<void>,
): Promise<void> {
  await using a = fixture(db.open());
  await using b = fixture(db.open(), a.clock);
  await fn(a, b);
}

for (const database of DATABASES) {
  const test = (name: string, fn: (db: SharedDatabase) => Promise<void>) =>
    Deno.test({
      name: `${database.name}: ${name}${database.ignore ? ` (${POSTGRES_SKIP})` : ""}`,
      ignore: database.ignore,
      async fn() {
        await using db = await database.create();
        await fn(db);
      },
    });

  test("one of two schedulers leads; the other takes over when the lease runs out, no slot twice", async (db) => {
    await twoEngines(db, async (a, b) => {
      await a.deployments.create({ name: "s", entrypoint: "./a.ts:a", schedules: [every(60)] });
      const scheduler = (f: DeploymentFixture, holder: string) =>
        createScheduler({ engine: f.engine, clock: f.clock, holder, horizonMs: 0 });
      assert.equal((await scheduler(a, "a").tick()).leader, true);
      assert.equal((await scheduler(b, "b").tick()).leader, false);
      a.clock.tick(61_000);
      assert.equal((await scheduler(b, "b").tick()).leader, true, "b leads once a's lease ran out");
      assert.equal(b.engine.listRuns({ kind: "flow" }).items.length, 2, "no slot twice");
      assert.equal(a.engine.listRuns({ kind: "flow" }).items.length, 2, "a reads b's runs");
    });
  });

  test("two scheduling passes at once create each slot once", async (db) => {
    await twoEngines(db, async (a, b) => {
      const d = await a.deployments.create({
        name: "race",
        entrypoint: "./a.ts:a",
        schedules: [every(60)],
      });
      const options = { horizonMs: 2 * MINUTE, maxAhead: 2 };
      const [first, second] = await Promise.all([
        scheduleRuns(a.engine, options),
        scheduleRuns(b.engine, options),
      ]);
      assert.equal(first.created.length, 3);
      assert.deepEqual(second.created, first.created, "the same slots, the same runs");
      assert.equal(b.deployments.runs(d.id).items.length, 3);
      a.clock.tick(MINUTE);
      assert.equal((await scheduleRuns(b.engine, options)).created.length, 1, "the next slot");
      assert.equal(a.deployments.runs(d.id).items.length, 4);
    });
  });

  test("8 claimers on two engines: exactly one claims the run, one claim event", async (db) => {
    await twoEngines(db, async (a, b) => {
      const d = await a.deployments.create({ name: "claim", entrypoint: "./a.ts:a" });
      const run = await createDeploymentRun(a.engine, d);
      const claims = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) => claimRuns(i % 2 ? b.engine : a.engine, "default", { workerId: `w${i}` }),
        ),
      );
      assert.deepEqual(claims.flat().map((c) => c.run.id), [run.id]);
      for (const f of [a, b]) {
        assert.equal(f.engine.getRun(run.id)!.state, "PENDING");
        assert.equal(f.engine.events(run.id).filter((e) => e.kind === "claim").length, 1);
      }
    });
  });

  test("a claim that expired on one engine is reclaimed by the other, and its holder loses it", async (db) => {
    await twoEngines(db, async (a, b) => {
      const d = await a.deployments.create({ name: "lease", entrypoint: "./a.ts:a" });
      const run = await createDeploymentRun(a.engine, d);
      const [claim] = await claimRuns(a.engine, "default", { workerId: "wa", leaseSeconds: 10 });
      a.clock.tick(11_000);
      const tick = await createScheduler({ engine: b.engine, clock: b.clock, holder: "b" }).tick();
      assert.deepEqual(tick.rescheduled, [run.id]);
      assert.equal((await renewClaim(a.engine, run.id, claim!.claim.claimId)).held, false);
      const again = await claimRuns(b.engine, "default", { workerId: "wb" });
      assert.deepEqual(again.map((c) => c.run.id), [run.id]);
    });
  });

  test("a deployment's concurrency limit holds across engines", async (db) => {
    await twoEngines(db, async (a, b) => {
      const d = await a.deployments.create({
        name: "one-at-a-time",
        entrypoint: "./a.ts:a",
        concurrencyLimit: 1,
      });
      const first = await createDeploymentRun(a.engine, d);
      const second = await createDeploymentRun(b.engine, d);
      const [fromA, fromB] = await Promise.all([
        claimRuns(a.engine, "default", { workerId: "wa", limit: 5 }),
        claimRuns(b.engine, "default", { workerId: "wb", limit: 5 }),
      ]);
      assert.deepEqual([...fromA, ...fromB].map((c) => c.run.id), [first.id]);
      await a.engine.propose(first.id, { to: "RUNNING", token: "s", kind: "start" });
      await a.engine.propose(first.id, { to: "COMPLETED", token: "c", kind: "complete" });
      const next = await claimRuns(b.engine, "default", { workerId: "wb" });
      assert.deepEqual(next.map((c) => c.run.id), [second.id]);
    });
  });
  test("claimers on two engines at once take disjoint runs, each run once", async (db) => {
    await twoEngines(db, async (a, b) => {
      const d = await a.deployments.create({ name: "many", entrypoint: "./a.ts:a" });
      const runs = [];
      for (let i = 0; i < 12; i++) {
        runs.push(await createDeploymentRun(i % 2 ? b.engine : a.engine, d));
      }
      const claims = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) =>
            claimRuns(i % 2 ? b.engine : a.engine, "default", { workerId: `w${i}`, limit: 2 }),
        ),
      );
      const claimed = claims.flat().map((c) => c.run.id);
      assert.equal(claimed.length, 12, "every run claimed");
      assert.deepEqual([...new Set(claimed)].sort(), runs.map((r) => r.id).sort(), "each run once");
      for (const run of runs) {
        assert.equal(a.engine.events(run.id).filter((e) => e.kind === "claim").length, 1);
      }
    });
  });
}
