/**
 * Every page of the dashboard, for the tests that check all of them
 * (accessibility, narrow screens): the pages the top navigation links to,
 * found by reading the navigation, plus one page of each detail kind
 * (a run on each of its tabs, a flow, a deployment, a work pool, an
 * artifact key, an automation, a 404).
 *
 * @module
 */
import type { Browser } from "playwright-core";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { evaluateAutomations } from "../../engine/automations/mod.ts";
import { appendEvents } from "../../engine/events/mod.ts";
import { acquireSlots, createConcurrencyLimit, systemClock } from "../../engine/mod.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import { saveAutomation } from "../../server/api/automations.ts";
import { runFiringActions } from "../../server/services/automation_actions.ts";
import { createMarkdownArtifact, flow, getRunLogger, task } from "../../sdk/mod.ts";
import type { Dashboard } from "./_dashboard.ts";

const step = task((x: number) => x * 2, { name: "step" });
const seeded = flow({ name: "seeded" }, async (n: number) => {
  getRunLogger().info("seeding the dashboard");
  await createMarkdownArtifact("# Done\n\nAll rows.", { key: "summary" });
  return (await Promise.all(Array.from({ length: n }, (_, i) => step(i)))).length;
});
const broken = flow({ name: "broken" }, () => {
  throw new Error("broken on purpose");
});

/**
 * Fills the dashboard with a run of each outcome, a deployment, a work pool,
 * a concurrency limit with a slot held, a custom event, a variable and an
 * automation that fired.
 */
export async function seedDashboard(d: Dashboard): Promise<{ runId: string }> {
  await new VariableService({ engine: d.engine, clock: systemClock })
    .set("batch_size", { rows: 500 });
  await saveAutomation(d.engine, {
    name: "on-landing",
    trigger: { type: "event", match: ["acme.file.landed"] },
    actions: [{ type: "emit-event", event: "acme.seen", resource: "acme.x" }],
  }, { replace: false, now: Date.now() });
  await evaluateAutomations(d.engine, { now: Date.now() });
  await d.engine.transact((tx) =>
    appendEvents(tx, [{
      event: "acme.file.landed",
      resource: "acme.bucket.raw",
      payload: { file: "a.csv", rows: 12 },
    }], { now: Date.now() })
  );
  await evaluateAutomations(d.engine, { now: Date.now() });
  await runFiringActions(d.engine, { now: Date.now() });
  const ok = await seeded.runWith({ plane: d.plane }, 3);
  await broken.runWith({ plane: d.plane }).catch(() => undefined);
  await new DeploymentService(d.engine).create({
    name: "etl-daily",
    entrypoint: "./flows/etl.ts:etl",
    workPool: "default-pool",
    parameters: { pages: 2 },
    parameterSchema: {
      type: "object",
      properties: { pages: { type: "integer", minimum: 1 } },
      required: ["pages"],
    },
    schedules: [{
      kind: "cron",
      cron: "0 6 * * *",
      timezone: "Europe/Paris",
      active: true,
      catchup: "skip",
    }],
  });
  await createConcurrencyLimit(d.engine, { name: "warehouse", limit: 3 });
  await acquireSlots(d.engine, systemClock, { names: ["warehouse"] });
  return { runId: ok.runId };
}

/** Paths of every page kind: the navigation's targets and their detail pages. */
export async function dashboardPaths(
  browser: Browser,
  base: string,
  runId: string,
): Promise<string[]> {
  const page = await browser.newPage();
  try {
    await page.goto(`${base}/`);
    const nav = await page.locator("header nav a[href]").evaluateAll((links) =>
      links.map((a) => a.getAttribute("href") ?? "")
    );
    await page.goto(`${base}/runs/${runId}`);
    const tabs = await page.locator("nav.tabs a[href]").evaluateAll((links) =>
      links.map((a) => a.getAttribute("href") ?? "")
    );
    const details = [
      "/flows/seeded",
      "/deployments/etl-daily",
      "/work-pools/default-pool",
      "/artifacts/summary",
      "/automations/on-landing",
      "/runs/no-such-run",
    ];
    return [...new Set([...nav, ...tabs, ...details])].filter((p) => p.startsWith("/"));
  } finally {
    await page.close();
  }
}
