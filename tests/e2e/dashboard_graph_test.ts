/**
 * The run graph at scale in a real browser: a 2,000-task map expands to one
 * square per task run (failed ones link to their task run), and the view
 * zooms, pans and fits.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Engine, RunRecord } from "../../engine/mod.ts";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";

/** A finished flow run: `n` mapped "item" task runs feeding one "total"; every 100th fails. */
async function seedMap(engine: Engine, n: number): Promise<{ run: RunRecord; failed: string }> {
  const run = await engine.createFlowRun({ name: "big-map" });
  await engine.propose(run.id, { to: "RUNNING", token: "start", kind: "start" });
  const items = await Promise.all(Array.from({ length: n }, (_, i) =>
    engine.createTaskRun({
      name: "item",
      parentId: run.id,
      rootId: run.id,
      runName: `item-${i}`,
      taskKey: "item#0",
      mapIndex: i,
    })));
  const total = await engine.createTaskRun({
    name: "total",
    parentId: run.id,
    rootId: run.id,
    taskKey: "total#0",
    upstream: items.slice(0, 50).map((item) => ({ runId: item.id, kind: "data" as const })),
  });
  await Promise.all(
    [...items, total].map((task, i) =>
      engine.propose(task.id, { to: "RUNNING", token: `s${i}`, kind: "start" })
    ),
  );
  await Promise.all([...items, total].map((task, i) =>
    engine.propose(task.id, {
      to: i % 100 === 99 ? "FAILED" : "COMPLETED",
      token: `e${i}`,
      kind: "finish",
    })
  ));
  await engine.flush();
  return { run, failed: items[99]!.id };
}

async function viewBox(page: Page): Promise<number[]> {
  const box = await page.getAttribute('svg[data-chart="graph"]', "viewBox");
  return (box ?? "").split(" ").map(Number);
}

Deno.test({
  name: "dashboard: a 2,000-task map expands to squares, and the graph zooms, pans and fits",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const { run, failed } = await seedMap(d.engine, 2_000);
    const page = await d.browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${d.base}/runs/${run.id}?tab=graph`);
    await page.click("text=Expand mapped tasks");
    await page.waitForURL(/graph=expanded/);
    assert.match(await page.locator(".legend").textContent() ?? "", /2,001 task runs: one square/);
    assert.equal(await page.locator("a[data-cell]").count(), 20, "one link per failed square");
    await page.waitForSelector("[data-graph-tools]:not([hidden])");

    const fit = await viewBox(page);
    await page.click('button[data-zoom="in"]');
    const zoomed = await viewBox(page);
    assert.ok(zoomed[2]! < fit[2]! * 0.8, `zoomed in: ${zoomed} from ${fit}`);

    const svg = page.locator('svg[data-chart="graph"]');
    const area = (await svg.boundingBox())!;
    await page.mouse.move(area.x + area.width / 2, area.y + area.height / 2);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width / 2 - 120, area.y + area.height / 2, { steps: 5 });
    await page.mouse.up();
    const panned = await viewBox(page);
    assert.ok(panned[0]! > zoomed[0]!, `dragging left moves the view right: ${panned}`);
    assert.equal(panned[2], zoomed[2], "a pan keeps the zoom");

    await page.mouse.wheel(0, 300);
    // The wheel reaches the page through the browser's input queue, after
    // wheel() returns: wait for the zoom (a timeout fails the test).
    await page.waitForFunction(
      (width) =>
        Number(
          document.querySelector('svg[data-chart="graph"]')?.getAttribute("viewBox")?.split(" ")[2],
        ) > width,
      panned[2]!,
      { timeout: 10_000 },
    );
    await page.click('button[data-zoom="fit"]');
    assert.deepEqual(await viewBox(page), fit);

    await page.click(`a[data-cell="${failed}"]`);
    await page.waitForSelector("h1:text('item-99')");
    assert.deepEqual(problems, []);
  },
});
