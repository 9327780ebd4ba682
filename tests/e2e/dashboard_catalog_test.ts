/**
 * The catalog pages in Chromium: a variable set from its form, a secret
 * whose value appears on no page, an automation paused and resumed, and an
 * event posted to the API appearing on the open events page by itself.
 */
import assert from "node:assert/strict";
import { listAutomations } from "../../engine/automations/mod.ts";
import { VariableService } from "../../engine/variables/mod.ts";
import { systemClock } from "../../engine/mod.ts";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";
import { dashboardPaths, seedDashboard } from "./_dashboard_pages.ts";

const AUTOMATION = `name: on-landing
trigger:
  type: event
  match: ["acme.file.landed"]
actions:
  - type: emit-event
    event: acme.seen
    resource: acme.x
`;

Deno.test({
  name: "dashboard: a variable set from the form is listed; a wrong JSON is shown next to it",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/variables`);
    await page.fill("#variable-name", "batch_size");
    await page.fill("#variable-value", "{oops");
    await page.click('form[data-form="variable"] button[type=submit]');
    await page.waitForSelector("#variable-value-error");
    assert.match(await page.textContent("#variable-value-error") ?? "", /not JSON/);
    await page.fill("#variable-value", '{"rows": 500}');
    await page.click('form[data-form="variable"] button[type=submit]');
    await page.waitForSelector('tr[data-variable="batch_size"]');
    assert.match(await page.textContent('tr[data-variable="batch_size"]') ?? "", /"rows":500/);
    const variables = new VariableService({ engine: d.engine, clock: systemClock });
    assert.deepEqual(variables.get("batch_size")?.value, { rows: 500 });
  },
});

Deno.test({
  name: "dashboard: a secret set from the form is listed by name; its value is on no page",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard({ secretKey: "a key of sixteen or more characters" });
    const { runId } = await seedDashboard(d);
    const value = "s3cr3t-value-that-must-not-leak";
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/secrets`);
    await page.fill('form[data-form="secret"] input[name="name"]', "db_password");
    await page.fill('form[data-form="secret"] input[name="value"]', value);
    await page.click('form[data-form="secret"] button[type=submit]');
    await page.waitForSelector('tr[data-secret="db_password"]');
    assert.ok(!(await page.content()).includes(value));
    const paths = await dashboardPaths(d.browser, d.base, runId);
    assert.ok(paths.includes("/secrets") && paths.includes("/events"), "the nav lists the pages");
    for (const path of paths) {
      const html = await (await fetch(`${d.base}${path}`)).text();
      assert.ok(!html.includes(value), `the value is not in ${path}`);
    }
  },
});

Deno.test({
  name: "dashboard: an automation created from YAML is paused and resumed from its page",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/automations`);
    await page.fill("#automation-spec", AUTOMATION);
    await page.click('form[data-form="automation"] button[type=submit]');
    await page.waitForURL(/\/automations\/on-landing/);
    assert.equal(await page.textContent("[data-automation-state]"), "enabled");
    await page.click('form[action$="/pause"] button');
    await page.waitForSelector('form[action$="/resume"]');
    assert.equal(await page.textContent("[data-automation-state]"), "paused");
    assert.equal(listAutomations(d.engine.reader)[0]?.enabled, false);
    await page.click('form[action$="/resume"] button');
    await page.waitForSelector('form[action$="/pause"]');
    assert.equal(await page.textContent("[data-automation-state]"), "enabled");
    assert.equal(listAutomations(d.engine.reader)[0]?.enabled, true);
  },
});

Deno.test({
  name: "dashboard: an event posted to the API appears on the open events page without a reload",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/events`);
    await page.waitForSelector("[data-live-dot].on");
    const res = await fetch(`${d.base}/api/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: "acme.file.landed", resource: "acme.bucket.raw" }),
    });
    assert.equal(res.status, 201);
    const { id } = await res.json();
    await page.waitForSelector(`tr[data-event-id="${id}"]`, { timeout: 10_000 });
    assert.match(await page.textContent(`tr[data-event-id="${id}"]`) ?? "", /acme\.file\.landed/);
  },
});
