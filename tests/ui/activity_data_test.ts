import assert from "node:assert/strict";
import {
  createEngine,
  createMemoryStore,
  createSqliteStore,
  type Engine,
  FakeClock,
  type RunQuery,
  SequentialIds,
  type Store,
} from "../../engine/mod.ts";
import {
  activity,
  type ActivityFilter,
  filterWindow,
  parseFilters,
} from "../../server/dashboard/runs_data.ts";
import { NOW } from "./_fixtures.ts";

const HOUR = 3_600_000;

/** Flow runs of three flows over the ten days before NOW, some finished, some failed. */
async function seeded(store: Store): Promise<{ engine: Engine; countCalls: () => number }> {
  let calls = 0;
  const counting = new Proxy(store, {
    get(target, key) {
      if (key === "countRuns") {
        return (query: RunQuery) => {
          if (query.kind === "flow") calls += 1;
          return target.countRuns(query);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Store;
  const clock = new FakeClock(NOW - 10 * 24 * HOUR + 1_234);
  const engine = createEngine({ store: counting, clock, ids: new SequentialIds("run") });
  for (let i = 0; i < 400; i++) {
    const run = await engine.createFlowRun({
      name: ["etl", "report", "sync"][i % 3]!,
      runName: `batch-${i}`,
    });
    if (i % 4 !== 3) {
      void engine.propose(run.id, { to: "RUNNING", token: `s-${i}`, kind: "start" });
      if (i % 4 !== 2) {
        const to = i % 7 === 0 ? "FAILED" : "COMPLETED";
        void engine.propose(run.id, { to, token: `e-${i}`, kind: "end" });
      }
    }
    clock.tick(HOUR * 0.6 + 17);
  }
  await engine.flush();
  return { engine, countCalls: () => calls };
}

const WINDOWS = [
  "",
  "range=1h",
  "range=7d",
  "range=30d",
  "range=all",
  `from=${NOW - 3 * 24 * HOUR + 999}&to=${NOW - 12 * HOUR - 5}`,
  `from=${NOW - 9 * 24 * HOUR}&to=${NOW - 2 * 24 * HOUR}`,
];
const FILTERS: readonly ActivityFilter[] = [
  {},
  { flowName: "etl" },
  { flowName: "missing" },
  { states: ["FAILED", "RUNNING"] },
  { flowName: "report", states: ["COMPLETED"] },
];

for (
  const [name, open] of [
    ["memory", () => createMemoryStore()],
    ["sqlite", () => createSqliteStore(":memory:")],
  ] as const
) {
  Deno.test(`activity() draws the same chart from the hourly counts as from the runs (${name})`, async (t) => {
    const store = open();
    const { engine } = await seeded(store);
    try {
      for (const search of WINDOWS) {
        const window = filterWindow(engine, parseFilters(new URLSearchParams(search)), NOW);
        for (const filter of FILTERS) {
          await t.step(`${search || "24h"} ${JSON.stringify(filter)}`, () => {
            const stored = activity(engine, window, filter);
            const counted = activity(engine, window, filter, { stored: false });
            assert.deepEqual(stored, counted);
            assert.ok(stored.buckets.length > 0);
          });
        }
      }
      // Not vacuous: the windows above hold runs.
      const week = filterWindow(engine, parseFilters(new URLSearchParams("range=7d")), NOW);
      const bars = activity(engine, week, {}).buckets.filter((b) => Object.keys(b.counts).length);
      assert.ok(bars.length > 40, `${bars.length} bars with runs`);
    } finally {
      await engine.close();
    }
  });
}

Deno.test("activity() reads whole hours from the store and counts only the partial ones", async () => {
  const { engine, countCalls } = await seeded(createSqliteStore(":memory:"));
  try {
    for (const search of ["range=7d", "range=30d", "range=all"]) {
      const window = filterWindow(engine, parseFilters(new URLSearchParams(search)), NOW);
      for (const filter of [{}, { flowName: "etl" }]) {
        const before = countCalls();
        activity(engine, window, filter);
        assert.ok(countCalls() - before <= 2, `${search}: ${countCalls() - before} counts`);
      }
    }
  } finally {
    await engine.close();
  }
});

Deno.test("activity() counts the runs of each bar for filters the hourly counts cannot answer", async () => {
  const { engine, countCalls } = await seeded(createSqliteStore(":memory:"));
  try {
    const window = filterWindow(engine, parseFilters(new URLSearchParams("range=7d")), NOW);
    const before = countCalls();
    const chart = activity(engine, window, { text: "batch-1" });
    assert.equal(countCalls() - before, chart.buckets.length);
    const runs = engine.listRuns({
      kind: "flow",
      text: "batch-1",
      createdAfter: window.since,
      createdBefore: window.until,
      limit: 1000,
    }).items;
    let total = 0;
    for (const bucket of chart.buckets) {
      for (const n of Object.values(bucket.counts)) total += n;
    }
    assert.equal(total, runs.length);
    assert.ok(total > 0 && total < 7 * 40);
  } finally {
    await engine.close();
  }
});
