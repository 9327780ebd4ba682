/**
 * Script payloads in every user-controlled field the dashboard shows (flow
 * and run names, parameters, log lines, markdown artifacts, tags, deployment
 * descriptions), rendered in Chromium with the pages' CSP and with CSP
 * bypassed: escaping alone must keep them inert, and the text stays visible.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createMarkdownArtifact, flow, getRunLogger } from "../../sdk/mod.ts";
import { BROWSER_TEST, openDashboard } from "./_dashboard.ts";

const MARK = "xss-probe";
// Each payload, if it ever ran, would bump window.__xss.
const PAYLOADS = [
  `<img src=x onerror="window.__xss=(window.__xss||0)+1">`,
  `<script>window.__xss=(window.__xss||0)+1</script>`,
  `"><svg onload="window.__xss=(window.__xss||0)+1">`,
  `'><iframe srcdoc="<script>parent.__xss=1</script>">`,
  `</textarea></pre><script>window.__xss=1</script>`,
];
const PAYLOAD = `${MARK} ${PAYLOADS.join(" ")}`;
const MARKDOWN = [
  `# ${PAYLOAD}`,
  `[click me](javascript:window.__xss=1) [data](data:text/html,<script>alert(1)</script>)`,
  `<img src=x onerror="window.__xss=1">`,
  `![pic](x" onerror="window.__xss=1)`,
].join("\n\n");

const evil = flow({ name: PAYLOAD }, async (_params: Record<string, string>) => {
  getRunLogger().warning(PAYLOAD);
  await createMarkdownArtifact(MARKDOWN, { key: "report", description: PAYLOAD });
});

async function probe(page: Page, url: string, problems: string[]): Promise<void> {
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, url);
  // Give onerror/onload handlers of anything that slipped through a chance to run.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
  const fired = await page.evaluate(() => (window as { __xss?: number }).__xss ?? 0);
  assert.equal(fired, 0, `a payload ran on ${url}`);
  assert.deepEqual(problems, [], url);
  assert.equal(await page.locator("iframe, svg[onload], img[onerror]").count(), 0, url);
}

for (const bypassCSP of [false, true]) {
  Deno.test({
    name: `dashboard: script payloads in user fields stay text (${
      bypassCSP ? "CSP bypassed" : "with CSP"
    })`,
    ...BROWSER_TEST,
    async fn() {
      await using d = await openDashboard();
      const { runId } = await evil.runWith({ plane: d.plane, tags: [PAYLOAD, "plain"] }, {
        note: PAYLOAD,
      });
      const api = async (path: string, body: unknown) => {
        const res = await fetch(`${d.base}/api${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const json = await res.json();
        assert.ok(res.ok, JSON.stringify(json));
        return json;
      };
      await api("/deployments", {
        name: "xss-deployment",
        flow_name: PAYLOAD,
        entrypoint: "./flows/xss.ts:evil",
        description: PAYLOAD,
        tags: [PAYLOAD],
      });
      const deploymentRun = await api("/deployments/xss-deployment/run", {
        run_name: PAYLOAD,
        parameters: { note: PAYLOAD },
        tags: [PAYLOAD],
      });
      await d.engine.flush();

      const context = await d.browser.newContext({ bypassCSP });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
      page.on("dialog", (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      const flowPath = `/flows/${encodeURIComponent(PAYLOAD)}`;
      const pages = [
        "/",
        `/runs/${runId}`,
        `/runs/${runId}?tab=logs`,
        `/runs/${runId}?tab=artifacts`,
        `/runs/${runId}?tab=events`,
        `/runs/${deploymentRun.id}`,
        "/flows",
        flowPath,
        "/deployments",
        "/deployments/xss-deployment",
      ];
      for (const path of pages) await probe(page, `${d.base}${path}`, problems);

      // The payloads are shown as text.
      await page.goto(`${d.base}/runs/${runId}?tab=logs`);
      assert.match(await page.locator(".logs .msg").first().textContent() ?? "", /<script>/);
      await page.goto(`${d.base}/runs/${deploymentRun.id}`);
      const header = await page.locator("main").textContent() ?? "";
      assert.ok(header.includes(PAYLOADS[0]!), "the run name and parameters are readable");
      await page.goto(`${d.base}/runs/${runId}?tab=artifacts`);
      const artifacts = await page.locator("main").textContent() ?? "";
      assert.ok(artifacts.includes(MARK), "the markdown heading is readable");
      assert.equal(await page.locator('a[href^="javascript:"], a[href^="data:"]').count(), 0);
      await page.goto(`${d.base}/`);
      assert.ok((await page.locator("main").textContent() ?? "").includes(PAYLOADS[1]!));
      await context.close();
    },
  });
}
