/**
 * The dashboard in a real browser: runs list and filters, tabs, live
 * updates over SSE, actions without JavaScript, escaping, and sign-in.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { flow, getRunLogger, task } from "../../sdk/mod.ts";
import { BROWSER_TEST, deferred, openDashboard, until } from "./_dashboard.ts";

const step = task(async (x: number) => {
  await Promise.resolve();
  return x + 1;
}, { name: "step" });
const total = task((xs: unknown[]) => (xs as number[]).reduce((a, b) => a + b, 0), {
  name: "total",
});
const fanOut = flow({ name: "fan-out" }, async (n: number) => {
  getRunLogger().info("starting the fan-out");
  getRunLogger().error("a line at ERROR");
  return await total(step.map(Array.from({ length: n }, (_, i) => i)));
});
const broken = flow({ name: "broken" }, () => {
  throw new Error("broken on purpose");
});

/** Fails the test on any script error or dialog in the page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return problems;
}

Deno.test({
  name: "dashboard: the runs page lists runs and a state chip filters them",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const ok = await fanOut.runWith({ plane: d.plane }, 3);
    const bad = await broken.runWith({ plane: d.plane });
    const page = await d.browser.newPage();
    const problems = watch(page);
    await page.goto(`${d.base}/`);
    await page.waitForSelector(`tr[data-run-id="${ok.runId}"]`);
    await page.waitForSelector(`tr[data-run-id="${bad.runId}"]`);
    assert.equal(
      await page.locator(`tr[data-run-id="${ok.runId}"] .badge`).textContent(),
      "Completed",
    );
    await page.click('a[data-chip="FAILED"]');
    await page.waitForURL(/state=FAILED/);
    assert.equal(await page.locator(`tr[data-run-id="${ok.runId}"]`).count(), 0);
    assert.equal(await page.locator(`tr[data-run-id="${bad.runId}"]`).count(), 1);
    assert.equal(await page.getAttribute('a[data-chip="FAILED"]', "aria-current"), "true");
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "dashboard: a run appears and turns COMPLETED live, without a reload",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const gate = deferred();
    const waiting = flow({ name: "waiting" }, async () => {
      getRunLogger().info("waiting for the test");
      await gate.promise;
      getRunLogger().info("released by the test");
      return 1;
    });
    const list = await d.browser.newPage();
    const problems = watch(list);
    await list.goto(`${d.base}/`);
    await list.waitForSelector(".live-dot.on");
    await list.evaluate(() => (globalThis as { marker?: number }).marker = 1);

    const outcome = waiting.runWith({ plane: d.plane });
    await until(() => d.engine.listRuns({ kind: "flow" }).items.length === 1, "the run");
    const runId = d.engine.listRuns({ kind: "flow" }).items[0]!.id;
    const badge = `[data-badge-for="${runId}"]`;
    await list.waitForSelector(`${badge}[data-state="RUNNING"]`);

    const detail = await d.browser.newPage();
    problems.push(...watch(detail));
    await detail.goto(`${d.base}/runs/${runId}?tab=logs`);
    await detail.waitForSelector(".live-dot.on");
    await detail.evaluate(() => (globalThis as { marker?: number }).marker = 1);
    assert.equal(await detail.locator(`.badge.big${badge}`).textContent(), "Running");

    gate.resolve();
    await outcome;
    await list.waitForSelector(`${badge}[data-state="COMPLETED"]`);
    await detail.waitForSelector(`${badge}[data-state="COMPLETED"]`);
    await detail.waitForSelector("text=released by the test");
    for (const page of [list, detail]) {
      assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1);
    }
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "dashboard: run detail tabs show the timeline, the graph and filtered logs",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const { runId } = await fanOut.runWith({ plane: d.plane }, 5);
    await d.engine.flush();
    const page = await d.browser.newPage();
    const problems = watch(page);
    await page.goto(`${d.base}/runs/${runId}`);
    assert.equal(await page.locator("tr[data-run-id]").count(), 6);
    await page.click('a[data-tab="timeline"]');
    await page.waitForSelector('svg[data-chart="timeline"] rect.bar');
    await page.click('a[data-tab="graph"]');
    await page.waitForSelector('g[data-node="step#0"]');
    assert.match(await page.locator('g[data-node="step#0"]').textContent() ?? "", /×5 runs/);
    assert.ok(await page.locator("path.edge").count() >= 1);
    await page.click('a[data-tab="logs"]');
    await page.waitForSelector("text=starting the fan-out");
    await page.selectOption('select[name="level"]', "40");
    await page.waitForURL(/level=40/);
    assert.equal(await page.locator("text=starting the fan-out").count(), 0);
    assert.equal(await page.locator(".logs li").count(), 1);
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "dashboard: the cancel form works with JavaScript disabled",
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
    await page.click("text=Cancel run");
    await page.click("text=Yes, cancel the run");
    await page.waitForSelector("text=Cancellation requested.");
    assert.equal(new URL(page.url()).pathname, `/runs/${runId}`);
    gate.resolve();
    assert.equal((await outcome).state.type, "CANCELLED");
    await page.reload();
    assert.equal(await page.locator(".badge.big").textContent(), "Cancelled");
    assert.equal(await page.locator("text=Cancel run").count(), 0);
    await context.close();
  },
});

Deno.test({
  name: "dashboard: an XSS payload in a flow name and a log line renders as text",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const payload = `<img src=x onerror="alert('xss')"><script>alert('xss')</script>`;
    const evil = flow({ name: payload }, () => {
      getRunLogger().warning(payload);
    });
    const { runId } = await evil.runWith({ plane: d.plane });
    await d.engine.flush();
    const page = await d.browser.newPage();
    const problems = watch(page);
    await page.goto(`${d.base}/`);
    assert.equal(
      await page.locator(`tr[data-run-id="${runId}"] td:nth-child(3)`).textContent(),
      payload,
    );
    await page.goto(`${d.base}/runs/${runId}?tab=logs`);
    assert.match(await page.locator(".logs .msg").first().textContent() ?? "", /<script>alert/);
    assert.equal(await page.locator("img").count(), 0);
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "dashboard: with an API key, sign in and see live pages",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard({ apiKey: "e2e-key" });
    await fanOut.runWith({ plane: d.plane }, 1);
    const page = await d.browser.newPage();
    const problems = watch(page);
    await page.goto(`${d.base}/flows`);
    await page.waitForURL(/\/login\?next=%2Fflows/);
    await page.fill('input[name="key"]', "wrong");
    await page.click('button[type="submit"]');
    await page.waitForSelector("text=That API key is not the server's key.");
    await page.fill('input[name="key"]', "e2e-key");
    await page.click('button[type="submit"]');
    await page.waitForURL(`${d.base}/flows`);
    await page.waitForSelector("text=fan-out");
    await page.waitForSelector(".live-dot.on"); // the SSE stream accepted the session cookie
    await page.click("text=Sign out");
    await page.waitForURL(/\/login/);
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name: "dashboard: the deployments page shows a deployment; preview a schedule and quick-run it",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    new DeploymentService(d.engine).create({
      name: "etl-daily",
      entrypoint: "./flows/etl.ts:etl",
      parameters: { pages: 2 },
      schedules: [{
        kind: "cron",
        cron: "0 6 * * *",
        timezone: "Europe/Paris",
        active: true,
        catchup: "skip",
      }],
    });
    const page = await d.browser.newPage();
    const problems = watch(page);
    await page.goto(`${d.base}/deployments`);
    await page.click('tr[data-deployment="etl-daily"] a[href="/deployments/etl-daily"]');
    await page.waitForURL(/\/deployments\/etl-daily$/);
    assert.equal(await page.locator('[data-schedule="0"] ol.times li').count(), 5);

    await page.selectOption('select[name="kind"]', "interval");
    await page.fill('input[name="value"]', "10m");
    await page.click('button[value="preview"]');
    await page.waitForSelector(".preview li");
    assert.equal(await page.locator(".preview li").count(), 5);
    assert.equal(await page.inputValue('input[name="value"]'), "10m");

    await page.fill('#run textarea[name="parameters"]', "{oops");
    await page.click("#run button[type=submit]");
    await page.waitForSelector('[role="alert"]');
    assert.match(await page.locator('[role="alert"]').textContent() ?? "", /not valid JSON/);
    assert.equal(d.engine.listRuns({ kind: "flow" }).items.length, 0);

    await page.fill('#run textarea[name="parameters"]', '{"pages": 5}');
    await page.click("#run button[type=submit]");
    await page.waitForURL(/\/runs\//);
    await page.waitForSelector('text=Run created from deployment "etl-daily".');
    const [run] = d.engine.listRuns({ kind: "flow" }).items;
    assert.deepEqual(run?.parameters, { pages: 5 });
    assert.equal(new URL(page.url()).pathname, `/runs/${run!.id}`);
    assert.deepEqual(problems, []);
  },
});
