/**
 * The artifacts catalog: each key with its newest version, and the history
 * of a key, newest first.
 */
import assert from "node:assert/strict";
import { createMarkdownArtifact, createProgressArtifact, flow } from "../../sdk/mod.ts";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";

Deno.test({
  name: "dashboard: the artifacts page lists keys with their latest version and each key's history",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const report = flow({ name: "report" }, async (day: number) => {
      await createMarkdownArtifact(`# Report of day ${day}`, { key: "daily-report" });
      await createProgressArtifact(day * 10, { key: "load-progress" });
    });
    await report.runWith({ plane: d.plane }, 1);
    const second = await report.runWith({ plane: d.plane }, 2);
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/`);
    await page.click("header nav a:text('Artifacts')");
    await page.waitForURL(/\/artifacts$/);
    const row = page.locator('tr[data-artifact-key="daily-report"]');
    assert.equal(await row.locator("td").nth(1).textContent(), "markdown");
    assert.equal(await row.locator("td").nth(2).textContent(), "2");
    assert.equal(await page.locator('tr[data-artifact-key="load-progress"]').count(), 1);
    assert.equal(
      await row.locator("td").nth(3).locator("a").getAttribute("href"),
      `/runs/${second.runId}?tab=artifacts`,
      "the latest version links to the run that made it",
    );

    await row.locator("a:text('daily-report')").click();
    await page.waitForURL(/\/artifacts\/daily-report$/);
    const versions = await page.locator("[data-version]").evaluateAll((els) =>
      els.map((el) => el.getAttribute("data-version"))
    );
    assert.deepEqual(versions, ["2", "1"], "newest first");
    assert.match(await page.locator('[data-version="2"] h1').textContent() ?? "", /day 2/);

    const missing = await page.goto(`${d.base}/artifacts/no-such-key`);
    assert.equal(missing?.status(), 404);
  },
});
