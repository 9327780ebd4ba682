/**
 * The theme button remembers the reader's choice across pages and visits,
 * without a flash of the other theme, and pages reach the browser gzipped.
 */
import assert from "node:assert/strict";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";

Deno.test({
  name: "dashboard: the chosen theme stays on every page, from the first paint",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const context = await d.browser.newContext({ colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(`${d.base}/flows`);
    assert.equal(await page.locator("form.theme button").textContent(), "Theme: system");
    await page.click("form.theme button"); // system → light
    await page.waitForSelector("form.theme button:text('Theme: light')");
    await page.click("form.theme button"); // light → dark
    await page.waitForSelector("form.theme button:text('Theme: dark')");
    assert.equal(
      new URL(page.url()).pathname,
      "/flows",
      "the button returns to the page it was on",
    );

    // A fresh page is dark in its HTML, before any script runs.
    const html = await (await page.request.get(`${d.base}/deployments`)).text();
    assert.match(html, /<html lang="en" data-theme="dark">/);
    const other = await context.newPage();
    await other.goto(`${d.base}/work-pools`);
    const background = await other.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(15, 18, 23)");
    await context.close();
  },
});

Deno.test({
  name: "dashboard: pages are gzipped for a browser that accepts it",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const page = await d.browser.newPage();
    const response = await page.goto(`${d.base}/`);
    assert.equal(response?.headers()["content-encoding"], "gzip");
    assert.match(response?.headers()["vary"] ?? "", /Accept-Encoding/);
    assert.ok(await page.locator("h1").count() > 0, "the page still renders");
    await page.close();
  },
});
