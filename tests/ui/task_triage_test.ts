import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { flow, getRunLogger, task } from "../../sdk/mod.ts";
import { type Engine, systemClock } from "../../engine/mod.ts";
import { testEngine } from "./_fixtures.ts";

const check = task((n: number) => {
  if (n % 4 === 1) throw new Error(`row ${n} is bad`);
  return n;
}, { name: "check" });
const audit = flow({ name: "audit" }, async (n: number) => {
  const futures = check.map(Array.from({ length: n }, (_, i) => i));
  await Promise.allSettled(futures.map((f) => f.result()));
  return "done";
});

function appOn(engine: Engine) {
  return createApp({ engine, clock: systemClock });
}

/** Task run ids in the order the page lists them. */
function listed(page: string): string[] {
  return [...page.matchAll(/<tr\s+data-run-id="([^"]+)"/g)].map((m) => m[1]!);
}

Deno.test("task runs tab: the state filter lists only that state's task runs, and pages keep it", async () => {
  await using e = testEngine();
  const { runId } = await audit.runWith({ plane: e.plane }, 240);
  await e.engine.flush();
  const app = appOn(e.engine);
  const failed = e.engine.listRuns({
    kind: "task",
    parentId: runId,
    states: ["FAILED"],
    sort: "created",
    order: "asc",
    limit: 1000,
  }).items;
  assert.equal(failed.length, 60);
  const page = await (await app.request(`/runs/${runId}?state=FAILED`)).text();
  assert.deepEqual(listed(page), failed.map((r) => r.id));
  assert.match(page, /<option\s+value="FAILED"\s+selected>Failed \(60\)<\/option>/);
  assert.match(page, /in state Failed/);

  // 180 completed: two pages, the next link keeps the filter and the sort.
  const first = await (await app.request(`/runs/${runId}?state=COMPLETED&sort=name`)).text();
  assert.equal(listed(first).length, 100);
  const next = first.match(/href="(\/runs\/[^"]+cursor=[^"]+)"/)?.[1]?.replaceAll("&amp;", "&");
  assert.ok(next, "a next page link");
  assert.match(next, /state=COMPLETED/);
  assert.match(next, /sort=name/);
  const second = await (await app.request(next)).text();
  assert.equal(listed(second).length, 80);
  for (const id of [...listed(first), ...listed(second)]) {
    assert.equal(e.engine.getRun(id)?.state, "COMPLETED");
  }
});

Deno.test("task runs tab: sorts by duration, start time, state and name", async () => {
  await using e = testEngine();
  const { runId } = await audit.runWith({ plane: e.plane }, 12);
  await e.engine.flush();
  const app = appOn(e.engine);
  const tasks = e.engine.listRuns({ kind: "task", parentId: runId, limit: 100 }).items;
  const by = (key: (r: typeof tasks[number]) => number | string, sign: 1 | -1) =>
    [...tasks].sort((a, b) =>
      sign * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1)
    ).map((r) => r.id);
  const cases = [
    ["sort=duration", by((r) => r.totalRunTimeMs, -1)],
    ["sort=start&order=asc", by((r) => r.startTime ?? 0, 1)],
    ["sort=state&order=desc", by((r) => r.state, -1)],
    ["sort=name", by((r) => r.runName, 1)],
  ] as const;
  for (const [query, expected] of cases) {
    const page = await (await app.request(`/runs/${runId}?${query}`)).text();
    assert.deepEqual(listed(page), expected, query);
  }
});

Deno.test("task runs tab: an unknown state, sort or order is refused with a clear message", async () => {
  await using e = testEngine();
  const { runId } = await audit.runWith({ plane: e.plane }, 2);
  const app = appOn(e.engine);
  for (
    const [query, message] of [
      ["state=BROKEN", /Unknown state &quot;BROKEN&quot;/],
      ["sort=size", /Unknown sort &quot;size&quot;/],
      ["order=up", /Unknown order &quot;up&quot;/],
    ] as const
  ) {
    const res = await app.request(`/runs/${runId}?${query}`);
    assert.equal(res.status, 400, query);
    assert.match(await res.text(), message);
  }
});

Deno.test("task run page: attempts with their errors, inputs, upstream, result, logs", async () => {
  await using e = testEngine();
  let calls = 0;
  const flaky = task((x: number) => {
    getRunLogger().info(`flaky sees ${x}`);
    if (calls++ === 0) throw new Error("first try fails");
    return x * 10;
  }, { name: "flaky", retries: 1, retryDelaySeconds: 0, persistResult: true });
  const source = task(() => 4, { name: "source" });
  const pipeline = flow({ name: "pipeline" }, async () => await flaky(source.submit()));
  const { runId } = await pipeline.runWith({ plane: e.plane });
  await e.engine.flush();
  const [first, second] = e.engine.listRuns({
    kind: "task",
    parentId: runId,
    sort: "created",
    order: "asc",
  }).items;
  const app = appOn(e.engine);
  const tasksTab = await (await app.request(`/runs/${runId}`)).text();
  assert.match(tasksTab, new RegExp(`<a href="/runs/${second!.id}">flaky-0</a>`));

  const res = await app.request(`/runs/${second!.id}`);
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, /<h1>flaky-0<\/h1>/);
  assert.match(page, new RegExp(`href="/runs/${runId}"`));
  assert.equal(page.match(/<tr\s+data-attempt=/g)?.length, 2);
  assert.match(page, /Error: first try fails/);
  assert.match(page, new RegExp(`<a href="/runs/${first!.id}">source-0</a>`));
  assert.match(page, /flaky sees 4/);
  assert.match(page, /<dt>Result<\/dt><dd><code class="small">40<\/code>/);
  assert.match(page, /data-stream="\/api\/stream\/flow-runs\//);
});
