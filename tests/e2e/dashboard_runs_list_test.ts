/**
 * The runs list in a real browser: a selection of running flow runs is
 * cancelled in one form post, while live updates keep the selection.
 */
import assert from "node:assert/strict";
import { flow } from "../../sdk/mod.ts";
import { BROWSER_TEST, deferred, openDashboard, until } from "./_dashboard.ts";

Deno.test({
  name: "dashboard: bulk cancel of two selected runs out of three",
  ...BROWSER_TEST,
  async fn() {
    await using d = await openDashboard();
    const gate = deferred();
    const waiting = flow({ name: "waiting" }, async () => await gate.promise);
    const outcomes = [1, 2, 3].map(() => waiting.runWith({ plane: d.plane }));
    await until(
      () => d.engine.listRuns({ kind: "flow", states: ["RUNNING"] }).items.length === 3,
      "three running runs",
    );
    const [a, b, kept] = d.engine.listRuns({ kind: "flow", sort: "created", order: "asc" }).items;
    const page = await d.browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${d.base}/`);
    await page.waitForSelector(".live-dot.on");
    await page.check(`input[name="run"][value="${a!.id}"]`);
    await page.check(`input[name="run"][value="${b!.id}"]`);
    // A live refresh (a new run: the state chips count it) keeps the selection.
    await d.engine.createFlowRun({ name: "other" });
    await page.waitForFunction(
      () => document.querySelector('[data-live="chips"] .chip.on .n')?.textContent === "4",
      undefined,
      { timeout: 10_000 },
    );
    assert.ok(await page.isChecked(`input[name="run"][value="${a!.id}"]`));
    assert.ok(await page.isChecked(`input[name="run"][value="${b!.id}"]`));

    await page.click('button[name="action"][value="cancel"]');
    await page.waitForSelector("text=Cancellation requested for 2 of 2 runs.", { timeout: 10_000 });
    gate.resolve();
    const states = (await Promise.all(outcomes)).map((o) => [o.runId, o.state.type]);
    assert.deepEqual(
      Object.fromEntries(states),
      { [a!.id]: "CANCELLED", [b!.id]: "CANCELLED", [kept!.id]: "COMPLETED" },
    );
    assert.deepEqual(problems, []);
  },
});
