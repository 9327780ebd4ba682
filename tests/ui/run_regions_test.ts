import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { createProgressArtifact, flow, task } from "../../sdk/mod.ts";
import { systemClock } from "../../engine/mod.ts";
import { testEngine } from "./_fixtures.ts";

const double = task((x: number) => x * 2, { name: "double" });
const tracked = flow({ name: "tracked" }, async () => {
  await createProgressArtifact(40, { key: "tracked-progress" });
  return await double(2);
});
const idle = flow({ name: "idle" }, () => 1);

/** The element `data-live="<name>"` of a page, from its opening tag to the end of the page. */
function regionStart(page: string, name: string): string {
  const at = page.search(new RegExp(`<[a-z]+[^>]* data-live="${name}"`));
  assert.ok(at >= 0, `the page has the region "${name}"`);
  return page.slice(at);
}

Deno.test("run regions: each fragment is the region the page renders", async (t) => {
  await using e = testEngine();
  const { runId } = await tracked.runWith({ plane: e.plane });
  await e.engine.flush();
  const app = createApp({ engine: e.engine, clock: systemClock });
  for (const tab of ["tasks", "timeline", "graph", "events", "artifacts"]) {
    await t.step(tab, async () => {
      const page = await (await app.request(`/runs/${runId}?tab=${tab}`)).text();
      for (const name of ["actions", "header", "lineage", "body"]) {
        const res = await app.request(`/runs/${runId}/regions/${name}?tab=${tab}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("cache-control"), "no-store");
        const fragment = await res.text();
        assert.ok(!fragment.startsWith("<!doctype"), "a fragment, not a page");
        assert.ok(
          regionStart(page, name).startsWith(fragment),
          `region "${name}" of tab "${tab}" differs from the page's`,
        );
      }
    });
  }
  const artifacts = await (await app.request(`/runs/${runId}/regions/body?tab=artifacts`)).text();
  assert.match(artifacts, /data-live-on="artifact"/);
  assert.match(artifacts, /<progress value="40"/);
});

Deno.test("run regions: empty tabs are live regions too", async () => {
  await using e = testEngine();
  const { runId } = await idle.runWith({ plane: e.plane });
  await e.engine.flush();
  const app = createApp({ engine: e.engine, clock: systemClock });
  const empties = [["tasks", "No task runs yet"], ["graph", "No tasks to draw yet"]] as const;
  for (const [tab, empty] of empties) {
    const body = await (await app.request(`/runs/${runId}/regions/body?tab=${tab}`)).text();
    assert.match(body, /^<section class="panel flush" tabindex="0" data-live="body"/);
    assert.match(body, /data-live-on="run task"/);
    assert.ok(body.includes(empty), `${tab}: ${body.slice(0, 200)}`);
  }
});

Deno.test("run regions: an unknown region is refused, a task run or missing run is not found", async () => {
  await using e = testEngine();
  const { runId } = await tracked.runWith({ plane: e.plane });
  await e.engine.flush();
  const taskId = e.engine.listRuns({ kind: "task" }).items[0]!.id;
  const app = createApp({ engine: e.engine, clock: systemClock });
  const unknown = await app.request(`/runs/${runId}/regions/everything`);
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /Unknown region &quot;everything&quot;/);
  assert.equal((await app.request(`/runs/${taskId}/regions/body`)).status, 404);
  assert.equal((await app.request(`/runs/nope/regions/header`)).status, 404);
});
