/**
 * Dashboard render time of two checkouts of the project in one process: the
 * runs page at `--runs` flow runs and the run page of a run with 10,000 task
 * runs, on copies of one seeded SQLite file, requests interleaved, medians
 * and their ratio (head ÷ base: below 1.0 is faster).
 *
 * Run with `deno run -A bench/ui_render_compare.ts --base ../old --head . [--runs 1000000] [--reps 31]`.
 * The seed (about 500 MB at 1M runs) is kept in `bench/.data/` and reused.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    head: { type: "string", default: "." },
    runs: { type: "string", default: "1000000" },
    reps: { type: "string", default: "31" },
  },
});
if (!values.base) {
  console.error("Usage: deno run -A bench/ui_render_compare.ts --base DIR --head DIR [--runs N]");
  Deno.exit(2);
}
const runs = Number(values.runs);
const reps = Number(values.reps);
const tree = (dir: string, path: string) => pathToFileURL(resolve(dir, path)).href;

// deno-lint-ignore no-explicit-any
type Module = any;
async function appOf(dir: string, db: string): Promise<Module> {
  const engine: Module = await import(tree(dir, "engine/mod.ts"));
  const { createApp }: Module = await import(tree(dir, "server/app.ts"));
  const { BENCH_NOW }: Module = await import(tree(dir, "bench/ui_seed.ts"));
  const clock = new engine.FakeClock(BENCH_NOW);
  const store = engine.createSqliteStore(db);
  return createApp({
    engine: engine.createEngine({ store, clock, ids: new engine.SequentialIds("b") }),
    clock,
  });
}

// Seeded by the base (older) tree: the head migrates its own copy forward.
const data = new URL("./.data/", import.meta.url).pathname;
await Deno.mkdir(data, { recursive: true });
const basePath = `${data}ui_compare_base_${runs}.db`;
const headPath = `${data}ui_compare_head_${runs}.db`;
let seed: { detailRunId: string };
try {
  seed = JSON.parse(await Deno.readTextFile(`${basePath}.json`));
} catch {
  const { seedUiBench }: Module = await import(tree(values.base, "bench/ui_seed.ts"));
  seed = await seedUiBench(basePath, { runs, detailTasks: 10_000 });
  await Deno.writeTextFile(`${basePath}.json`, JSON.stringify(seed));
}
for (const ext of ["", "-wal", "-shm"]) {
  await Deno.copyFile(basePath + ext, headPath + ext).catch(() => {});
}
const base = await appOf(values.base, basePath);
const head = await appOf(values.head, headPath);

async function time(app: Module, url: string): Promise<number> {
  const started = performance.now();
  const res = await app.request(url);
  await res.text();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - started;
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const run = `/runs/${seed.detailRunId}`;
const pages = ["/", "/?range=all", "/?range=all&state=FAILED", run, `${run}?tab=graph`];
pages.push(`${run}?tab=timeline`, `${run}?tab=logs`);
console.log(
  `${runs.toLocaleString("en-US")} flow runs, a run of 10,000 task runs; medians of ${reps}`,
);
for (const page of pages) {
  await time(base, page);
  await time(head, page);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < reps; i++) {
    // Alternate which goes first, so neither always finds the caches warm.
    if (i % 2) {
      a.push(await time(base, page));
      b.push(await time(head, page));
    } else {
      b.push(await time(head, page));
      a.push(await time(base, page));
    }
  }
  const label = page.replace(seed.detailRunId, "{id}").padEnd(30);
  console.log(
    `${label} base ${median(a).toFixed(1)} ms  head ${median(b).toFixed(1)} ms  head/base ${
      (median(b) / median(a)).toFixed(2)
    }`,
  );
}
Deno.exit(0);
