import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { type Engine, FakeClock, type RunRecord } from "../../engine/mod.ts";
import { tickStep } from "../../ui/components/timeline_chart.tsx";
import { timelineRows } from "../../server/dashboard/timeline_data.ts";
import { runRecord, testEngine } from "./_fixtures.ts";

const T0 = Date.UTC(2026, 0, 10, 12);

/** A flow run with `n` mapped task runs (every 100th FAILED, the rest COMPLETED). */
async function mapRun(engine: Engine, n: number): Promise<RunRecord> {
  const run = await engine.createFlowRun({ name: "wide" });
  const items = await Promise.all(Array.from({ length: n }, (_, i) =>
    engine.createTaskRun({
      name: "item",
      parentId: run.id,
      rootId: run.id,
      runName: `item-${i}`,
      taskKey: "item#0",
      mapIndex: i,
    })));
  await Promise.all(
    items.map((task, i) =>
      engine.propose(task.id, { to: "RUNNING", token: `s${i}`, kind: "start" })
    ),
  );
  await Promise.all(items.map((task, i) =>
    engine.propose(task.id, {
      to: i % 100 === 99 ? "FAILED" : "COMPLETED",
      token: `e${i}`,
      kind: "finish",
    })
  ));
  await engine.flush();
  return run;
}

Deno.test("graph: an expanded map of 1,000 task runs draws a square each, failed ones as links", async () => {
  const clock = new FakeClock(T0);
  await using e = testEngine(clock);
  const run = await mapRun(e.engine, 1_000);
  const app = createApp({ engine: e.engine, clock });
  const folded = await (await app.request(`/runs/${run.id}?tab=graph`)).text();
  assert.match(folded, /graph=expanded">Expand mapped tasks/);
  const page = await (await app.request(`/runs/${run.id}?tab=graph&graph=expanded`)).text();
  assert.match(page, /1,000 task runs: one square each/);
  assert.equal(page.match(/<a\s+href="\/runs\/[^"]+"\s+data-cell=/g)?.length, 10);
  // The 990 completed squares are one path of 990 squares.
  const path = page.match(/<path\s+class="f-COMPLETED cells"\s+d="([^"]+)"/)?.[1] ?? "";
  assert.equal(path.match(/M/g)?.length, 990);
  assert.match(page, /data-node="item#0"/);
});

Deno.test("graph: past 10,000 task runs the expand link says why instead of lying", async () => {
  const clock = new FakeClock(T0);
  await using e = testEngine(clock);
  const run = await mapRun(e.engine, 10_001);
  const app = createApp({ engine: e.engine, clock });
  const folded = await (await app.request(`/runs/${run.id}?tab=graph`)).text();
  assert.doesNotMatch(folded, /Expand mapped tasks/);
  assert.match(folded, /Mapped tasks stay folded: more than 10,000 task runs to draw/);
  const asked = await (await app.request(`/runs/${run.id}?tab=graph&graph=expanded`)).text();
  assert.match(asked, /More than 10,000 task runs are too many to draw one by one/);
  assert.match(asked, /×10,001 runs/);
});

Deno.test("timeline: tick steps are round intervals, at most six over the span", () => {
  const cases: Array<[number, number]> = [
    [800, 200],
    [9_000, 2_000],
    [50_000, 10_000],
    [3 * 60_000, 30_000],
    [50 * 60_000, 600_000],
    [5 * 3_600_000, 3_600_000],
    [3 * 86_400_000, 43_200_000],
    [20 * 86_400_000, 604_800_000],
  ];
  for (const [span, step] of cases) {
    assert.equal(tickStep(span), step, `span ${span}`);
    assert.ok(span / tickStep(span) <= 6);
  }
});

Deno.test("timeline: the task runs of a mapped call share a row, placed by its first start", () => {
  const at = (i: number, extra: Partial<RunRecord> = {}) =>
    runRecord({
      id: `t${i}`,
      kind: "task",
      name: extra.name ?? "item",
      runName: `${extra.name ?? "item"}-${i}`,
      startTime: T0 + i,
      ...extra,
    });
  const runs = [
    at(0, { name: "setup", taskKey: "setup#0", mapIndex: null }),
    at(1, { taskKey: "item#0", mapIndex: 0 }),
    at(2, { taskKey: "item#0", mapIndex: 1 }),
    at(3, { name: "report", taskKey: "report#0", mapIndex: null }),
    at(4, { taskKey: "item#0", mapIndex: 2 }),
  ];
  const rows = timelineRows(runs, (run) => [{
    start: run.startTime!,
    end: run.startTime! + 10,
    state: "COMPLETED",
  }]);
  assert.deepEqual(rows.map((row) => [row.run.id, row.count]), [
    ["t0", 1],
    ["t1", 3],
    ["t3", 1],
  ]);
  assert.deepEqual(rows[1]!.segments.map((s) => s.label), ["item-1", "item-2", "item-4"]);
});
