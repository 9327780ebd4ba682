import assert from "node:assert/strict";
import {
  FLOW_COLLECTIONS,
  getFlow,
  listFlows,
  renameFlow,
  setRetention,
} from "../../../engine/catalog/mod.ts";
import {
  purgeHistory,
  RETENTION_COLLECTIONS,
  sweepRetention,
} from "../../../engine/retention/mod.ts";
import {
  createArtifact,
  type Engine,
  type FakeClock,
  listArtifacts,
  type RunRecord,
  type Store,
} from "../../../engine/mod.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { catalogFixture, DAY, noPause, onEachStore, runIn, T0 } from "../catalog/_helpers.ts";

/** A finished flow run of `name` with two task runs, a subflow run, a log line and an artifact. */
async function finishedTree(f: { engine: Engine; store: Store; clock: FakeClock }, name: string) {
  const { engine } = f;
  const root = await runIn(engine, name, "RUNNING");
  const sub = await engine.createFlowRun({
    name: "child",
    parentId: root.id,
    rootId: root.id,
    depth: 1,
    lineageId: `${root.lineageId}/subflow:child`,
  });
  const tasks: RunRecord[] = [];
  for (const parent of [root, root, sub]) {
    tasks.push(
      await engine.createTaskRun({ name: "t", flowName: parent.name, parentId: parent.id }),
    );
  }
  for (const run of [...tasks, sub]) {
    await engine.propose(run.id, { to: "RUNNING", token: `${run.id}-s`, kind: "start" });
    await engine.propose(run.id, { to: "COMPLETED", token: `${run.id}-e`, kind: "finish" });
  }
  engine.log([{ flowRunId: root.id, taskRunId: null, level: 20, message: "hi", at: 0, name: "x" }]);
  await engine.propose(root.id, { to: "COMPLETED", token: `${root.id}-e`, kind: "finish" });
  await engine.flush();
  await createArtifact(f.engine, f.clock, {
    flowRunId: root.id,
    type: "markdown",
    data: "# report",
  });
  return { root, sub, tasks, ids: [root.id, sub.id, ...tasks.map((task) => task.id)] };
}

Deno.test("sweepRetention() purges old terminal runs with their trees and never live ones", async (t) => {
  await onEachStore(t, async (f) => {
    const oldDone = await finishedTree(f, "etl");
    const oldFailed = await runIn(f.engine, "etl", "FAILED");
    const oldRunning = await runIn(f.engine, "etl", "RUNNING");
    const oldPending = await runIn(f.engine, "etl", "PENDING");
    const otherFlow = await runIn(f.engine, "report", "COMPLETED");
    await renameFlow(f.engine, f.clock, "etl", "etl-v2");
    const underNewName = await runIn(f.engine, "etl-v2", "COMPLETED");
    f.clock.tick(10 * DAY);
    const young = await runIn(f.engine, "etl", "COMPLETED");
    // The log moves on, so no due run holds its newest event or log line.
    const latest = await runIn(f.engine, "report", "COMPLETED");
    f.engine.log([{
      flowRunId: latest.id,
      taskRunId: null,
      level: 20,
      message: "",
      at: 0,
      name: "",
    }]);
    await f.engine.flush();
    const flow = await setRetention(f.engine, f.clock, "etl", 7);
    const before = f.store.summary();
    const lastSeq = f.store.lastSeq();

    const swept = await sweepRetention(f.engine, f.clock, { pause: noPause });
    assert.deepEqual(swept, {
      ran: true,
      roots: 3,
      flowRuns: 4,
      taskRuns: 3,
      // create, start and finish of 4 flow runs and 3 task runs
      events: 7 * 3,
      logs: 1,
      documents: 1,
      artifactKeys: 0,
      results: 0,
      kept: 0,
      more: false,
    });
    for (const id of [...oldDone.ids, oldFailed.id, underNewName.id]) {
      assert.equal(f.store.getRun(id), undefined, `run ${id} is purged`);
      assert.deepEqual(f.store.events({ runId: id }), []);
    }
    for (const run of [oldRunning, oldPending, otherFlow, young]) {
      assert.deepEqual(f.store.getRun(run.id)?.state, run.state, `run ${run.id} is untouched`);
    }
    assert.deepEqual(f.store.logs({ flowRunId: oldDone.root.id }), []);
    assert.deepEqual(listArtifacts(f.store, { flowRunId: oldDone.root.id }), []);
    assert.equal(f.store.summary().flowRuns, before.flowRuns - 4);
    assert.equal(f.store.summary().taskRuns, before.taskRuns - 3);
    assert.equal(f.store.lastSeq(), lastSeq, "the sweep appends no events and reuses no seq");
    assert.deepEqual(listFlows(f.store).map((x) => [x.name, x.runs]), [
      ["etl-v2", 3],
      ["report", 2],
    ]);
    // The audit record says what went.
    const [audit, ...more] = purgeHistory(f.store, flow.id);
    assert.deepEqual(more, []);
    assert.deepEqual(audit, {
      flowId: flow.id,
      flowName: "etl-v2",
      at: T0 + 10 * DAY,
      retentionDays: 7,
      cutoff: T0 + 3 * DAY,
      roots: 3,
      flowRuns: 4,
      taskRuns: 3,
      events: swept.events,
      logs: 1,
      documents: 1,
    });
    const again = await sweepRetention(f.engine, f.clock, { pause: noPause });
    assert.equal(again.roots, 0, "a second sweep finds nothing");
    // Live runs that finish later age out like any other.
    await f.engine.propose(oldRunning.id, { to: "COMPLETED", token: "late", kind: "finish" });
    f.clock.tick(30 * DAY);
    await runIn(f.engine, "report", "COMPLETED");
    const later = await sweepRetention(f.engine, f.clock, { pause: noPause });
    assert.equal(later.roots, 2, "young and the late finisher; pending is never terminal");
    assert.equal(f.store.getRun(young.id), undefined);
    assert.equal(f.store.getRun(oldPending.id)?.state, "PENDING");
    assert.equal(purgeHistory(f.store, flow.id).length, 2);
  });
});

Deno.test("sweepRetention() purges in bounded transactions and stops at maxRuns", async (t) => {
  await onEachStore(t, async (f) => {
    const runs: RunRecord[] = [];
    for (let i = 0; i < 25; i++) {
      f.clock.tick(1);
      runs.push(await runIn(f.engine, "etl", "COMPLETED"));
    }
    await runIn(f.engine, "report", "COMPLETED");
    f.clock.tick(2 * DAY);
    await setRetention(f.engine, f.clock, "etl", 1);
    const purges: number[] = [];
    const store = new Proxy(f.engine, {
      get(target, key) {
        if (key === "purgeRuns") {
          return (ids: string[], options: unknown) => {
            purges.push(ids.length);
            return target.purgeRuns(ids, options as never);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    let pauses = 0;
    const pause = () => {
      pauses += 1;
      return Promise.resolve();
    };
    const first = await sweepRetention(store, f.clock, { chunkSize: 10, maxRuns: 15, pause });
    assert.deepEqual([first.roots, first.more], [15, true]);
    assert.deepEqual(purges, [10, 5]);
    assert.equal(pauses, 2, "other writers get the lock between transactions");
    assert.equal(f.store.getRun(runs[14]!.id), undefined, "oldest first");
    assert.ok(f.store.getRun(runs[15]!.id));
    const second = await sweepRetention(store, f.clock, { chunkSize: 10, pause, everyMs: DAY });
    assert.deepEqual([second.ran, second.roots, second.more], [true, 10, false]);
    assert.deepEqual(purges, [10, 5, 10]);
    await assert.rejects(sweepRetention(store, f.clock, { chunkSize: 0 }), RangeError);
  });
});

Deno.test("sweepRetention() with everyMs runs once per interval", async () => {
  await using f = catalogFixture();
  await runIn(f.engine, "etl", "COMPLETED");
  await setRetention(f.engine, f.clock, "etl", 1);
  const first = await sweepRetention(f.engine, f.clock, { everyMs: 3_600_000, pause: noPause });
  assert.equal(first.ran, true);
  f.clock.tick(60_000);
  const skipped = await sweepRetention(f.engine, f.clock, { everyMs: 3_600_000, pause: noPause });
  assert.equal(skipped.ran, false);
  f.clock.tick(3_600_000);
  const due = await sweepRetention(f.engine, f.clock, { everyMs: 3_600_000, pause: noPause });
  assert.equal(due.ran, true);
  assert.ok(f.store.getDocument(RETENTION_COLLECTIONS.sweep, "last"));
});

Deno.test("sweepRetention() drops the marks of the earlier marking-only sweep", async () => {
  await using f = catalogFixture();
  const run = await runIn(f.engine, "etl", "COMPLETED");
  const flow = await getFlow(f.engine, f.clock, "etl");
  f.store.putDocument({
    collection: FLOW_COLLECTIONS.expired,
    key: run.id,
    ref: flow.id,
    data: { flowName: "etl" },
    createdAt: T0,
    updatedAt: T0,
    expiresAt: null,
  });
  const swept = await sweepRetention(f.engine, f.clock, { pause: noPause });
  assert.equal(swept.roots, 0, "no retention set: nothing is purged");
  assert.deepEqual(f.store.listDocuments({ collection: FLOW_COLLECTIONS.expired }), []);
  assert.ok(f.store.getRun(run.id));
});

Deno.test("the services loop's tick runs the retention sweep hourly", async () => {
  await using f = catalogFixture();
  const old = await runIn(f.engine, "etl", "COMPLETED");
  f.clock.tick(2 * DAY);
  await runIn(f.engine, "report", "COMPLETED");
  await setRetention(f.engine, f.clock, "etl", 1);
  const scheduler = createScheduler({ engine: f.engine, clock: f.clock });
  await scheduler.tick();
  assert.equal(f.store.getRun(old.id), undefined);
  assert.equal(purgeHistory(f.store, (await getFlow(f.engine, f.clock, "etl")).id)[0]?.roots, 1);
});
