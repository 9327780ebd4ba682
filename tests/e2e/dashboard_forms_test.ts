/**
 * Operating from the dashboard without the CLI: a quick run built from the
 * deployment's parameter schema, a resume form built from the pause's input
 * schema, and a cancel that asks first — all plain forms.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { flow, pauseFlowRun } from "../../sdk/mod.ts";
import { BROWSER_TEST, deferred, openDashboard, until } from "./_dashboard.ts";

const SCHEMA = {
  type: "object",
  properties: {
    pages: { type: "integer", minimum: 1, description: "How many pages to load" },
    mode: { type: "string", enum: ["full", "incremental"], default: "incremental" },
    dryRun: { type: "boolean" },
    target: {
      type: "object",
      properties: { db: { type: "string" }, port: { type: "integer" } },
      required: ["db"],
    },
    ids: { type: "array", items: { type: "integer" } },
  },
  required: ["pages"],
};

Deno.test({
  name: "dashboard: quick run from schema fields; a wrong value is shown next to its field",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    await new DeploymentService(d.engine).create({
      name: "etl",
      entrypoint: "./flows/etl.ts:etl",
      parameters: { pages: 2, target: { db: "warehouse", port: 5432 } },
      parameterSchema: SCHEMA,
    });
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/deployments/etl`);
    // Defaults fill the fields: the deployment's, then the schema's.
    assert.equal(await page.inputValue("#param-pages"), "2");
    assert.equal(await page.inputValue("#param-mode"), "incremental");
    assert.equal(await page.inputValue("#param-target-db"), "warehouse");

    await page.fill("#param-pages", "0");
    await page.click("#run button[type=submit]");
    await page.waitForSelector("#param-pages-error");
    assert.match(await page.textContent("#param-pages-error") ?? "", /pages: .*>=\s*1/);
    assert.equal(await page.getAttribute("#param-pages", "aria-invalid"), "true");
    assert.equal(await page.inputValue("#param-pages"), "0", "the posted value is kept");
    assert.equal(d.engine.listRuns({ kind: "flow" }).items.length, 0, "nothing was created");

    await page.fill("#param-pages", "abc");
    await page.click("#run button[type=submit]");
    await page.waitForSelector("#param-pages-error");
    assert.match(await page.textContent("#param-pages-error") ?? "", /"abc" is not a number/);
    assert.equal(d.engine.listRuns({ kind: "flow" }).items.length, 0);

    await page.fill("#param-pages", "5");
    await page.selectOption("#param-mode", "full");
    await page.selectOption("#param-dryRun", "true");
    await page.fill("#param-target-port", "6543");
    await page.fill("#param-ids", "[1, 2]");
    await page.fill('#run input[name="tags"]', "manual, backfill");
    await page.fill('#run input[name="start"]', "2031-01-02T03:04");
    await page.click("#run button[type=submit]");
    await page.waitForURL(/\/runs\//);
    const [run] = d.engine.listRuns({ kind: "flow" }).items;
    assert.deepEqual(run?.parameters, {
      pages: 5,
      mode: "full",
      dryRun: true,
      target: { db: "warehouse", port: 6543 },
      ids: [1, 2],
    });
    assert.ok(run?.tags.includes("manual") && run.tags.includes("backfill"));
    assert.equal(run?.state, "SCHEDULED");
    assert.equal(run?.expectedStartTime, Date.UTC(2031, 0, 2, 3, 4));
  },
});

Deno.test({
  name: "dashboard: a run waiting for input resumes from a form built from the pause's schema",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const Approval = z.object({
      approved: z.boolean(),
      by: z.string().min(1),
      level: z.enum(["low", "high"]),
    });
    const approval = flow({ name: "approval" }, async () => {
      const input = await pauseFlowRun({ waitForInput: Approval });
      return `${input.approved ? "approved" : "rejected"} by ${input.by} (${input.level})`;
    });
    const outcome = approval.runWith({ plane: d.plane });
    await until(
      () => d.engine.listRuns({ kind: "flow", states: ["PAUSED"] }).items.length === 1,
      "the run to pause",
    );
    const runId = d.engine.listRuns({ kind: "flow" }).items[0]!.id;
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/runs/${runId}`);
    const form = page.locator('form[data-resume="fields"]');
    await form.locator("#input-approved").selectOption("true");
    await form.locator("#input-level").selectOption("high");
    // "by" left empty: the pause's schema refuses it, the problem shows under
    // that field, what was chosen stays, and the run stays PAUSED.
    await form.locator("button[type=submit]").click();
    await page.waitForSelector("#input-by-error");
    assert.match(await page.textContent("#input-by-error") ?? "", /^by: /);
    assert.equal(await page.locator("#input-approved-error").count(), 0);
    assert.equal(
      await page.locator('form[data-resume="fields"] #input-level').inputValue(),
      "high",
    );
    assert.equal(d.engine.getRun(runId)!.state, "PAUSED");

    await page.fill('form[data-resume="fields"] #input-by', "ada");
    await page.locator('form[data-resume="fields"] button[type=submit]').click();
    const done = await outcome;
    assert.equal(done.result, "approved by ada (high)");
  },
});

Deno.test({
  name: "dashboard: cancel asks for confirmation first, also without JavaScript",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const gate = deferred();
    const waiting = flow({ name: "waiting" }, async () => await gate.promise);
    const outcome = waiting.runWith({ plane: d.plane });
    await until(
      () => d.engine.listRuns({ kind: "flow", states: ["RUNNING"] }).items.length === 1,
      "the run to start",
    );
    const runId = d.engine.listRuns({ kind: "flow" }).items[0]!.id;
    const context = await d.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${d.base}/runs/${runId}`);
    const confirm = page.locator("text=Yes, cancel the run");
    assert.equal(await confirm.isVisible(), false, "the confirmation is folded away");
    await page.click("summary:text('Cancel run')");
    await confirm.waitFor({ state: "visible" });
    assert.equal(d.engine.getRun(runId)!.state, "RUNNING", "opening the step cancels nothing");
    await confirm.click();
    await page.waitForSelector("text=Cancellation requested.");
    gate.resolve();
    assert.equal((await outcome).state.type, "CANCELLED");
    await context.close();
  },
});

Deno.test({
  name: "dashboard: concurrency limits are created and changed from their page",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const page = await d.browser.newPage();
    await page.goto(`${d.base}/concurrency-limits`);
    const create = page.locator('form[data-form="new-limit"]');
    await create.locator('input[name="name"]').fill("db pool");
    await create.locator('input[name="limit"]').fill("3");
    await create.locator("button[type=submit]").click();
    await page.waitForSelector(".flash.bad");
    assert.match(await page.textContent(".flash.bad") ?? "", /name: may hold letters/);
    assert.deepEqual(d.engine.reader.concurrencyLimits(), [], "nothing was created");

    await create.locator('input[name="name"]').fill("db");
    await create.locator('input[name="limit"]').fill("3");
    await create.locator("button[type=submit]").click();
    await page.waitForSelector('text=Concurrency limit "db" created.');
    assert.equal(d.engine.reader.getConcurrencyLimit("db")?.limit, 3);

    await page.fill('input[aria-label="Slots of db"]', "7");
    await page.fill('input[aria-label="Slot decay of db"]', "0.5");
    await page.click("td form.inline-form button[type=submit]");
    await page.waitForSelector('text=Concurrency limit "db" saved.');
    const saved = d.engine.reader.getConcurrencyLimit("db");
    assert.equal(saved?.limit, 7);
    assert.equal(saved?.slotDecayPerSecond, 0.5);
  },
});
