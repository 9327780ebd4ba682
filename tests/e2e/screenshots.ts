/**
 * Regenerates the dashboard screenshots in `docs/screenshots/` from real
 * flow runs, in headless Debian Chromium: every page in the light and dark
 * themes, on a desktop (1280 px) and a phone (390 px), named
 * `<page>-<light|dark>-<desktop|phone>.png`.
 *
 *     deno run -A tests/e2e/screenshots.ts [--out DIR] [--only PAGE,...]
 *
 * `--out` writes elsewhere (e.g. a temporary folder, to check the script
 * without touching the committed images); `--only` takes some pages.
 *
 * Runs are spread over the last day by running the engine on a clock that
 * is set back before each flow, so the activity chart has some history.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Page } from "playwright-core";
import {
  acquireSlots,
  createConcurrencyLimit,
  createEngine,
  createIdSource,
  createMemoryStore,
  systemClock,
} from "../../engine/mod.ts";
import { DeploymentService, heartbeat, scheduleRuns } from "../../engine/deployments/mod.ts";
import {
  createLocalControlPlane,
  createMarkdownArtifact,
  flow,
  getRunLogger,
  task,
} from "../../sdk/mod.ts";
import { createApp } from "../../server/app.ts";
import { saveAutomation } from "../../server/api/automations.ts";
import { runFiringActions } from "../../server/services/automation_actions.ts";
import { evaluateAutomations } from "../../engine/automations/mod.ts";
import { appendEvents } from "../../engine/events/mod.ts";
import { SecretCipher, SecretService } from "../../engine/secrets/mod.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import { deferred, launchBrowser } from "./_dashboard.ts";

const args = parseArgs({
  args: Deno.args,
  options: { out: { type: "string" }, only: { type: "string" } },
});
const OUT = args.values.out === undefined
  ? new URL("../../docs/screenshots/", import.meta.url).pathname
  : `${args.values.out.replace(/\/+$/, "")}/`;
await Deno.mkdir(OUT, { recursive: true });
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
  await createMarkdownArtifact(
    `# Load\n\n| pages | rows |\n| --- | --- |\n| ${pages} | ${rows} |`,
    {
      key: "etl-summary",
    },
  );
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

// The catalog pages: a variable, a secret (its value is never shown), custom
// events and an automation that fired on one of them.
const secretCipher = await SecretCipher.fromKey("screenshots-secret-key-0123456789");
await new VariableService({ engine, clock: systemClock }).set("warehouse", {
  schema: "analytics",
  batch_rows: 5000,
});
await new SecretService({ engine, clock: systemClock, cipher: secretCipher })
  .set("crm-token", "not shown anywhere");
await saveAutomation(engine, {
  name: "ingest-on-landing",
  trigger: { type: "event", match: ["acme.file.landed"] },
  actions: [{ type: "run-deployment", deployment: "etl-nightly", parameters: { pages: 2 } }],
}, { replace: false, now: Date.now() });
await evaluateAutomations(engine, { now: Date.now() });
await engine.transact((tx) =>
  appendEvents(tx, [
    {
      event: "acme.file.landed",
      resource: "acme.bucket.raw",
      payload: { file: "orders-2024-05-01.csv", rows: 1204 },
    },
    { event: "acme.report.sent", resource: "acme.report.daily", payload: { to: "ops" } },
  ], { now: Date.now() })
);
await evaluateAutomations(engine, { now: Date.now() });
await runFiringActions(engine, { now: Date.now() });

const stop = new AbortController();
const app = createApp({ engine, clock: systemClock, signal: stop.signal, secretCipher });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
const base = `http://127.0.0.1:${server.addr.port}`;
await createConcurrencyLimit(engine, { name: "tag:warehouse", limit: 4 });
await createConcurrencyLimit(engine, { name: "crm-api", limit: 10, slotDecayPerSecond: 0.5 });
await acquireSlots(engine, systemClock, { names: ["tag:warehouse"], occupy: 3 });
const taskRun = engine.listRuns({ kind: "task", limit: 1 }).items[0]!.id;

/** One page to capture: its file name, its path, and what to do before the shot. */
interface Shot {
  name: string;
  path: string;
  prepare?: (page: Page) => Promise<unknown>;
}

const SHOTS: Shot[] = [
  { name: "runs", path: "/", prepare: (page) => page.waitForSelector(".live-dot.on") },
  { name: "run", path: `/runs/${graphRun}` },
  { name: "run-timeline", path: `/runs/${graphRun}?tab=timeline` },
  { name: "run-graph", path: `/runs/${graphRun}?tab=graph` },
  { name: "run-logs", path: `/runs/${graphRun}?tab=logs` },
  { name: "run-events", path: `/runs/${graphRun}?tab=events` },
  { name: "run-artifacts", path: `/runs/${graphRun}?tab=artifacts` },
  { name: "task-run", path: `/runs/${taskRun}` },
  { name: "flows", path: "/flows" },
  { name: "flow", path: "/flows/etl" },
  { name: "deployments", path: "/deployments" },
  {
    name: "deployment",
    path: "/deployments/etl-nightly",
    prepare: async (page) => {
      await page.selectOption('select[name="kind"]', "cron");
      await page.fill('input[name="value"]', "30 6 * * 1-5");
      await page.fill('input[name="timezone"]', "Asia/Tokyo");
      await page.click('button[value="preview"]');
      await page.waitForSelector(".preview li");
    },
  },
  {
    name: "deployment-settings",
    path: "/deployments/etl-nightly#settings",
    prepare: async (page) => {
      await page.click("#settings > summary");
      await page.locator("#settings").scrollIntoViewIfNeeded();
    },
  },
  { name: "work-pools", path: "/work-pools" },
  { name: "work-pool", path: "/work-pools/default" },
  { name: "concurrency-limits", path: "/concurrency-limits" },
  { name: "artifacts", path: "/artifacts" },
  { name: "artifact", path: "/artifacts/etl-summary" },
  { name: "events", path: "/events" },
  { name: "automations", path: "/automations" },
  { name: "automation", path: "/automations/ingest-on-landing" },
  { name: "variables", path: "/variables" },
  { name: "secrets", path: "/secrets" },
];
const SCREENS = [
  { name: "desktop", viewport: { width: 1280, height: 860 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;
const SCHEMES = ["light", "dark"] as const;
/** Tallest image; longer pages are cut there. */
const MAX_HEIGHT = 2_400;

const only = args.values.only?.split(",").map((name) => name.trim());
const shots = only ? SHOTS.filter((shot) => only.includes(shot.name)) : SHOTS;
const unknown = (only ?? []).filter((name) => !SHOTS.some((shot) => shot.name === name));
if (unknown.length > 0) {
  throw new RangeError(
    `Unknown page "${unknown[0]}" in --only: pick from ${SHOTS.map((s) => s.name).join(", ")}`,
  );
}

const browser = await launchBrowser();
let written = 0;
try {
  for (const screen of SCREENS) {
    for (const colorScheme of SCHEMES) {
      const context = await browser.newContext({ viewport: screen.viewport, colorScheme });
      const page = await context.newPage();
      for (const shot of shots) {
        await page.goto(base + shot.path);
        await shot.prepare?.(page);
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.screenshot({
          path: `${OUT}${shot.name}-${colorScheme}-${screen.name}.png`,
          fullPage: true,
          clip: {
            x: 0,
            y: 0,
            width: screen.viewport.width,
            height: Math.min(Math.max(height, screen.viewport.height), MAX_HEIGHT),
          },
        });
        written += 1;
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  gate.resolve();
  await running;
  stop.abort();
  await server.shutdown();
  await engine.close();
}
console.log(`${written} screenshots written to ${OUT}`);
