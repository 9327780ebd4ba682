import assert from "node:assert/strict";
import {
  createMemoryStore,
  type RunQuery,
  type Schedule,
  type Store,
} from "../../../engine/mod.ts";
import {
  claimRuns,
  createDeploymentRun,
  heartbeat,
  listWorkers,
  renewClaim,
  scheduleRuns,
} from "../../../engine/deployments/mod.ts";
import { slotRunId } from "../../../engine/deployments/_slot_run_id.ts";
import { scheduleKey } from "../../../engine/schedules/plan.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { createSqliteStore, fixture, onEachStore, T0, tempDb } from "./_helpers.ts";

const MINUTE = 60_000;

function every(seconds: number, extra: Partial<Schedule> = {}): Schedule {
  return {
    kind: "interval",
    intervalSeconds: seconds,
    anchor: T0,
    timezone: "UTC",
    active: true,
    catchup: "skip",
    ...extra,
  } as Schedule;
}

Deno.test("an interval tick inserts one run per due slot, and a restart never duplicates it", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "hourly",
    entrypoint: "./a.ts:a",
    schedules: [every(3600)],
  });
  const options = { engine: f.engine, clock: f.clock, horizonMs: 0, maxAhead: 5 };
  const first = await createScheduler(options).tick();
  assert.equal(first.created.length, 1, "the slot at T0 is due");
  const run = f.engine.getRun(first.created[0]!)!;
  assert.equal(run.state, "SCHEDULED");
  assert.equal(run.expectedStartTime, T0);
  assert.deepEqual(run.tags, ["auto-scheduled"]);
  // A second scheduler (a restart) and a repeated tick create nothing new.
  assert.equal(
    (await createScheduler({ ...options, holder: "again" }).tick(T0 + 31_000)).created.length,
    0,
  );
  assert.equal((await createScheduler(options).tick()).created.length, 0);
  f.clock.tick(3600_000);
  const next = await createScheduler(options).tick();
  assert.equal(next.created.length, 1);
  assert.equal(f.deployments.runs(d.id).items.length, 2);
});

Deno.test("the scheduler creates runs ahead within the horizon and the max count", async () => {
  await using f = fixture();
  await f.deployments.create({ name: "m", entrypoint: "./a.ts:a", schedules: [every(60)] });
  const scheduler = createScheduler({
    engine: f.engine,
    clock: f.clock,
    horizonMs: 10 * MINUTE,
    maxAhead: 3,
  });
  const report = await scheduler.tick();
  assert.equal(report.created.length, 4, "the due slot and three ahead");
  f.clock.tick(MINUTE);
  assert.equal((await scheduler.tick()).created.length, 1, "one more as one became due");
});

Deno.test("enabling a schedule by update makes the next tick schedule it", async () => {
  await using f = fixture();
  await f.deployments.create({
    name: "off",
    entrypoint: "./a.ts:a",
    schedules: [every(60, { active: false })],
  });
  const scheduler = createScheduler({ engine: f.engine, clock: f.clock, horizonMs: 0 });
  assert.equal((await scheduler.tick()).created.length, 0);
  await f.deployments.update("off", { schedules: [every(60)] });
  assert.equal((await scheduler.tick()).created.length, 1);
});

Deno.test("turning a schedule off or pausing cancels its future runs; paused deployments get none", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "p",
    entrypoint: "./a.ts:a",
    schedules: [every(60)],
  });
  const scheduler = createScheduler({ engine: f.engine, clock: f.clock, horizonMs: 5 * MINUTE });
  const { created } = await scheduler.tick();
  assert.equal(created.length, 6);
  await f.deployments.setPaused("p", true);
  const states = f.deployments.runs(d.id, { limit: 10 }).items.map((r) => r.state).sort();
  assert.deepEqual(states, [
    "CANCELLED",
    "CANCELLED",
    "CANCELLED",
    "CANCELLED",
    "CANCELLED",
    "SCHEDULED",
  ]);
  f.clock.tick(MINUTE);
  assert.equal((await scheduler.tick()).created.length, 0);
});

Deno.test("runs not started by their time plus the grace period become SCHEDULED 'Late'", async () => {
  await using f = fixture();
  await f.deployments.create({ name: "late", entrypoint: "./a.ts:a", schedules: [every(3600)] });
  const scheduler = createScheduler({
    engine: f.engine,
    clock: f.clock,
    horizonMs: 0,
    lateAfterMs: 15_000,
  });
  const { created } = await scheduler.tick();
  f.clock.tick(10_000);
  assert.deepEqual((await scheduler.tick()).late, []);
  f.clock.tick(10_000);
  assert.deepEqual((await scheduler.tick()).late, created);
  const run = f.engine.getRun(created[0]!)!;
  assert.equal(run.state, "SCHEDULED");
  assert.equal(run.stateName, "Late");
  // A late run can still be claimed.
  const claims = await claimRuns(f.engine, "default", { workerId: "w" });
  assert.deepEqual(claims.map((c) => c.run.id), created);
});

Deno.test("after downtime, catch-up skips missed slots or runs the newest once", async (t) => {
  for (const catchup of ["skip", "run_once"] as const) {
    await t.step(catchup, async () => {
      await using f = fixture();
      await f.deployments.create({
        name: "c",
        entrypoint: "./a.ts:a",
        schedules: [every(600, { catchup })],
      });
      const scheduler = createScheduler({ engine: f.engine, clock: f.clock, horizonMs: 0 });
      assert.equal((await scheduler.tick()).created.length, 1);
      f.clock.tick(3600_000 + 5_000); // down for an hour: five slots missed, one just due
      const report = await scheduler.tick();
      const times = report.created.map((id) => f.engine.getRun(id)!.expectedStartTime! - T0);
      if (catchup === "skip") {
        assert.deepEqual(times, [3600_000]);
        assert.equal(report.skipped, 5);
      } else {
        assert.deepEqual(times, [3000_000, 3600_000]);
        assert.equal(report.skipped, 4);
      }
    });
  }
});

Deno.test("an expired claim returns its run to SCHEDULED and into the queue", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "lease", entrypoint: "./a.ts:a" });
  const { createDeploymentRun } = await import("../../../engine/deployments/mod.ts");
  const run = await createDeploymentRun(f.engine, d);
  const [claim] = await claimRuns(f.engine, "default", { workerId: "w1", leaseSeconds: 10 });
  assert.equal(f.engine.getRun(run.id)!.state, "PENDING");
  const scheduler = createScheduler({ engine: f.engine, clock: f.clock });
  f.clock.tick(5_000);
  assert.equal((await renewClaim(f.engine, run.id, claim!.claim.claimId, 10)).held, true);
  f.clock.tick(9_000);
  assert.deepEqual((await scheduler.tick()).rescheduled, [], "renewed: not expired yet");
  f.clock.tick(2_000);
  assert.deepEqual((await scheduler.tick()).rescheduled, [run.id]);
  assert.equal(f.engine.getRun(run.id)!.state, "SCHEDULED");
  assert.equal(
    (await renewClaim(f.engine, run.id, claim!.claim.claimId)).held,
    false,
    "the lease is lost",
  );
  const again = await claimRuns(f.engine, "default", { workerId: "w2" });
  assert.deepEqual(again.map((c) => c.run.id), [run.id]);
});

Deno.test("a running run whose worker stops renewing is CRASHED", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "zombie", entrypoint: "./a.ts:a" });
  const { createDeploymentRun } = await import("../../../engine/deployments/mod.ts");
  const run = await createDeploymentRun(f.engine, d);
  await claimRuns(f.engine, "default", { workerId: "w1", leaseSeconds: 5 });
  await f.engine.propose(run.id, { to: "RUNNING", token: "s", kind: "start" });
  f.clock.tick(6_000);
  const report = await createScheduler({ engine: f.engine, clock: f.clock }).tick();
  assert.deepEqual(report.crashed, [run.id]);
  assert.equal(f.engine.getRun(run.id)!.state, "CRASHED");
});

Deno.test("heartbeats upsert workers; 120 s without one marks a worker OFFLINE", async () => {
  await using f = fixture();
  await heartbeat(f.engine, { id: "w1", pool: "default", name: "first" });
  await heartbeat(f.engine, { id: "w1", pool: "default" });
  assert.deepEqual(listWorkers(f.engine).map((w) => [w.id, w.name, w.status]), [
    ["w1", "first", "ONLINE"],
  ]);
  f.clock.tick(120_000);
  const report = await createScheduler({ engine: f.engine, clock: f.clock }).tick();
  assert.deepEqual(report.staleWorkers, ["w1"]);
  assert.equal(listWorkers(f.engine)[0]!.status, "OFFLINE");
  await heartbeat(f.engine, { id: "w1", pool: "default" });
  assert.equal(listWorkers(f.engine)[0]!.status, "ONLINE");
});

Deno.test("a pass that died after creating its runs: the next pass queues them, no slot twice", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "crash",
    entrypoint: "./a.ts:a",
    schedules: [every(60)],
  });
  // What the dead pass left: the slot's run, no queue entry, the cursor not moved.
  const runId = slotRunId(d.id, scheduleKey(d.schedules[0]!), T0);
  await f.engine.createFlowRun({
    id: runId,
    name: d.flowName,
    deploymentId: d.id,
    state: "SCHEDULED",
    expectedStartTime: T0,
  });
  const report = await scheduleRuns(f.engine, { horizonMs: 0 });
  assert.deepEqual(report.created, [runId]);
  assert.equal(f.deployments.runs(d.id).items.length, 1);
  const claims = await claimRuns(f.engine, "default", { workerId: "w" });
  assert.deepEqual(claims.map((c) => c.run.id), [runId]);
});

Deno.test("a SCHEDULED deployment run missing from its queue is queued again by a tick", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "orphan", entrypoint: "./a.ts:a" });
  const { createDeploymentRun } = await import("../../../engine/deployments/mod.ts");
  const run = await createDeploymentRun(f.engine, d);
  // As after a retry made the run SCHEDULED again without the deployments module.
  await f.engine.transact((tx) => {
    for (const entry of tx.listDocuments({ collection: "run_queue" })) {
      tx.deleteDocument(entry.collection, entry.key);
    }
  });
  assert.deepEqual(await claimRuns(f.engine, "default", { workerId: "w" }), []);
  await createScheduler({ engine: f.engine, clock: f.clock }).tick();
  const claims = await claimRuns(f.engine, "default", { workerId: "w" });
  assert.deepEqual(claims.map((c) => c.run.id), [run.id]);
});

Deno.test("a tick reads the SCHEDULED runs that are due, not the runs created ahead", async (t) => {
  for (const kind of ["memory", "sqlite"] as const) {
    await t.step(kind, async () => {
      await using db = await tempDb();
      let rowsRead = 0;
      const store = kind === "memory" ? createMemoryStore() : createSqliteStore(db.path);
      // Counts the runs every listing of the tick returns.
      const counting = new Proxy(store, {
        get(target, key) {
          if (key === "listRuns") {
            return (query: RunQuery) => {
              const page = target.listRuns(query);
              rowsRead += page.items.length;
              return page;
            };
          }
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as Store;
      await using f = fixture(counting);
      await f.deployments.create({ name: "ahead", entrypoint: "./a.ts:a", schedules: [every(60)] });
      const scheduler = createScheduler({
        engine: f.engine,
        clock: f.clock,
        horizonMs: 3_600_000,
        maxAhead: 10,
        lateAfterMs: 15_000,
      });
      const first = await scheduler.tick();
      assert.equal(first.created.length, 11, "the slot at T0 and 10 ahead");
      f.clock.tick(5_000);
      rowsRead = 0;
      const idle = await scheduler.tick();
      assert.deepEqual([idle.created, idle.late], [[], []]);
      assert.equal(rowsRead, 1, "only the run due at T0 is read");
      f.clock.tick(15_000);
      rowsRead = 0;
      const late = await scheduler.tick();
      assert.deepEqual(late.late, [first.created[0]]);
      assert.equal(rowsRead, 1);
    });
  }
});

Deno.test("a run missing from its queue is queued again once due within 15 s", async (t) => {
  await onEachStore(t, async (f) => {
    const d = await f.deployments.create({ name: "orphans", entrypoint: "./a.ts:a" });
    const soon = await createDeploymentRun(f.engine, d, { expectedStartTime: T0 + 10_000 });
    const later = await createDeploymentRun(f.engine, d, { expectedStartTime: T0 + MINUTE });
    // As after retries made them SCHEDULED again without the deployments module.
    await f.engine.transact((tx) => {
      for (const entry of tx.listDocuments({ collection: "run_queue" })) {
        tx.deleteDocument(entry.collection, entry.key);
      }
    });
    const queued = () =>
      f.engine.reader.listDocuments({ collection: "run_queue" })
        .map((doc) => (doc.data as { runId: string }).runId);
    const scheduler = createScheduler({ engine: f.engine, clock: f.clock });
    await scheduler.tick();
    assert.deepEqual(queued(), [soon.id], "the run due in 10 s is queued before it is due");
    f.clock.tick(50_000);
    await scheduler.tick();
    assert.deepEqual(queued(), [soon.id, later.id]);
    await scheduler.tick();
    assert.deepEqual(queued(), [soon.id, later.id], "each run is queued once");
    f.clock.tick(10_000);
    const claims = await claimRuns(f.engine, "default", { workerId: "w", limit: 5 });
    assert.deepEqual(claims.map((c) => c.run.id), [soon.id, later.id]);
  });
});

Deno.test("leadership follows the node: a restart leads at once, a clean stop hands over, a dead leader's lease runs out", async () => {
  await using f = fixture();
  const node = (holder: string) =>
    createScheduler({ engine: f.engine, clock: f.clock, holder, leaderLeaseMs: 15_000 });
  const a = node("host:4200");
  assert.equal((await a.tick()).leader, true);
  // a is killed; restarted under the same node identity, it leads on its first tick.
  const restarted = node("host:4200");
  assert.equal((await restarted.tick()).leader, true);
  // Another node waits for the lease while it is renewed every tick.
  const b = node("other:4200");
  f.clock.tick(10_000);
  await restarted.tick();
  f.clock.tick(10_000);
  assert.equal((await b.tick()).leader, false, "renewed 10 s ago, lease 15 s");
  // A clean stop releases the lease: b leads on its next tick.
  assert.equal(await restarted.release(), true);
  const taken = await b.tick();
  assert.equal(taken.leader, true);
  assert.equal(taken.tookOverFrom, undefined, "nothing held the lease");
  assert.equal(await restarted.release(), false, "only the holder releases");
  // b dies without releasing: a takes over once the lease ran out, not before.
  f.clock.tick(14_999);
  assert.equal((await a.tick()).leader, false);
  f.clock.tick(1);
  const after = await a.tick();
  assert.equal(after.leader, true);
  assert.equal(after.tookOverFrom, "other:4200");
});
