/**
 * Operating from the dashboard in Chromium, without the CLI: create a work
 * pool, pause it, change a deployment's tags and see them on the API, and
 * reset a concurrency limit whose slots are held.
 */
import assert from "node:assert/strict";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { acquireSlots, createConcurrencyLimit, systemClock } from "../../engine/mod.ts";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";

Deno.test({
  name: "dashboard: create and pause a pool, edit a deployment's tags, reset a held limit",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    await new DeploymentService(d.engine).create({
      name: "etl",
      entrypoint: "./flows/etl.ts:etl",
      tags: ["old"],
    });
    const page = await d.browser.newPage();
    const api = async (path: string) => await (await fetch(`${d.base}/api${path}`)).json();

    // A new pool, with a refused limit first: the problem sits under its field.
    await page.goto(`${d.base}/work-pools`);
    await page.fill("#new-pool-name", "gpu");
    await page.fill("#new-pool-concurrency_limit", "-2");
    await page.click("form[data-form=new-pool] button[type=submit]");
    await page.waitForSelector("#new-pool-concurrency_limit-error");
    assert.equal(await page.inputValue("#new-pool-name"), "gpu", "what was typed is kept");
    assert.equal((await fetch(`${d.base}/api/work-pools/gpu`)).status, 404);
    await page.fill("#new-pool-concurrency_limit", "2");
    await page.fill("#new-pool-description", "Big boxes");
    await page.click("form[data-form=new-pool] button[type=submit]");
    await page.waitForURL(/\/work-pools\/gpu\?flash=/);
    assert.match(await page.textContent("main") ?? "", /Work pool "gpu" created\./);
    assert.deepEqual(
      (({ concurrency_limit, description }) => [concurrency_limit, description])(
        await api("/work-pools/gpu"),
      ),
      [2, "Big boxes"],
    );

    await page.click("form[action='/work-pools/gpu/pause'] button");
    await page.waitForSelector("form[action='/work-pools/gpu/resume']");
    assert.equal((await api("/work-pools/gpu")).paused, true);

    // The deployment's settings: new tags, visible on the API.
    await page.goto(`${d.base}/deployments/etl`);
    await page.click("#settings > summary");
    await page.fill("#settings-tags", "nightly, etl");
    await page.selectOption("#settings-work_pool", "gpu");
    await page.click("form[data-form=settings] button[type=submit]");
    await page.waitForURL(/\/deployments\/etl\?flash=/);
    const deployment = await api("/deployments/etl");
    assert.deepEqual([deployment.tags, deployment.work_pool], [["nightly", "etl"], "gpu"]);

    // A limit with both slots held: reset after the confirmation step.
    await createConcurrencyLimit(d.engine, { name: "db", limit: 2 });
    for (let i = 0; i < 2; i++) await acquireSlots(d.engine, systemClock, { names: ["db"] });
    assert.equal((await api("/concurrency-limits/db")).active_slots, 2);
    await page.goto(`${d.base}/concurrency-limits`);
    const reset = page.locator("details[data-reset=db]");
    assert.equal(await reset.locator("button[type=submit]").isVisible(), false, "asks first");
    await reset.locator("summary").click();
    await reset.locator("button[type=submit]").click();
    await page.waitForURL(/\/concurrency-limits\?flash=/);
    assert.match(await page.textContent("main") ?? "", /reset: 2 slots freed/);
    assert.equal((await api("/concurrency-limits/db")).active_slots, 0);
  },
});
