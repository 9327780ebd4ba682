/**
 * Dashboard render benchmark: server time of the runs page and of a run page
 * with 10,000 task runs, through the real app (`createApp().request()`) on a
 * SQLite store, against a bare `listRuns()` query of the same store as the
 * baseline of each group (so `deno bench` prints ratios).
 *
 * Run with `deno bench -A bench/ui_render_bench.ts`. The store holds
 * `IRONFLOW_UI_BENCH_RUNS` flow runs (default 100,000; the target is
 * 1,000,000) spread over 30 days, and one flow run with
 * `IRONFLOW_UI_BENCH_TASKS` task runs (default 10,000). The seeded file is
 * kept in `bench/.data/` and reused by later runs (seeding 1,000,000 runs
 * takes ~10 s; a file of an older schema is migrated when opened).
 *
 * Activity chart at 1,000,000 flow runs, before and after it read the
 * store's hourly counts (SQLite migration 7), both measured in one session on
 * a shared 2-core machine (Deno 2.9.6); mean page time, and in brackets the
 * ratio to the `listRuns()` baseline of the same run (~260 µs in both):
 *
 * | page                             | before         | after        | after, 10,000 runs |
 * | -------------------------------- | -------------- | ------------ | ------------------ |
 * | GET / (24 hours: 30-minute bars) | 8.0 ms (30×)   | 7.6 ms (29×) | 5.5 ms (21×)       |
 * | GET /?range=7d                   | 18.6 ms (71×)  | 5.4 ms (21×) | 4.4 ms (16×)       |
 * | GET /?range=30d                  | 60.5 ms (230×) | 6.1 ms (24×) | 4.8 ms (18×)       |
 * | GET /?range=all                  | 62.3 ms (237×) | 6.3 ms (24×) | 5.0 ms (19×)       |
 * | GET /?range=7d&flow=flow-03      | 10.0 ms (38×)  | 2.8 ms (11×) | 1.7 ms (6×)        |
 * | GET /?range=all&flow=flow-03     | 83.5 ms (317×) | 3.0 ms (12×) | 1.8 ms (7×)        |
 * | GET /?range=all&state=FAILED     | 60.8 ms (231×) | 4.1 ms (16×) | 2.6 ms (10×)       |
 *
 * Bars of whole hours cost one read of the hourly counts plus two indexed
 * counts of the window's partial first and last hour; the 1-hour and 24-hour
 * windows (bars shorter than an hour) still count each bar's runs from the
 * (state, created_at) index. Opening the 1,000,000-run file of schema 6
 * migrated it (backfilling the counts) in ~2.3 s, once.
 *
 * @module
 */
import { createEngine, createSqliteStore, FakeClock, SequentialIds } from "../engine/mod.ts";
import { createApp } from "../server/app.ts";
import { BENCH_NOW, seedUiBench } from "./ui_seed.ts";

const RUNS = Number(Deno.env.get("IRONFLOW_UI_BENCH_RUNS") ?? 100_000);
const TASKS = Number(Deno.env.get("IRONFLOW_UI_BENCH_TASKS") ?? 10_000);
const dir = new URL("./.data/", import.meta.url).pathname;
const path = `${dir}ui_bench_${RUNS}_${TASKS}.db`;
const done = `${path}.json`;

Deno.mkdirSync(dir, { recursive: true });
let seed: { detailRunId: string };
try {
  seed = JSON.parse(Deno.readTextFileSync(done));
} catch {
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      Deno.removeSync(path + suffix);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const started = performance.now();
  seed = await seedUiBench(path, { runs: RUNS, detailTasks: TASKS });
  Deno.writeTextFileSync(done, JSON.stringify(seed));
  console.log(`Seeded ${RUNS} flow runs in ${Math.round(performance.now() - started)} ms`);
}

const store = createSqliteStore(path);
const clock = new FakeClock(BENCH_NOW);
const engine = createEngine({ store, clock, ids: new SequentialIds("bench") });
const app = createApp({ engine, clock });
addEventListener("unload", () => store.close());

async function page(url: string): Promise<void> {
  const res = await app.request(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  await res.arrayBuffer();
}

const RUNS_GROUP = `runs page, ${RUNS.toLocaleString("en-US")} flow runs`;
Deno.bench({
  name: "listRuns(): one page of 50 flow runs (baseline)",
  group: RUNS_GROUP,
  baseline: true,
  fn() {
    engine.listRuns({ kind: "flow", limit: 50 });
  },
});
for (
  const [name, url] of [
    ["GET / (last 24 hours)", "/"],
    ["GET /?state=FAILED", "/?state=FAILED"],
    ["GET /?state=FAILED&state=CRASHED", "/?state=FAILED&state=CRASHED"],
    ["GET /?flow=flow-03", "/?flow=flow-03"],
    ["GET /?q=run-99 (text search)", "/?q=run-99"],
    ["GET /?range=7d", "/?range=7d"],
    ["GET /?range=30d", "/?range=30d"],
    ["GET /?range=all", "/?range=all"],
    ["GET /?range=7d&flow=flow-03", "/?range=7d&flow=flow-03"],
    ["GET /?range=all&flow=flow-03", "/?range=all&flow=flow-03"],
    ["GET /?range=all&state=FAILED", "/?range=all&state=FAILED"],
  ] as const
) {
  Deno.bench({ name, group: RUNS_GROUP, n: 30, warmup: 3, fn: () => page(url) });
}

const DETAIL_GROUP = `run page, ${TASKS.toLocaleString("en-US")} task runs`;
const run = `/runs/${seed.detailRunId}`;
Deno.bench({
  name: "listRuns(): first 100 task runs (baseline)",
  group: DETAIL_GROUP,
  baseline: true,
  fn() {
    engine.listRuns({
      kind: "task",
      parentId: seed.detailRunId,
      sort: "created",
      order: "asc",
      limit: 100,
    });
  },
});
for (
  const [name, url] of [
    ["GET task runs tab", run],
    ["GET task runs tab, FAILED only", `${run}?state=FAILED`],
    ["GET task runs tab, longest first", `${run}?sort=duration&order=desc`],
    ["GET body region of the task runs tab", `${run}/regions/body`],
    ["GET graph tab (map folded)", `${run}?tab=graph`],
    ["GET graph tab, expanded (one square per task run)", `${run}?tab=graph&graph=expanded`],
    ["GET timeline tab (first 150 task runs)", `${run}?tab=timeline`],
    ["GET logs tab (500 lines)", `${run}?tab=logs`],
    ["GET events tab", `${run}?tab=events`],
  ] as const
) {
  Deno.bench({ name, group: DETAIL_GROUP, n: 30, warmup: 3, fn: () => page(url) });
}
