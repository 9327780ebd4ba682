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
import { DeploymentService, heartbeat, scheduleRuns } from "../../engine/deployments/mod.ts";
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

// Deployments made a day ago; most runs below are theirs.
offset = -25 * HOUR;
const deployments = new DeploymentService(engine);
const etlNightly = await deployments.create({
  name: "etl-nightly",
  entrypoint: "./flows/etl.ts:etl",
  description: "Loads yesterday's orders into the warehouse.",
  parameters: { pages: 6 },
  parameterSchema: { type: "object", properties: { pages: { type: "integer", minimum: 1 } } },
  tags: ["warehouse", "nightly"],
  concurrencyLimit: 1,
  formerly: ["etl"],
  schedules: [
    {
      kind: "cron",
      cron: "0 2 * * *",
      timezone: "Europe/Paris",
      active: true,
      catchup: "run_once",
    },
    {
      kind: "interval",
      intervalSeconds: 6 * 3600,
      anchor: Date.UTC(2024, 0, 1),
      timezone: "UTC",
      active: false,
      catchup: "skip",
    },
  ],
});
const reportDaily = await deployments.create({
  name: "daily-report",
  entrypoint: "./flows/report.ts:report",
  workPool: "reports",
  schedules: [{
    kind: "rrule",
    rrule: "FREQ=WEEKLY;BYDAY=MO,WE,FR",
    anchor: Date.UTC(2024, 0, 1, 7),
    timezone: "America/New_York",
    active: true,
    catchup: "skip",
  }],
});
const crmSync = await deployments.create({
  name: "crm-sync-15m",
  entrypoint: "./flows/crm.ts:sync",
  flowName: "crm-sync",
  concurrencyLimit: 2,
  collisionStrategy: "CANCEL_NEW",
  schedules: [{
    kind: "interval",
    intervalSeconds: 900,
    anchor: Date.UTC(2024, 0, 1),
    timezone: "UTC",
    active: true,
    catchup: "skip",
  }],
});
await deployments.create({
  name: "backfill-orders",
  entrypoint: "./flows/etl.ts:etl",
  paused: true,
  tags: ["manual"],
});

let graphRun = "";
for (let i = 0; i < 36; i++) {
  offset = -Math.round((36 - i) * 0.66 * HOUR);
  graphRun = (await etl.runWith({ plane, deploymentId: etlNightly.id }, 6 + (i % 4))).runId;
  if (i % 2 === 0) await report.runWith({ plane, deploymentId: reportDaily.id }, i);
  if (i % 3 === 0) await sync.runWith({ plane, deploymentId: crmSync.id });
}
offset = 0;
await scheduleRuns(engine);
await heartbeat(engine, { id: "worker-7f3a", pool: "default", name: "etl-box-1" });
await heartbeat(engine, { id: "worker-19c2", pool: "reports", name: "reports-box" });
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
  await page.goto(`${base}/deployments`);
  await page.waitForSelector(".live-dot.on");
  await page.screenshot({ path: new URL("deployments.png", OUT).pathname });
  await page.goto(`${base}/deployments/etl-nightly`);
  await page.selectOption('select[name="kind"]', "cron");
  await page.fill('input[name="value"]', "30 6 * * 1-5");
  await page.fill('input[name="timezone"]', "Asia/Tokyo");
  await page.click('button[value="preview"]');
  await page.waitForSelector(".preview li");
  // Down to the quick-run form; the runs table below is the runs page's.
  const form = (await page.locator("#run").boundingBox())!;
  await page.screenshot({
    path: new URL("deployment.png", OUT).pathname,
    fullPage: true,
    clip: { x: 0, y: 0, width: 1280, height: Math.ceil(form.y + form.height + 40) },
  });
} finally {
  await browser.close();
  gate.resolve();
  await running;
  stop.abort();
  await server.shutdown();
  await engine.close();
}
console.log(`Screenshots written to ${OUT.pathname}`);
