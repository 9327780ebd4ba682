/**
 * Regenerates the dashboard screenshots in `docs/screenshots/` from real
 * flow runs, in headless Debian Chromium:
 *
 *     deno run -A tests/e2e/screenshots.ts
 *
 * Runs are spread over the last day by running the engine on a clock that
 * is set back before each flow, so the activity chart has some history.
 *
 * @module
 */
import { createEngine, createIdSource, createMemoryStore, systemClock } from "../../engine/mod.ts";
import { createLocalControlPlane, flow, getRunLogger, task } from "../../sdk/mod.ts";
import { createApp } from "../../server/app.ts";
import { deferred, launchBrowser } from "./_dashboard.ts";

const OUT = new URL("../../docs/screenshots/", import.meta.url);
const HOUR = 3_600_000;

let offset = 0;
const pastClock = { now: () => Date.now() + offset };
const engine = createEngine({
  store: createMemoryStore(),
  clock: pastClock,
  ids: createIdSource(),
});
const plane = createLocalControlPlane(engine, systemClock);

const extract = task(async (page: number) => {
  await new Promise((r) => setTimeout(r, 5 + page * 3));
  return Array.from({ length: 3 }, (_, i) => page * 10 + i);
}, { name: "extract" });
const transform = task(async (rows: number[]) => {
  await new Promise((r) => setTimeout(r, 8));
  return rows.map((x) => x * 100);
}, { name: "transform" });
const load = task((batches: unknown[]) => (batches as number[][]).flat().length, { name: "load" });
const notify = flow({ name: "notify" }, async (rows: number) => {
  await new Promise((r) => setTimeout(r, 4));
  getRunLogger().info(`notified: ${rows} rows`);
});
const etl = flow({ name: "etl" }, async (pages: number) => {
  const extracted = extract.map(Array.from({ length: pages }, (_, i) => i));
  const transformed = transform.map(extracted);
  const rows = await load(transformed);
  await notify(rows);
  getRunLogger().info(`etl finished: ${rows} rows`);
  return rows;
});
const report = flow({ name: "daily-report" }, async (day: number) => {
  await new Promise((r) => setTimeout(r, 12));
  if (day % 5 === 3) throw new Error("warehouse timeout");
  return day;
});
const sync = flow({ name: "crm-sync" }, async () => {
  await new Promise((r) => setTimeout(r, 20));
});

let graphRun = "";
for (let i = 0; i < 36; i++) {
  offset = -Math.round((36 - i) * 0.66 * HOUR);
  graphRun = (await etl.runWith({ plane }, 6 + (i % 4))).runId;
  if (i % 2 === 0) await report.runWith({ plane }, i);
  if (i % 3 === 0) await sync.runWith({ plane });
}
offset = 0;
graphRun = (await etl.runWith({ plane }, 8)).runId;
const gate = deferred();
const waiting = flow({ name: "crm-sync" }, async () => await gate.promise);
const running = waiting.runWith({ plane });
await engine.flush();

const stop = new AbortController();
const app = createApp({ engine, clock: systemClock, signal: stop.signal });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
const base = `http://127.0.0.1:${server.addr.port}`;
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(`${base}/`);
  await page.waitForSelector(".live-dot.on");
  await page.screenshot({ path: new URL("runs.png", OUT).pathname });
  await page.goto(`${base}/runs/${graphRun}?tab=graph`);
  await page.screenshot({ path: new URL("run_graph.png", OUT).pathname, fullPage: true });
  const dark = await browser.newPage({
    viewport: { width: 1280, height: 860 },
    colorScheme: "dark",
  });
  await dark.goto(`${base}/runs/${graphRun}?tab=timeline`);
  await dark.screenshot({ path: new URL("run_timeline_dark.png", OUT).pathname, fullPage: true });
} finally {
  await browser.close();
  gate.resolve();
  await running;
  stop.abort();
  await server.shutdown();
  await engine.close();
}
console.log(`Screenshots written to ${OUT.pathname}`);
