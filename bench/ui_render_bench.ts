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
 * kept in `bench/.data/` and reused by later runs.
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
    ["GET graph tab (map folded)", `${run}?tab=graph`],
    ["GET graph tab, expanded asked (too many: stays folded)", `${run}?tab=graph&graph=expanded`],
    ["GET timeline tab (first 150 task runs)", `${run}?tab=timeline`],
    ["GET logs tab (500 lines)", `${run}?tab=logs`],
    ["GET events tab", `${run}?tab=events`],
  ] as const
) {
  Deno.bench({ name, group: DETAIL_GROUP, n: 30, warmup: 3, fn: () => page(url) });
}
