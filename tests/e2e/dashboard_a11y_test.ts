/**
 * Every dashboard page, light and dark, on a desktop and on a 390 px phone:
 * axe-core finds no critical or serious accessibility violation, and no page
 * scrolls sideways on the phone.
 */
import assert from "node:assert/strict";
import axe from "axe-core";
import type { Browser, Page } from "playwright-core";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";
import { dashboardPaths, seedDashboard } from "./_dashboard_pages.ts";

const SCREENS = [
  { name: "desktop", viewport: { width: 1280, height: 900 } },
  { name: "phone", viewport: { width: 390, height: 844 } },
] as const;
const SCHEMES = ["light", "dark"] as const;

interface Finding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Opens every `details` (confirmation steps, settings forms) so their content is checked too. */
async function openAllDetails(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const details of document.querySelectorAll("details")) details.open = true;
  });
}

/** Serious and critical axe findings on each path, as "path: rule (targets)" lines. */
async function auditPages(
  browser: Browser,
  base: string,
  paths: readonly string[],
  options: { colorScheme: "light" | "dark"; viewport: { width: number; height: number } },
): Promise<string[]> {
  // The pages forbid inline scripts (CSP); the audit alone may inject axe.
  const context = await browser.newContext({ ...options, bypassCSP: true });
  const page = await context.newPage();
  const problems: string[] = [];
  try {
    for (const path of paths) {
      await page.goto(base + path);
      await openAllDetails(page);
      await page.addScriptTag({ content: axe.source });
      const findings = await page.evaluate(async () => {
        const run = (globalThis as unknown as {
          axe: { run(): Promise<{ violations: Finding[] }> };
        }).axe.run;
        const { violations } = await run();
        return violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          targets: (v as unknown as { nodes: { target: string[] }[] }).nodes
            .slice(0, 3).map((n) => n.target.join(" ")),
        }));
      });
      for (const f of findings) {
        if (f.impact === "critical" || f.impact === "serious") {
          problems.push(`${path}: ${f.id} [${f.impact}] ${f.help} (${f.targets.join(", ")})`);
        }
      }
    }
  } finally {
    await context.close();
  }
  return problems;
}

Deno.test({
  name: "dashboard: axe finds no critical or serious violation on any page, light and dark",
  ...BROWSER_TEST,
  async fn(t) {
    await using d = await openDashboard();
    const { runId } = await seedDashboard(d);
    const paths = await dashboardPaths(d.browser, d.base, runId);
    assert.ok(paths.length >= 10, `too few pages found: ${paths.join(", ")}`);
    for (const screen of SCREENS) {
      for (const colorScheme of SCHEMES) {
        await t.step(`${screen.name}, ${colorScheme}`, async () => {
          const problems = await auditPages(d.browser, d.base, paths, {
            colorScheme,
            viewport: screen.viewport,
          });
          assert.deepEqual(problems, []);
        });
      }
    }
  },
});

Deno.test({
  name: "dashboard: no page scrolls sideways on a 390 px phone",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const { runId } = await seedDashboard(d);
    const paths = await dashboardPaths(d.browser, d.base, runId);
    const context = await d.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const wide: string[] = [];
    for (const path of paths) {
      await page.goto(d.base + path);
      await openAllDetails(page);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${path}: ${width}px`);
    }
    await context.close();
    assert.deepEqual(wide, []);
  },
});
