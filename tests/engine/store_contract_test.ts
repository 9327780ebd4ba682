/**
 * The store contract: one suite, run against every adapter through the
 * engine (and through `Store` directly where the engine cannot reach).
 */
import assert from "node:assert/strict";
import {
  ACTIVITY_BUCKET_MS,
  type ActivityBucket,
  type ActivityQuery,
  type Engine,
  type EngineEvent,
  type FakeClock,
  InvalidArgumentError,
  InvalidCursorError,
  RunNotFoundError,
  type RunQuery,
  type RunRecord,
  type RunSortKey,
  type Store,
} from "../../engine/mod.ts";
import {
  allRuns,
  POSTGRES_SKIP,
  POSTGRES_URL,
  STORE_ADAPTERS,
  type StoreAdapter,
  T0,
  testEngine,
} from "./_helpers.ts";

interface ContractContext {
  store: Store;
  engine: Engine;
  clock: FakeClock;
  t: Deno.TestContext;
}

interface ContractCase {
  name: string;
  fn(ctx: ContractContext): void | Promise<void>;
}

/** Registers one Deno.test per contract behaviour for `adapter`. */
function storeContract(adapter: StoreAdapter, cases: readonly ContractCase[]): void {
  for (const { name, fn } of cases) {
    Deno.test(`${adapter.name} store: ${name}`, async (t) => {
      await using fixture = await adapter.open();
      const { engine, clock } = testEngine(fixture.store);
      await fn({ store: fixture.store, engine, clock, t });
      await engine.flush();
    });
  }
}

/**
 * Forty runs with ties in every sort key: flow and task runs, three flow
 * names, repeated run names, created in groups of three per millisecond, some
 * started, some finished, some never started.
 */
async function seedRuns(engine: Engine, clock: FakeClock): Promise<void> {
  const created: RunRecord[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 3 === 0) clock.tick(1);
    const input = {
      name: i % 4 === 0 ? "load" : "extract",
      flowName: ["etl", "report", "sync"][i % 3]!,
      runName: `batch-${i % 7}`,
      tags: i % 2 === 0 ? ["even", "nightly"] : ["odd"],
    };
    created.push(
      await (i % 5 === 4 ? engine.createTaskRun(input) : engine.createFlowRun(input)),
    );
  }
  // Start two thirds, finish a third, in an order unrelated to creation.
  for (const [i, run] of created.entries()) {
    if (i % 3 === 2) continue;
    clock.tick(i % 2 === 0 ? 1 : 0);
    await engine.propose(run.id, { to: "RUNNING", token: `start-${run.id}`, kind: "start" });
  }
  for (const [i, run] of [...created.entries()].reverse()) {
    if (i % 3 !== 0) continue;
    clock.tick(1);
    await engine.propose(run.id, { to: "COMPLETED", token: `end-${run.id}`, kind: "complete" });
  }
}

const SORT_FIELD: Record<RunSortKey, (run: RunRecord) => number | string | null> = {
  created: (run) => run.createdAt,
  updated: (run) => run.updatedAt,
  start: (run) => run.startTime,
  end: (run) => run.endTime,
  name: (run) => run.runName,
  expected: (run) => run.expectedStartTime,
  state: (run) => run.state,
  duration: (run) => run.totalRunTimeMs,
};

// The order the contract promises, computed independently of the adapters:
// by the sort value (missing times first when ascending), then by id.
function expectedOrder(runs: RunRecord[], sort: RunSortKey, order: "asc" | "desc"): string[] {
  const key = SORT_FIELD[sort];
  const cmp = (a: number | string | null, b: number | string | null) =>
    a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
  const sign = order === "asc" ? 1 : -1;
  return [...runs]
    .sort((a, b) => sign * (cmp(key(a), key(b)) || cmp(a.id, b.id)))
    .map((run) => run.id);
}

function listedIds(engine: Engine, query: RunQuery): string[] {
  return allRuns(engine, query).map((run) => run.id);
}

const CONTRACT: readonly ContractCase[] = [
  {
    name: "createFlowRun() and createTaskRun() persist runs that getRun() returns",
    async fn({ engine, store }) {
      const flow = await engine.createFlowRun({
        name: "etl",
        parameters: { day: "2024-01-01", n: 3 },
        tags: ["nightly"],
      });
      const task = await engine.createTaskRun({
        name: "extract",
        flowName: "etl",
        parentId: flow.id,
        rootId: flow.id,
        taskKey: "extract-1",
        mapIndex: 0,
      });
      assert.deepEqual(engine.getRun(flow.id), flow);
      assert.deepEqual(store.getRun(task.id), task);
      assert.equal(flow.kind, "flow");
      assert.equal(task.kind, "task");
      assert.equal(flow.state, "PENDING");
      assert.equal(flow.version, 1);
      assert.equal(flow.createdAt, T0);
      assert.deepEqual(flow.parameters, { day: "2024-01-01", n: 3 });
      assert.deepEqual(flow.tags, ["nightly"]);
      assert.equal(task.parentId, flow.id);
      assert.equal(task.mapIndex, 0);
      assert.equal(engine.getRun("missing"), undefined);
    },
  },
  {
    name: "propose() commits one event and updates the projection",
    async fn({ engine, clock }) {
      const run = await engine.createFlowRun({ name: "etl" });
      clock.tick(10);
      const result = await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
      assert.equal(result.status, "accepted");
      const stored = engine.getRun(run.id)!;
      assert.equal(stored.state, "RUNNING");
      assert.equal(stored.version, 2);
      assert.equal(stored.startTime, T0 + 10);
      const events = engine.events(run.id);
      assert.deepEqual(
        events.map((e) => [e.seq, e.from, e.to, e.version, e.token]),
        [[1, null, "PENDING", 1, `create:${run.id}`], [2, "PENDING", "RUNNING", 2, "t1"]],
      );
      assert.equal(result.seq, 2);
    },
  },
  {
    name: "creations with caller-chosen ids return the runs a fresh engine finds in the store",
    async fn({ engine, store }) {
      // More ids than one existence query takes, half of them stored already.
      const ids = Array.from({ length: 1_200 }, (_, i) => `chosen-${String(i).padStart(4, "0")}`);
      const stored = ids.filter((_, i) => i % 2 === 0);
      await Promise.all(stored.map((id) => engine.createTaskRun({ id, name: "first" })));
      await engine.propose(stored[0]!, { to: "RUNNING", token: "s", kind: "start" });
      assert.deepEqual(
        [...store.write((tx) => tx.existingRunIds(["chosen-0000", "chosen-0001", "nope"]))],
        ["chosen-0000"],
      );

      const { engine: fresh } = testEngine(store);
      const runs = await Promise.all(ids.map((id) => fresh.createTaskRun({ id, name: "second" })));
      runs.forEach((run, i) => {
        assert.equal(run.id, ids[i]);
        assert.equal(run.name, i % 2 === 0 ? "first" : "second", run.id);
      });
      assert.equal(runs[0]!.state, "RUNNING", "an existing run is returned as it is now");
      assert.equal(store.summary().taskRuns, ids.length);
      assert.equal(engine.events().filter((e) => e.from === null).length, ids.length);
    },
  },
  {
    name: "a run created and moved on in one batch is stored with its last state and counted once",
    async fn({ engine, store }) {
      const parent = await engine.createFlowRun({ name: "etl" });
      // Not awaited in between: creation and both proposals share one transaction.
      const created = engine.createTaskRun({ id: "t-1", name: "extract", parentId: parent.id });
      const started = engine.propose("t-1", { to: "RUNNING", token: "s", kind: "start" });
      const ended = engine.propose("t-1", { to: "COMPLETED", token: "c", kind: "complete" });
      const [run, start, end] = await Promise.all([created, started, ended]);
      assert.equal(run.state, "PENDING");
      assert.deepEqual([start.status, end.status], ["accepted", "accepted"]);
      const stored = store.getRun("t-1")!;
      assert.deepEqual([stored.state, stored.version, stored.parentId], [
        "COMPLETED",
        3,
        parent.id,
      ]);
      assert.deepEqual(engine.events("t-1").map((e) => e.to), ["PENDING", "RUNNING", "COMPLETED"]);
      const summary = store.summary();
      assert.equal(summary.taskRuns, 1);
      assert.deepEqual(summary.taskRunsByState, { COMPLETED: 1 });
      const page = store.listRuns({ kind: "task", parentId: parent.id });
      assert.deepEqual(page.items.map((r) => [r.id, r.state]), [["t-1", "COMPLETED"]]);
      // A rebuild from the log agrees with what the batch stored.
      engine.rebuildProjections();
      assert.deepEqual(store.getRun("t-1"), stored);
    },
  },
  {
    name: "listRuns({ rootsOnly }) lists the runs without a parent",
    async fn({ engine, store }) {
      const flow = await engine.createFlowRun({ id: "f-1", name: "etl" });
      await engine.createTaskRun({ id: "t-in", name: "extract", parentId: flow.id });
      await engine.createTaskRun({ id: "t-alone", name: "extract" });
      const roots = store.listRuns({ kind: "task", rootsOnly: true }).items.map((r) => r.id);
      assert.deepEqual(roots, ["t-alone"]);
      const all = store.listRuns({ rootsOnly: true }).items.map((r) => r.id).sort();
      assert.deepEqual(all, ["f-1", "t-alone"]);
    },
  },
  {
    name: "listRuns() filters by kind, states, flowName, name, text, tags and created range",
    async fn({ engine, clock, t }) {
      await seedRuns(engine, clock);
      const runs = allRuns(engine, { limit: 1000 });
      assert.equal(runs.length, 40, "a query without kind lists flow and task runs");
      const cases: Array<[string, RunQuery, (run: RunRecord) => boolean]> = [
        ["kind flow", { kind: "flow" }, (r) => r.kind === "flow"],
        ["kind task", { kind: "task" }, (r) => r.kind === "task"],
        ["one state", { states: ["RUNNING"] }, (r) => r.state === "RUNNING"],
        [
          "two states",
          { states: ["PENDING", "COMPLETED"] },
          (r) => r.state === "PENDING" || r.state === "COMPLETED",
        ],
        ["flowName", { flowName: "report" }, (r) => r.flowName === "report"],
        ["name", { name: "load" }, (r) => r.name === "load"],
        ["text matches run name", { text: "BATCH-3" }, (r) => r.runName === "batch-3"],
        ["text matches id", { text: "run-1" }, (r) => r.id.startsWith("run-1")],
        ["text treats % literally", { text: "%" }, () => false],
        ["one tag", { tags: ["odd"] }, (r) => r.tags.includes("odd")],
        ["all tags", { tags: ["even", "nightly"] }, (r) => r.tags.includes("even")],
        [
          "created range",
          { createdAfter: T0 + 3, createdBefore: T0 + 6 },
          (r) => r.createdAt >= T0 + 3 && r.createdAt < T0 + 6,
        ],
        [
          "combined",
          { kind: "flow", flowName: "etl", states: ["COMPLETED"], tags: ["even"] },
          (r) =>
            r.kind === "flow" && r.flowName === "etl" && r.state === "COMPLETED" &&
            r.tags.includes("even"),
        ],
      ];
      for (const [label, query, predicate] of cases) {
        await t.step(label, () => {
          const expected = runs.filter(predicate).map((r) => r.id).sort();
          assert.deepEqual(listedIds(engine, { ...query, limit: 4 }).sort(), expected);
        });
      }
    },
  },
  {
    name: "listRuns() walks every page in order without duplicates or gaps",
    async fn({ engine, clock, t }) {
      await seedRuns(engine, clock);
      const runs = allRuns(engine, { limit: 1000 });
      for (const sort of Object.keys(SORT_FIELD) as RunSortKey[]) {
        for (const order of ["asc", "desc"] as const) {
          await t.step(`${sort} ${order}`, () => {
            for (const limit of [1, 7, 40, 41]) {
              assert.deepEqual(
                listedIds(engine, { sort, order, limit }),
                expectedOrder(runs, sort, order),
                `limit ${limit}`,
              );
            }
            const flows = runs.filter((r) => r.kind === "flow");
            assert.deepEqual(
              listedIds(engine, { kind: "flow", sort, order, limit: 6 }),
              expectedOrder(flows, sort, order),
            );
          });
        }
      }
    },
  },
  {
    name: "listRuns() filters a flow run's task runs by state and sorts them by start and duration",
    async fn({ engine, clock, t }) {
      const parent = await engine.createFlowRun({ name: "triage" });
      const other = await engine.createFlowRun({ name: "other" });
      for (let i = 0; i < 24; i++) {
        const task = await engine.createTaskRun({
          name: "step",
          parentId: i % 6 === 5 ? other.id : parent.id,
          rootId: parent.id,
          runName: `step-${i}`,
        });
        if (i % 4 === 3) continue;
        clock.tick((i * 7) % 5);
        await engine.propose(task.id, { to: "RUNNING", token: `s${i}`, kind: "start" });
        clock.tick(1 + (i % 3) * 10);
        const to = i % 3 === 0 ? "FAILED" : "COMPLETED";
        await engine.propose(task.id, { to, token: `e${i}`, kind: "finish" });
      }
      const mine = allRuns(engine, { kind: "task", parentId: parent.id, limit: 1000 });
      for (const sort of ["start", "duration", "state", "name"] as const) {
        for (const order of ["asc", "desc"] as const) {
          await t.step(`FAILED by ${sort} ${order}`, () => {
            const query = { kind: "task", parentId: parent.id, states: ["FAILED"] } as const;
            const failed = mine.filter((run) => run.state === "FAILED");
            assert.ok(failed.length >= 3);
            for (const limit of [1, 2, 100]) {
              assert.deepEqual(
                listedIds(engine, { ...query, sort, order, limit }),
                expectedOrder(failed, sort, order),
                `limit ${limit}`,
              );
            }
          });
        }
      }
      const durations = mine.filter((run) => run.state !== "PENDING").map((r) => r.totalRunTimeMs);
      assert.ok(new Set(durations).size > 1, "the runs took different times");
    },
  },
  {
    name: "listRuns() splits upcoming runs from past ones and filters by top level and deployments",
    async fn({ engine, clock, t }) {
      const now = clock.now();
      const root = await engine.createFlowRun({ name: "etl", deploymentId: "d-1" });
      const sub = await engine.createFlowRun({ name: "child", parentId: root.id, rootId: root.id });
      const late = await engine.createFlowRun({
        name: "etl",
        deploymentId: "d-2",
        state: "SCHEDULED",
        stateName: "Late",
        expectedStartTime: now - 60_000,
      });
      const soon = await engine.createFlowRun({
        name: "etl",
        deploymentId: "d-2",
        state: "SCHEDULED",
        expectedStartTime: now + 60_000,
      });
      const later = await engine.createFlowRun({
        name: "etl",
        deploymentId: "d-3",
        state: "SCHEDULED",
        expectedStartTime: now + 3_600_000,
      });
      const cases: Array<[string, RunQuery, string[]]> = [
        ["roots only", { rootsOnly: true }, [root.id, late.id, soon.id, later.id]],
        ["deployments", { deploymentIds: ["d-1", "d-3"] }, [root.id, later.id]],
        ["no deployments", { deploymentIds: [] }, []],
        ["past (upcoming hidden)", { hideUpcomingFrom: now }, [root.id, sub.id, late.id]],
        [
          "upcoming",
          { states: ["SCHEDULED"], expectedStartFrom: now, sort: "expected", order: "asc" },
          [soon.id, later.id],
        ],
      ];
      for (const [label, query, expected] of cases) {
        await t.step(label, () => {
          const ids = listedIds(engine, { kind: "flow", ...query, limit: 2 });
          assert.deepEqual(query.sort ? ids : ids.sort(), query.sort ? expected : expected.sort());
        });
      }
    },
  },
  {
    name: "listRuns() lists the runs expected to start before a time, in expected start order",
    async fn({ engine, store, clock }) {
      // The scheduler's due scan: ties in expected start time, runs without one, other states.
      const runs: RunRecord[] = [];
      for (let i = 0; i < 30; i++) {
        if (i % 4 === 0) clock.tick(1);
        runs.push(
          await engine.createFlowRun({
            name: "etl",
            state: "SCHEDULED",
            ...(i % 7 === 6 ? {} : { expectedStartTime: T0 - 5_000 + 1_000 * (i % 5) }),
          }),
        );
      }
      for (const run of runs.slice(0, 3)) {
        await engine.propose(run.id, { to: "PENDING", token: `p-${run.id}`, kind: "claim" });
      }
      await engine.createTaskRun({ name: "load", expectedStartTime: T0 - 5_000 });
      const cutoff = T0 - 2_500;
      const due = allRuns(engine, { limit: 1000 }).filter((r) =>
        r.kind === "flow" && r.state === "SCHEDULED" && r.expectedStartTime !== null &&
        r.expectedStartTime < cutoff
      );
      assert.equal(due.length, 12);
      const query: RunQuery = { kind: "flow", states: ["SCHEDULED"], expectedStartBefore: cutoff };
      for (const order of ["asc", "desc"] as const) {
        for (const limit of [1, 4, 12, 13]) {
          assert.deepEqual(
            listedIds(engine, { ...query, sort: "expected", order, limit }),
            expectedOrder(due, "expected", order),
            `${order}, limit ${limit}`,
          );
        }
      }
      assert.deepEqual(
        listedIds(engine, { ...query, limit: 5 }).sort(),
        due.map((r) => r.id).sort(),
        "with the default sort",
      );
      assert.deepEqual(store.countRuns(query), { SCHEDULED: 12 });
      assert.deepEqual(listedIds(engine, { ...query, expectedStartBefore: T0 - 5_000 }), []);
    },
  },
  {
    name: "listRuns() ends with a null cursor and defaults to newest first",
    async fn({ engine, clock }) {
      await seedRuns(engine, clock);
      const page = engine.listRuns({ limit: 1000 });
      assert.equal(page.items.length, 40);
      assert.equal(page.nextCursor, null);
      const first = engine.listRuns({ limit: 5 });
      assert.equal(first.items.length, 5);
      assert.notEqual(first.nextCursor, null);
      assert.deepEqual(
        first.items.map((r) => r.id),
        expectedOrder(page.items, "created", "desc").slice(0, 5),
      );
    },
  },
  {
    name: "listRuns() rejects a cursor made for another sort and bad page sizes",
    async fn({ engine, clock }) {
      await seedRuns(engine, clock);
      const { nextCursor } = engine.listRuns({ sort: "created", order: "asc", limit: 3 });
      assert.ok(nextCursor);
      assert.throws(
        () => engine.listRuns({ sort: "name", order: "asc", cursor: nextCursor }),
        InvalidCursorError,
      );
      assert.throws(
        () => engine.listRuns({ sort: "created", order: "desc", cursor: nextCursor }),
        InvalidCursorError,
      );
      assert.throws(() => engine.listRuns({ cursor: "not a cursor" }), InvalidCursorError);
      assert.throws(() => engine.listRuns({ limit: 0 }), InvalidArgumentError);
      assert.throws(() => engine.listRuns({ limit: 1001 }), InvalidArgumentError);
    },
  },
  {
    name: "events() lists a run's events and the events after a seq",
    async fn({ engine }) {
      const a = await engine.createFlowRun({ name: "a" });
      const b = await engine.createFlowRun({ name: "b" });
      await engine.propose(a.id, { to: "RUNNING", token: "a1", kind: "start" });
      await engine.propose(b.id, { to: "RUNNING", token: "b1", kind: "start" });
      await engine.propose(a.id, { to: "COMPLETED", token: "a2", kind: "complete" });
      const all = engine.events();
      assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(engine.events(a.id).map((e) => e.token), [`create:${a.id}`, "a1", "a2"]);
      assert.deepEqual(engine.events({ afterSeq: 3 }).map((e) => e.seq), [4, 5]);
      assert.deepEqual(engine.events({ runId: a.id, afterSeq: 2 }).map((e) => e.seq), [3, 5]);
      assert.deepEqual(engine.events({ afterSeq: 1, limit: 2 }).map((e) => e.seq), [2, 3]);
      assert.deepEqual(engine.events({ afterSeq: 5 }), []);
      assert.deepEqual(engine.events("missing"), []);
      assert.deepEqual(all.find((e) => e.token === "a2")!.rules, [
        "UpdateTotalRunTime",
        "SetEndTime",
      ]);
    },
  },
  {
    name: "listRuns() of flow runs in several states walks pages in created order",
    async fn({ engine, clock, t }) {
      await seedRuns(engine, clock);
      const flows = allRuns(engine, { kind: "flow", limit: 1000 });
      const states = ["PENDING", "COMPLETED", "PENDING"] as const;
      const matching = flows.filter((r) => r.state === "PENDING" || r.state === "COMPLETED");
      for (const order of ["asc", "desc"] as const) {
        await t.step(order, () => {
          for (const limit of [1, 4, 100]) {
            assert.deepEqual(
              listedIds(engine, { kind: "flow", states: [...states], order, limit }),
              expectedOrder(matching, "created", order),
            );
          }
        });
      }
    },
  },
  {
    name: "summary() and flowStats() stay right through rebuildProjections()",
    async fn({ engine, store, clock }) {
      await seedRuns(engine, clock);
      const before = engine.summary();
      const flows = store.flowStats();
      engine.rebuildProjections();
      assert.deepEqual(engine.summary(), before);
      assert.deepEqual(store.flowStats(), flows);
    },
  },
  {
    name: "summary() counts runs by kind and state, and events",
    async fn({ engine, clock }) {
      await seedRuns(engine, clock);
      const runs = allRuns(engine, { limit: 1000 });
      const byState = (kind: "flow" | "task") => {
        const counts: Record<string, number> = {};
        for (const run of runs) {
          if (run.kind === kind) counts[run.state] = (counts[run.state] ?? 0) + 1;
        }
        return counts;
      };
      assert.deepEqual(engine.summary(), {
        flowRuns: runs.filter((r) => r.kind === "flow").length,
        taskRuns: runs.filter((r) => r.kind === "task").length,
        events: engine.events().length,
        flowRunsByState: byState("flow"),
        taskRunsByState: byState("task"),
      });
      assert.deepEqual(engine.summary().flowRunsByState, {
        PENDING: 11,
        RUNNING: 10,
        COMPLETED: 11,
      });
    },
  },
  {
    name: "countRuns() counts the runs matching a query's filters by state",
    async fn({ engine, store, clock }) {
      await seedRuns(engine, clock);
      const runs = allRuns(engine, { limit: 1000 });
      const queries: RunQuery[] = [
        {},
        { kind: "flow" },
        { kind: "task", flowName: "etl" },
        { states: ["RUNNING", "COMPLETED"], tags: ["even"] },
        { text: "batch-1", limit: 1, sort: "name" },
        { flowName: "missing" },
      ];
      for (const query of queries) {
        const expected: Record<string, number> = {};
        for (const run of allRuns(engine, { ...query, limit: 1000, sort: "created" })) {
          expected[run.state] = (expected[run.state] ?? 0) + 1;
        }
        assert.deepEqual(store.countRuns(query), expected, JSON.stringify(query));
      }
      assert.equal(
        Object.values(store.countRuns({})).reduce((a, b) => a + b, 0),
        runs.length,
      );
    },
  },
  {
    name: "flowNames() lists distinct flow names of flow runs in order, up to a limit",
    async fn({ engine, store, clock }) {
      assert.deepEqual(store.flowNames(), []);
      await seedRuns(engine, clock);
      await engine.createTaskRun({ name: "only-a-task", flowName: "zeta" });
      assert.deepEqual(store.flowNames(), ["etl", "report", "sync"]);
      assert.deepEqual(store.flowNames(2), ["etl", "report"]);
    },
  },
  {
    name: "taskGraph() groups a flow run's task runs by task key with counted edges",
    async fn({ engine, store, clock }) {
      const flow = await engine.createFlowRun({ name: "etl" });
      const other = await engine.createFlowRun({ name: "etl" });
      // Each task run one millisecond after the last, so creation order is the expected order.
      const task = (name: string, extra: Record<string, unknown> = {}) => {
        clock.tick(1);
        return engine.createTaskRun({ name, flowName: "etl", parentId: flow.id, ...extra });
      };
      const extracts = [];
      for (let i = 0; i < 3; i++) {
        extracts.push(await task("extract", { taskKey: "extract#0", mapIndex: i }));
      }
      await engine.propose(extracts[1]!.id, { to: "RUNNING", token: "s", kind: "start" });
      const load = await task("load", {
        taskKey: "load#0",
        upstream: extracts.map((e) => ({ runId: e.id, kind: "data" })),
      });
      const untracked = await task("misc");
      await task("report", {
        taskKey: "report#0",
        upstream: [{ runId: load.id, kind: "waitFor" }, { runId: untracked.id, kind: "data" }],
      });
      const foreign = await engine.createTaskRun({ name: "x", parentId: other.id, taskKey: "x#0" });
      await task("late", { taskKey: "late#0", upstream: [{ runId: foreign.id, kind: "data" }] });

      const graph = store.taskGraph(flow.id);
      assert.deepEqual(graph.nodes, [
        {
          key: "extract#0",
          name: "extract",
          runs: 3,
          states: { PENDING: 2, RUNNING: 1 },
          firstRunId: extracts[0]!.id,
        },
        { key: "load#0", name: "load", runs: 1, states: { PENDING: 1 }, firstRunId: load.id },
        {
          key: untracked.id,
          name: "misc",
          runs: 1,
          states: { PENDING: 1 },
          firstRunId: untracked.id,
        },
        {
          key: "report#0",
          name: "report",
          runs: 1,
          states: { PENDING: 1 },
          firstRunId: graph.nodes[3]!.firstRunId,
        },
        {
          key: "late#0",
          name: "late",
          runs: 1,
          states: { PENDING: 1 },
          firstRunId: graph.nodes[4]!.firstRunId,
        },
      ]);
      assert.deepEqual(
        graph.edges,
        [
          { from: "extract#0", to: "load#0", kind: "data", count: 3 },
          { from: "load#0", to: "report#0", kind: "waitFor", count: 1 },
          { from: untracked.id, to: "report#0", kind: "data", count: 1 },
        ].sort((a, b) => a.from < b.from ? -1 : a.from > b.from ? 1 : 0),
      );
      assert.deepEqual(store.taskGraph("missing"), { nodes: [], edges: [] });
    },
  },
  {
    name: "flowStats() lists flow names with run counts and the newest run",
    async fn({ engine, store, clock }) {
      assert.deepEqual(store.flowStats(), []);
      await seedRuns(engine, clock);
      const flows = allRuns(engine, { kind: "flow", limit: 1000 });
      const stats = store.flowStats();
      assert.deepEqual(stats.map((s) => s.flowName), ["etl", "report", "sync"]);
      for (const stat of stats) {
        const own = flows.filter((run) => run.flowName === stat.flowName);
        const newest = expectedOrder(own, "created", "desc")[0]!;
        assert.equal(stat.runs, own.length);
        assert.equal(stat.lastRunId, newest);
        assert.equal(stat.lastRunState, engine.getRun(newest)!.state);
        assert.equal(stat.lastRunCreatedAt, engine.getRun(newest)!.createdAt);
      }
    },
  },
  {
    name: "concurrency limits are stored, replaced, listed by name and deleted",
    fn({ store }) {
      const limit = {
        name: "db",
        limit: 3,
        slotDecayPerSecond: 0.5,
        activeSlots: 0,
        createdAt: T0,
        updatedAt: T0,
      };
      assert.deepEqual(store.concurrencyLimits(), []);
      assert.equal(store.getConcurrencyLimit("db"), undefined);
      store.putConcurrencyLimit(limit);
      store.putConcurrencyLimit({ ...limit, name: "api", limit: 0 });
      assert.deepEqual(store.getConcurrencyLimit("db"), limit);
      store.putConcurrencyLimit({ ...limit, limit: 5, updatedAt: T0 + 1 });
      assert.deepEqual(store.concurrencyLimits(), [
        { ...limit, name: "api", limit: 0 },
        { ...limit, limit: 5, updatedAt: T0 + 1 },
      ]);
      assert.equal(store.deleteConcurrencyLimit("db"), true);
      assert.equal(store.deleteConcurrencyLimit("db"), false);
      assert.deepEqual(store.concurrencyLimits().map((l) => l.name), ["api"]);
    },
  },
  {
    name: "write() leaves nothing behind when its function throws",
    async fn({ engine, store }) {
      const existing = await engine.createFlowRun({ name: "existing" });
      const before = {
        events: store.events(),
        run: store.getRun(existing.id),
        seq: store.lastSeq(),
      };
      const boom = new Error("boom");
      assert.throws(
        () =>
          store.write((tx) => {
            const run = { ...existing, id: "ghost", runName: "ghost", rootId: "ghost" };
            tx.appendEvent({
              ...engine.events(existing.id)[0]!,
              id: "ghost.1",
              runId: "ghost",
              token: "g",
            });
            tx.insertRun(run);
            tx.appendEvent({
              ...engine.events(existing.id)[0]!,
              id: `${existing.id}.2`,
              from: "PENDING",
              to: "RUNNING",
              token: "x",
              version: 2,
            });
            tx.updateRun({ ...existing, state: "RUNNING", version: 2 });
            assert.equal(tx.getRun("ghost")?.id, "ghost", "a transaction sees its own writes");
            throw boom;
          }),
        (error) => error === boom,
      );
      assert.equal(store.getRun("ghost"), undefined);
      assert.deepEqual(store.getRun(existing.id), before.run);
      assert.deepEqual(store.events(), before.events);
      assert.equal(store.lastSeq(), before.seq);
      store.write((tx) => {
        assert.deepEqual([...tx.runTokens(existing.id).keys()], [`create:${existing.id}`]);
        assert.deepEqual(tx.runTokens("ghost"), new Map());
      });
      // The engine keeps working on top of the rolled-back transaction.
      const result = await engine.propose(existing.id, {
        to: "RUNNING",
        token: "x",
        kind: "start",
      });
      assert.equal(result.status, "accepted");
      assert.equal(result.seq, before.seq + 1);
    },
  },
  {
    name: "importEvents() requires increasing seq (gaps allowed) and imports all or nothing",
    async fn({ engine, store }) {
      const run = await engine.createFlowRun({ name: "etl" });
      await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
      const events = engine.events();
      const [first, second] = events as [EngineEvent, EngineEvent];
      // Re-importing what is there is refused.
      assert.throws(() => store.importEvents([first]), RangeError);
      assert.throws(() => store.importEvents([{ ...second, seq: 2 }]), RangeError);
      // A bad event in the middle leaves none of the batch behind.
      assert.throws(
        () =>
          store.importEvents([{ ...second, seq: 3, version: 3, token: "t2" }, {
            ...second,
            seq: 3,
          }]),
        RangeError,
      );
      assert.deepEqual(store.events(), events);
      assert.equal(store.lastSeq(), 2);
      // A later seq is accepted: a purged log exports with gaps.
      store.importEvents([{ ...second, id: `${run.id}.3`, seq: 5, version: 3, token: "t2" }]);
      assert.deepEqual(store.events().map((e) => e.seq), [1, 2, 5]);
      assert.equal(store.lastSeq(), 5);
      assert.deepEqual(store.events({ afterSeq: 2 }).map((e) => e.seq), [5]);
    },
  },
  {
    name: "documents are stored per collection, listed by key and ref, replaced and deleted",
    fn({ store }) {
      const doc = (collection: string, key: string, ref: string | null, n: number) => ({
        collection,
        key,
        ref,
        data: { n, nested: { list: [n, "x"] } },
        createdAt: T0,
        updatedAt: T0 + n,
        expiresAt: n === 2 ? T0 + 1000 : null,
      });
      store.putDocument(doc("artifact", "b", "run-1", 1));
      store.putDocument(doc("artifact", "a", "run-2", 2));
      store.putDocument(doc("artifact", "c", "run-1", 3));
      store.putDocument(doc("cache", "a", null, 4));
      assert.deepEqual(store.getDocument("artifact", "a"), doc("artifact", "a", "run-2", 2));
      assert.equal(store.getDocument("artifact", "zzz"), undefined);
      assert.deepEqual(store.listDocuments({ collection: "artifact" }).map((d) => d.key), [
        "a",
        "b",
        "c",
      ]);
      assert.deepEqual(
        store.listDocuments({ collection: "artifact", ref: "run-1" }).map((d) => d.key),
        [
          "b",
          "c",
        ],
      );
      assert.deepEqual(
        store.listDocuments({ collection: "artifact", afterKey: "a", limit: 1 }).map((d) => d.key),
        ["b"],
      );
      assert.deepEqual(
        store.listDocuments({ collection: "artifact", throughKey: "b" }).map((d) => d.key),
        ["a", "b"],
        "throughKey is inclusive",
      );
      // In a write transaction nothing else holds these rows: skipLocked lists them all.
      assert.deepEqual(
        store.write((tx) =>
          tx.listDocuments({ collection: "artifact", ref: "run-1", skipLocked: true })
            .map((d) => d.key)
        ),
        ["b", "c"],
      );
      store.putDocument(doc("artifact", "a", "run-1", 5));
      assert.equal((store.getDocument("artifact", "a")!.data as { n: number }).n, 5);
      assert.equal(store.deleteDocument("artifact", "a"), true);
      assert.equal(store.deleteDocument("artifact", "a"), false);
      assert.deepEqual(store.listDocuments({ collection: "cache" }).map((d) => d.key), ["a"]);
      // Documents written in a failed transaction are rolled back.
      assert.throws(() =>
        store.write((tx) => {
          tx.putDocument(doc("cache", "b", null, 6));
          tx.deleteDocument("cache", "a");
          throw new Error("boom");
        })
      );
      assert.deepEqual(store.listDocuments({ collection: "cache" }).map((d) => d.key), ["a"]);
    },
  },
  {
    name: "exportEvents() and importEvents() round-trip into a fresh store",
    async fn({ engine, clock }) {
      await seedRuns(engine, clock);
      const lines = [...engine.exportEvents()];
      for (const adapter of STORE_ADAPTERS) {
        await using target = await adapter.open();
        const { engine: copy } = testEngine(target.store);
        assert.equal(copy.importEvents(lines), lines.length);
        assert.deepEqual(copy.events(), engine.events(), `into ${adapter.name}`);
        assert.deepEqual(allRuns(copy, { limit: 1000 }), allRuns(engine, { limit: 1000 }));
        assert.deepEqual([...copy.exportEvents()], lines);
      }
    },
  },
];

/** Drives a run through RUNNING to `to`. */
async function finish(engine: Engine, run: RunRecord, to = "COMPLETED" as const) {
  await engine.propose(run.id, { to: "RUNNING", token: `${run.id}-start`, kind: "start" });
  await engine.propose(run.id, { to, token: `${run.id}-end`, kind: "finish" });
}

/** Logs one line of `flowRunId`, which becomes the log's newest. */
async function logLine(engine: Engine, flowRunId: string) {
  engine.log([{ flowRunId, taskRunId: null, level: 20, message: "", at: 0, name: "" }]);
  await engine.flush();
}

/**
 * A finished root flow run with a subflow run, task runs in both, log lines
 * of each, and documents naming the root by ref and the subflow by key.
 */
async function seedTree(engine: Engine, name: string) {
  const root = await engine.createFlowRun({ name });
  const sub = await engine.createFlowRun({
    name: "child",
    parentId: root.id,
    rootId: root.id,
    depth: 1,
    lineageId: `${root.lineageId}/subflow:child`,
  });
  const rootTask = await engine.createTaskRun({
    name: "extract",
    flowName: name,
    parentId: root.id,
  });
  const subTask = await engine.createTaskRun({ name: "load", flowName: "child", parentId: sub.id });
  for (const run of [subTask, sub, rootTask, root]) await finish(engine, run);
  engine.log([
    { flowRunId: root.id, taskRunId: null, level: 20, message: "root", at: T0, name: "x" },
    { flowRunId: root.id, taskRunId: rootTask.id, level: 20, message: "task", at: T0, name: "x" },
    { flowRunId: sub.id, taskRunId: subTask.id, level: 20, message: "sub", at: T0, name: "x" },
  ]);
  await engine.flush();
  const doc = (collection: string, key: string, ref: string | null) => ({
    collection,
    key,
    ref,
    data: { of: name },
    createdAt: T0,
    updatedAt: T0,
    expiresAt: null,
  });
  await engine.transact((tx) => {
    tx.putDocument(doc("artifact", `${root.id}-a1`, root.id));
    tx.putDocument(doc("artifact", `${sub.id}-a2`, sub.id));
    tx.putDocument(doc("run_claim", sub.id, "deployment-1"));
  });
  return { root, sub, rootTask, subTask, ids: [root.id, sub.id, rootTask.id, subTask.id] };
}

const PURGE_OPTIONS = { documentsByRef: ["artifact"], documentsByKey: ["run_claim"] };

const PURGE_CONTRACT: readonly ContractCase[] = [
  {
    name: "purgeRuns() deletes a terminal tree with its events, logs and documents",
    async fn({ engine, store }) {
      const gone = await seedTree(engine, "etl");
      const kept = await seedTree(engine, "etl");
      const other = await seedTree(engine, "report");
      const before = store.summary();
      const seqs = store.events().map((e) => e.seq);
      const lastSeq = store.lastSeq();
      const result = store.purgeRuns([gone.root.id], PURGE_OPTIONS);
      assert.deepEqual(result, {
        purged: [gone.root.id],
        kept: [],
        flowRuns: 2,
        taskRuns: 2,
        events: 12,
        logs: 3,
        documents: 3,
      });
      for (const id of gone.ids) {
        assert.equal(store.getRun(id), undefined, `run ${id} is gone`);
        assert.deepEqual(store.events({ runId: id }), []);
      }
      assert.deepEqual(store.logs({ flowRunId: gone.root.id }), []);
      assert.deepEqual(store.logs({ flowRunId: gone.sub.id }), []);
      assert.equal(store.logs({}).length, 6);
      assert.deepEqual(
        store.listDocuments({ collection: "artifact" }).map((d) => d.ref).sort(),
        [kept.root.id, kept.sub.id, other.root.id, other.sub.id].sort(),
      );
      assert.deepEqual(
        store.listDocuments({ collection: "run_claim" }).map((d) => d.key).sort(),
        [kept.sub.id, other.sub.id].sort(),
      );
      for (const id of [...kept.ids, ...other.ids]) assert.ok(store.getRun(id));
      // Counts stay right without a scan.
      const after = store.summary();
      assert.equal(after.flowRuns, before.flowRuns - 2);
      assert.equal(after.taskRuns, before.taskRuns - 2);
      assert.deepEqual(after.flowRunsByState, { COMPLETED: 4 });
      assert.deepEqual(after.taskRunsByState, { COMPLETED: 4 });
      assert.deepEqual(store.flowStats().map((f) => [f.flowName, f.runs]), [
        ["child", 2],
        ["etl", 1],
        ["report", 1],
      ]);
      assert.deepEqual(store.countRuns({ kind: "flow", flowName: "etl" }), { COMPLETED: 1 });
      assert.deepEqual(
        allRuns(store, { kind: "flow" }).map((r) => r.id).sort(),
        [
          kept.root.id,
          kept.sub.id,
          other.root.id,
          other.sub.id,
        ].sort(),
      );
      // The log keeps every other event and its seq; new events continue after the last.
      const left = store.events().map((e) => e.seq);
      assert.deepEqual(left, seqs.filter((seq) => left.includes(seq)));
      assert.equal(left.length, seqs.length - 12);
      assert.equal(store.lastSeq(), lastSeq);
      assert.deepEqual(
        store.events({ afterSeq: left[3]!, limit: 2 }).map((e) => e.seq),
        left.slice(4, 6),
      );
      const next = await engine.createFlowRun({ name: "etl" });
      assert.equal(store.events({ runId: next.id })[0]!.seq, lastSeq + 1);
      // Projections rebuilt from the log are what the purge left.
      const runs = allRuns(store, { limit: 1000 });
      engine.rebuildProjections();
      assert.deepEqual(allRuns(store, { limit: 1000 }), runs);
      assert.deepEqual(store.summary().flowRunsByState, { COMPLETED: 4, PENDING: 1 });
      // A second purge of the same root finds nothing.
      assert.deepEqual(store.purgeRuns([gone.root.id]).kept, [
        { runId: gone.root.id, reason: "not_found" },
      ]);
    },
  },
  {
    name: "purgeRuns() keeps live trees and lineages, subflows, recent and newest runs",
    async fn({ engine, store, clock }) {
      const liveSub = await seedTree(engine, "a");
      const child = await engine.createFlowRun({
        name: "late-child",
        parentId: liveSub.root.id,
        rootId: liveSub.root.id,
        depth: 1,
      });
      const liveTask = await seedTree(engine, "b");
      await engine.createTaskRun({ name: "t", flowName: "b", parentId: liveTask.root.id });
      const retried = await seedTree(engine, "c");
      // A new attempt of the lineage is running: resume reads the old attempt.
      const attempt = await engine.createFlowRun({
        name: "c",
        lineageId: retried.root.lineageId,
        attempt: 2,
      });
      await engine.propose(attempt.id, { to: "RUNNING", token: "a2", kind: "start" });
      clock.tick(1000);
      const recent = await seedTree(engine, "d");
      const newest = await seedTree(engine, "e");
      const summary = store.summary();
      const events = store.events();
      const result = store.purgeRuns([
        liveSub.root.id,
        liveTask.root.id,
        retried.root.id,
        recent.root.id,
        liveSub.sub.id,
        liveSub.rootTask.id,
        "nope",
      ], { endedBefore: recent.root.endTime ?? clock.now(), ...PURGE_OPTIONS });
      assert.deepEqual(result, {
        purged: [],
        kept: [
          { runId: liveSub.root.id, reason: "live" },
          { runId: liveTask.root.id, reason: "live" },
          { runId: retried.root.id, reason: "live" },
          { runId: recent.root.id, reason: "recent" },
          { runId: liveSub.sub.id, reason: "not_root" },
          { runId: liveSub.rootTask.id, reason: "not_found" },
          { runId: "nope", reason: "not_found" },
        ],
        flowRuns: 0,
        taskRuns: 0,
        events: 0,
        logs: 0,
        documents: 0,
      });
      assert.deepEqual(store.summary(), summary);
      assert.deepEqual(store.events(), events);
      assert.ok(store.getRun(child.id));
      // The tree holding the newest event (and log line) stays, so no seq is reused.
      assert.deepEqual(store.purgeRuns([newest.root.id]).kept, [
        { runId: newest.root.id, reason: "newest" },
      ]);
      await logLine(engine, "elsewhere");
      assert.deepEqual(store.purgeRuns([newest.root.id]).kept, [
        { runId: newest.root.id, reason: "newest" },
      ], "the newest event still is its");
      // Once the lineage is terminal and the log moved on, the old attempt goes.
      await engine.propose(attempt.id, { to: "FAILED", token: "a2-end", kind: "finish" });
      await engine.createFlowRun({ name: "f" });
      const later = store.purgeRuns([retried.root.id, newest.root.id]);
      assert.deepEqual(later.purged, [retried.root.id, newest.root.id]);
      assert.ok(store.getRun(attempt.id), "the purge deletes only the roots it was given");
    },
  },
  {
    name: "purgeRuns() writes its record in the same transaction, all or nothing",
    async fn({ engine, store }) {
      const tree = await seedTree(engine, "etl");
      const newer = await engine.createFlowRun({ name: "newer" });
      await logLine(engine, newer.id);
      const summary = store.summary();
      assert.throws(
        () =>
          store.purgeRuns([tree.root.id], {
            ...PURGE_OPTIONS,
            record: () => {
              throw new Error("boom");
            },
          }),
        /boom/,
      );
      assert.deepEqual(store.summary(), summary);
      for (const id of tree.ids) assert.ok(store.getRun(id));
      assert.equal(store.listDocuments({ collection: "artifact" }).length, 2);
      const result = store.purgeRuns([tree.root.id], {
        record: (done) => ({
          collection: "purge_audit",
          key: "1",
          ref: null,
          data: { runs: done.flowRuns + done.taskRuns, events: done.events },
          createdAt: T0,
          updatedAt: T0,
          expiresAt: null,
        }),
      });
      assert.deepEqual(result.purged, [tree.root.id]);
      assert.deepEqual(store.getDocument("purge_audit", "1")?.data, { runs: 4, events: 12 });
    },
  },
  {
    name: "a purge makes the engine forget the purged runs it cached",
    async fn({ engine, store }) {
      const run = await engine.createFlowRun({ name: "etl" });
      await finish(engine, run);
      // A rejected proposal loads the terminal run into the engine's cache.
      const late = await engine.propose(run.id, { to: "RUNNING", token: "late", kind: "start" });
      assert.equal(late.status, "rejected");
      await engine.createFlowRun({ name: "newer" });
      assert.deepEqual(store.purgeRuns([run.id]).purged, [run.id]);
      await assert.rejects(
        engine.propose(run.id, { to: "RUNNING", token: "later", kind: "start" }),
        RunNotFoundError,
      );
      const again = await engine.createFlowRun({ id: run.id, name: "etl" });
      assert.equal(again.state, "PENDING", "an idempotent create does not return the purged run");
    },
  },
  {
    name: "exportEvents() of a purged log imports with its gaps into a fresh store",
    async fn({ engine, store }) {
      const gone = await seedTree(engine, "etl");
      await seedTree(engine, "report");
      store.purgeRuns([gone.root.id]);
      const lines = [...engine.exportEvents()];
      for (const adapter of STORE_ADAPTERS) {
        await using target = await adapter.open();
        const { engine: copy } = testEngine(target.store);
        assert.equal(copy.importEvents(lines), lines.length);
        assert.deepEqual(copy.events(), engine.events(), `into ${adapter.name}`);
        assert.deepEqual(allRuns(copy, { limit: 1000 }), allRuns(engine, { limit: 1000 }));
        assert.deepEqual(copy.summary(), engine.summary());
      }
    },
  },
];

const HOUR = ACTIVITY_BUCKET_MS;
/** The hour before the one T0 falls in: every activity window below starts here. */
const SINCE = Math.floor(T0 / HOUR) * HOUR - HOUR;

/** Activity windows and widths the activity cases check, with and without filters. */
const ACTIVITY_QUERIES: readonly ActivityQuery[] = [
  { since: SINCE, until: SINCE + 48 * HOUR, bucketMs: HOUR },
  { since: SINCE, until: SINCE + 48 * HOUR, bucketMs: 3 * HOUR },
  { since: SINCE, until: SINCE + 48 * HOUR, bucketMs: 24 * HOUR },
  { since: SINCE + 2 * HOUR, until: SINCE + 5 * HOUR, bucketMs: HOUR },
  { since: SINCE, until: SINCE + 48 * HOUR, bucketMs: 2 * HOUR, flowName: "etl" },
  { since: SINCE, until: SINCE + 48 * HOUR, bucketMs: HOUR, states: ["COMPLETED", "FAILED"] },
  {
    since: SINCE,
    until: SINCE + 48 * HOUR,
    bucketMs: HOUR,
    flowName: "report",
    states: ["RUNNING"],
  },
  { since: SINCE, until: SINCE + 48 * HOUR, bucketMs: HOUR, flowName: "missing" },
];

/** What flowRunActivity() must answer, counted from the flow runs the store lists. */
function expectedActivity(store: Store, query: ActivityQuery): ActivityBucket[] {
  const buckets = new Map<number, ActivityBucket>();
  for (const run of allRuns(store, { kind: "flow", limit: 1000 })) {
    if (run.createdAt < query.since || run.createdAt >= query.until) continue;
    if (query.flowName !== undefined && run.flowName !== query.flowName) continue;
    if (query.states?.length && !query.states.includes(run.state)) continue;
    const start = Math.floor(run.createdAt / query.bucketMs) * query.bucketMs;
    let bucket = buckets.get(start);
    if (!bucket) buckets.set(start, bucket = { start, counts: {} });
    bucket.counts[run.state] = (bucket.counts[run.state] ?? 0) + 1;
  }
  return [...buckets.values()].sort((a, b) => a.start - b.start);
}

function assertActivity(store: Store, message: string): void {
  for (const query of ACTIVITY_QUERIES) {
    assert.deepEqual(
      store.flowRunActivity(query),
      expectedActivity(store, query),
      `${message}: ${JSON.stringify(query)}`,
    );
  }
}

/**
 * Flow runs of three flows over six hours, with task runs beside them: some
 * created and moved on in the same batch, some moved twice in one batch,
 * some failed, some left running or pending.
 */
async function seedActivity(engine: Engine, clock: FakeClock): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (let i = 0; i < 24; i++) {
    clock.tick(HOUR / 4 + 7);
    const flowName = ["etl", "report", "sync"][i % 3]!;
    if (i % 4 === 0) {
      // Created, started and finished in one batch.
      const id = `same-batch-${i}`;
      const created = engine.createFlowRun({ id, name: flowName });
      const started = engine.propose(id, { to: "RUNNING", token: `s-${id}`, kind: "start" });
      const ended = engine.propose(id, { to: "COMPLETED", token: `e-${id}`, kind: "end" });
      await Promise.all([created, started, ended]);
      runs.push(engine.getRun(id)!);
      continue;
    }
    const run = await engine.createFlowRun({ name: flowName });
    await engine.createTaskRun({ name: "t", flowName, parentId: run.id });
    runs.push(run);
  }
  // State changes of flow runs created in earlier hours, batched.
  for (const [i, run] of runs.entries()) {
    if (i % 4 === 0 || i % 5 === 1) continue;
    void engine.propose(run.id, { to: "RUNNING", token: `start-${run.id}`, kind: "start" });
    if (i % 3 === 0) continue;
    const to = i % 2 === 0 ? "FAILED" : "COMPLETED";
    void engine.propose(run.id, { to, token: `end-${run.id}`, kind: "end" });
  }
  await engine.flush();
  return runs;
}

const ACTIVITY_CONTRACT: readonly ContractCase[] = [
  {
    name: "flowRunActivity() counts flow runs per bucket and state through creates and changes",
    async fn({ engine, store, clock }) {
      assert.deepEqual(store.flowRunActivity(ACTIVITY_QUERIES[0]!), []);
      await seedActivity(engine, clock);
      assertActivity(store, "after creates and state changes");
      // Not vacuous: the seed spans hours and states, and task runs do not count.
      const hours = store.flowRunActivity(ACTIVITY_QUERIES[0]!);
      assert.ok(hours.length >= 6, `${hours.length} hours`);
      const total: Record<string, number> = {};
      for (const { counts } of hours) {
        for (const [state, n] of Object.entries(counts)) total[state] = (total[state] ?? 0) + n;
      }
      assert.deepEqual(total, store.summary().flowRunsByState);
      assert.deepEqual(Object.keys(total).sort(), ["COMPLETED", "FAILED", "PENDING", "RUNNING"]);
    },
  },
  {
    name: "flowRunActivity() refuses bounds and widths that split an hour",
    fn({ store }) {
      for (
        const query of [
          { since: SINCE + 1, until: SINCE + HOUR, bucketMs: HOUR },
          { since: SINCE, until: SINCE + HOUR + 1, bucketMs: HOUR },
          { since: SINCE, until: SINCE + HOUR, bucketMs: HOUR / 2 },
          { since: SINCE, until: SINCE + HOUR, bucketMs: 0 },
        ]
      ) {
        assert.throws(
          () => store.flowRunActivity(query),
          InvalidArgumentError,
          JSON.stringify(query),
        );
      }
    },
  },
  {
    name: "flowRunActivity() stays right through purgeRuns()",
    async fn({ engine, store, clock }) {
      const trees = [];
      for (const name of ["etl", "report", "etl", "sync"]) {
        trees.push(await seedTree(engine, name));
        clock.tick(HOUR / 2 + 11);
      }
      await seedActivity(engine, clock);
      const before = store.flowRunActivity(ACTIVITY_QUERIES[0]!);
      // A purge that keeps everything changes nothing.
      store.purgeRuns([trees[0]!.sub.id, "nope"]);
      assert.deepEqual(store.flowRunActivity(ACTIVITY_QUERIES[0]!), before);
      const result = store.purgeRuns([trees[0]!.root.id, trees[1]!.root.id, trees[2]!.root.id]);
      assert.deepEqual([result.kept, result.flowRuns], [[], 6]);
      assertActivity(store, "after a purge");
      assert.notDeepEqual(store.flowRunActivity(ACTIVITY_QUERIES[0]!), before);
    },
  },
  {
    name: "flowRunActivity() stays right through rebuildProjections() and an import",
    async fn({ engine, store, clock }) {
      await seedActivity(engine, clock);
      const gone = await seedTree(engine, "etl");
      await seedTree(engine, "report");
      store.purgeRuns([gone.root.id]);
      const before = ACTIVITY_QUERIES.map((query) => store.flowRunActivity(query));
      engine.rebuildProjections();
      assert.deepEqual(ACTIVITY_QUERIES.map((query) => store.flowRunActivity(query)), before);
      assertActivity(store, "after a rebuild");
      const lines = [...engine.exportEvents()];
      for (const adapter of STORE_ADAPTERS) {
        await using target = await adapter.open();
        const { engine: copy } = testEngine(target.store);
        copy.importEvents(lines);
        assert.deepEqual(
          ACTIVITY_QUERIES.map((query) => target.store.flowRunActivity(query)),
          before,
          `imported into ${adapter.name}`,
        );
      }
    },
  },
];

for (const adapter of STORE_ADAPTERS) {
  storeContract(adapter, [...CONTRACT, ...PURGE_CONTRACT, ...ACTIVITY_CONTRACT]);
}

if (!POSTGRES_URL) {
  Deno.test({ name: `postgres store: contract suite ${POSTGRES_SKIP}`, ignore: true, fn() {} });
}
