/**
 * Finding the failing task among 10,000 in a real browser: the state filter
 * and sort of the task runs tab, and the task run page it leads to.
 */
import assert from "node:assert/strict";
import type { Engine, RunRecord } from "../../engine/mod.ts";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";

/** A finished flow run with `n` task runs, every `failEvery`th of them FAILED. */
async function seedRun(engine: Engine, n: number, failEvery: number): Promise<RunRecord> {
  const run = await engine.createFlowRun({ name: "big-map" });
  await engine.propose(run.id, { to: "RUNNING", token: "start", kind: "start" });
  const tasks = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      engine.createTaskRun({
        name: "item",
        parentId: run.id,
        rootId: run.id,
        runName: `item-${i}`,
        mapIndex: i,
      })),
  );
  await Promise.all(
    tasks.map((task, i) =>
      engine.propose(task.id, { to: "RUNNING", token: `s${i}`, kind: "start" })
    ),
  );
  await Promise.all(tasks.map((task, i) => {
    const failed = i % failEvery === failEvery - 1;
    return engine.propose(task.id, {
      to: failed ? "FAILED" : "COMPLETED",
      token: `e${i}`,
      kind: failed ? "fail" : "complete",
      ...(failed ? { data: { message: `item ${i} is malformed` } } : {}),
    });
  }));
  await engine.propose(run.id, { to: "FAILED", token: "end", kind: "fail" });
  await engine.flush();
  return run;
}

Deno.test({
  name: "dashboard: the state filter finds the 100 failed task runs among 10,000 on one page",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const run = await seedRun(d.engine, 10_000, 100);
    const page = await d.browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${d.base}/runs/${run.id}`);
    assert.equal(await page.locator('[data-tab="tasks"] .n').textContent(), "10,000");
    assert.equal(await page.locator("tbody tr[data-run-id]").count(), 100);

    await page.selectOption('select[name="state"]', "FAILED");
    await page.waitForURL(/state=FAILED/, { timeout: 10_000 });
    const rows = page.locator("tbody tr[data-run-id]");
    assert.equal(await rows.count(), 100);
    assert.deepEqual(
      [...new Set(await page.locator("tbody tr[data-run-id] .badge").allTextContents())],
      ["Failed"],
    );
    assert.equal(await page.locator("text=Next").count(), 0, "all on one page");

    await page.selectOption('select[name="sort"]', "name");
    await page.waitForURL(/sort=name/, { timeout: 10_000 });
    assert.match(page.url(), /state=FAILED/);
    assert.equal(await rows.first().locator("td a").first().textContent(), "item-1099");

    await rows.first().locator("td a").first().click();
    await page.waitForSelector("h1:text('item-1099')", { timeout: 10_000 });
    await page.waitForSelector("text=item 1099 is malformed");
    assert.deepEqual(problems, []);
  },
});
