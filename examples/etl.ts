/**
 * An ETL flow: extract pages in parallel with `map`, transform with a flaky
 * task that retries, and load through a subflow.
 *
 * Run it: `deno run -A main.ts run examples/etl.ts:etl --param pages=4`
 */
import { flow, getRunLogger, task } from "../sdk/mod.ts";

let transformCalls = 0;

const extract = task({ name: "extract" }, async (page: number) => {
  await Promise.resolve();
  return Array.from({ length: 3 }, (_, i) => ({ id: page * 10 + i, value: (page + 1) * (i + 1) }));
});

const transform = task(
  { name: "transform", retries: 2, retryDelaySeconds: 0.05 },
  async (rows: { id: number; value: number }[]) => {
    transformCalls += 1;
    // The first attempt fails, to show retries in the history.
    if (transformCalls === 1) throw new Error("transient upstream error");
    await Promise.resolve();
    return rows.flat().map((row) => ({ ...row, value: row.value * 100 }));
  },
);

const loadBatch = task({ name: "loadBatch" }, async (rows: { id: number; value: number }[]) => {
  getRunLogger().info(`loaded ${rows.length} rows`);
  await Promise.resolve();
  return rows.length;
});

// Names are explicit so they survive bundling and compiling (see README).
const load = flow({ name: "load" }, async (rows: { id: number; value: number }[]) => {
  const half = Math.ceil(rows.length / 2);
  const counts = await Promise.all([
    loadBatch.submit(rows.slice(0, half)),
    loadBatch.submit(rows.slice(half)),
  ]);
  return counts.reduce((a, b) => a + b, 0);
});

/** Extracts `pages` pages, transforms them and loads the rows; returns the row count. */
export const etl = flow(
  { name: "etl", description: "Extract, transform, load" },
  async (pages = 3) => {
    const extracted = extract.map(Array.from({ length: pages }, (_, i) => i));
    const rows = (await Promise.all(extracted)).flat();
    const transformed = await transform(rows);
    const loaded = await load(transformed);
    getRunLogger().info(`etl finished: ${loaded} rows`);
    return loaded;
  },
);

if (import.meta.main) {
  console.log(await etl(4));
}
