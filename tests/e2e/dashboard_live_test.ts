/**
 * The run page stays current without a reload: every region (header,
 * actions, task table, timeline, graph, artifacts) follows the run, even
 * when the page was opened before the first task run existed, and each
 * change fetches only the regions it made stale.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createProgressArtifact, flow, task, updateProgressArtifact } from "../../sdk/mod.ts";
import { BROWSER_TEST, deferred, openDashboard, until } from "./_dashboard.ts";

/** Marks the page, so a reload (which clears the mark) fails the test. */
async function mark(page: Page): Promise<void> {
  await page.waitForSelector(".live-dot.on");
  await page.evaluate(() => (globalThis as { marker?: number }).marker = 1);
}

async function unreloaded(page: Page): Promise<boolean> {
  return await page.evaluate(() => (globalThis as { marker?: number }).marker) === 1;
}

/** Page requests other than the region fragments and the stream, after `mark()`. */
function pageFetches(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.includes("/regions/") || url.pathname.startsWith("/api/stream/")) return;
    if (request.resourceType() === "fetch") urls.push(url.pathname + url.search);
  });
  return urls;
}

Deno.test({
  name: "dashboard: a run page opened before the first task fills every tab live",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const start = deferred();
    const half = deferred();
    const finish = deferred();
    const double = task((x: number) => x * 2, { name: "double" });
    const live = flow({ name: "live-regions" }, async () => {
      const progress = await createProgressArtifact(0, { key: "load-progress" });
      await start.promise;
      await double(1);
      await updateProgressArtifact(progress, 50);
      await half.promise;
      await double(2);
      await updateProgressArtifact(progress, 100);
      await finish.promise;
    });
    const outcome = live.runWith({ plane: d.plane });
    await until(() => d.engine.listRuns({ kind: "flow" }).items.length === 1, "the run");
    const runId = d.engine.listRuns({ kind: "flow" }).items[0]!.id;
    await until(() => d.engine.getRun(runId)?.state === "RUNNING", "the run to start");

    const tabs = ["tasks", "timeline", "graph", "artifacts"] as const;
    const pages = new Map<string, Page>();
    const problems: string[] = [];
    const fetched: string[] = [];
    for (const tab of tabs) {
      const page = await d.browser.newPage();
      page.on("pageerror", (error) => problems.push(`${tab}: ${error.message}`));
      fetched.push(...pageFetches(page));
      await page.goto(`${d.base}/runs/${runId}?tab=${tab}`);
      await mark(page);
      pages.set(tab, page);
    }
    const tasksPage = pages.get("tasks")!;
    await tasksPage.waitForSelector("text=No task runs yet");
    await pages.get("timeline")!.waitForSelector("text=Nothing on the timeline yet");
    await pages.get("graph")!.waitForSelector("text=No tasks to draw yet");
    await pages.get("artifacts")!.waitForSelector('[data-live="body"] progress[value="0"]');

    const began = performance.now();
    start.resolve();
    await tasksPage.waitForSelector("tr[data-run-id] >> text=double-0", { timeout: 10_000 });
    const taskLatency = performance.now() - began;
    await pages.get("timeline")!.waitForSelector('svg[data-chart="timeline"] rect.bar');
    await pages.get("graph")!.waitForSelector('g[data-node^="double"]');
    await pages.get("artifacts")!.waitForSelector('progress[value="50"]');

    const second = performance.now();
    half.resolve();
    await pages.get("artifacts")!.waitForSelector('progress[value="100"]');
    const artifactLatency = performance.now() - second;
    await tasksPage.waitForSelector("text=double-1");
    assert.match(await tasksPage.locator('[data-tab="tasks"] .n').textContent() ?? "", /^2$/);

    finish.resolve();
    await outcome;
    for (const page of pages.values()) {
      await page.waitForSelector(`.badge.big[data-state="COMPLETED"]`);
      assert.ok(await unreloaded(page), "the page was reloaded");
    }
    // The run ended: the actions region drops the cancel form.
    await tasksPage.locator("text=Cancel run").waitFor({ state: "detached", timeout: 10_000 });
    assert.deepEqual(fetched, [], "only region fragments are fetched");
    assert.deepEqual(problems, []);
    console.log(
      `live latency: first task row ${taskLatency.toFixed(0)} ms, ` +
        `progress artifact 50→100 ${artifactLatency.toFixed(0)} ms`,
    );
  },
});

Deno.test({
  name: "dashboard: without JavaScript the run page renders every region in place",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const double = task((x: number) => x * 2, { name: "double" });
    const done = flow({ name: "plain" }, async () => {
      await createProgressArtifact(100, { key: "done" });
      return await double(3);
    });
    const { runId } = await done.runWith({ plane: d.plane });
    await d.engine.flush();
    const context = await d.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${d.base}/runs/${runId}`);
    assert.equal(await page.locator("tr[data-run-id]").count(), 1);
    await page.click('a[data-tab="artifacts"]');
    await page.waitForSelector('progress[value="100"]');
    assert.equal(await page.locator("[data-live]").count(), 4);
    await context.close();
  },
});
