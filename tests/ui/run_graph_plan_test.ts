/**
 * The run graph's plan overlay: planned nodes that have not run (grey,
 * dashed), nodes a failure made unreachable, and no overlay for completed
 * runs or runs whose flow changed since (a different plan fingerprint).
 */
import assert from "node:assert/strict";
import { type Engine, latestPlan, savePlan, systemClock } from "../../engine/mod.ts";
import { createApp } from "../../server/app.ts";
import {
  armHold,
  completes,
  failsMidway,
  openHold,
  waits,
} from "../testdata/ui/graph_plan_flows.ts";
import { testEngine, until } from "./_fixtures.ts";

function appOn(engine: Engine) {
  return createApp({ engine, clock: systemClock });
}

async function graphPage(engine: Engine, runId: string, expanded = false): Promise<string> {
  const res = await appOn(engine).request(
    `/runs/${runId}?tab=graph${expanded ? "&graph=expanded" : ""}`,
  );
  assert.equal(res.status, 200);
  return await res.text();
}

/** `class` of the graph node drawn for `id` (escaped as in the page), or null. */
function nodeClass(page: string, id: string): string | null {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return page.match(new RegExp(`<g class="([^"]+)" data-node="${escaped}"`))?.[1] ?? null;
}

interface Plan {
  nodes: { id: string; taskName: string; op: string }[];
  edges: { from: string; to: string; kind: string }[];
  fingerprint: string;
}

Deno.test("a run that fails midway draws its planned nodes and marks the ones after the failure unreachable", async (t) => {
  await using e = testEngine();
  const outcome = await failsMidway.runWith({ plane: e.plane });
  assert.equal(outcome.state.type, "FAILED");
  await e.engine.flush();
  const start = e.engine.events(outcome.runId).find((ev) => ev.to === "RUNNING")!;
  assert.equal(start.data?.["graphMode"], "auto");
  assert.equal(start.data?.["effectiveGraphMode"], "static");

  for (const expanded of [false, true]) {
    await t.step(expanded ? "expanded" : "collapsed", async () => {
      const page = await graphPage(e.engine, outcome.runId, expanded);
      assert.match(page, new RegExp(`Mode: <strong>${expanded ? "expanded" : "logical"}<`));
      // What ran keeps its state colours and is not part of the overlay.
      assert.match(page, /class="f-COMPLETED"/);
      assert.match(page, /class="f-FAILED"/);
      assert.equal(nodeClass(page, "plan:extract#0"), null);
      assert.equal(nodeClass(page, "plan:transform#0"), null);
      if (!expanded) {
        assert.equal(nodeClass(page, "extract#0"), "node task");
        assert.equal(nodeClass(page, "transform#0"), "node task");
      }
      // Downstream of the failed transform, along the plan's data edges.
      assert.equal(nodeClass(page, "plan:load#0"), "node map unreachable");
      assert.equal(nodeClass(page, "plan:publish#0"), "node task unreachable");
      assert.equal(nodeClass(page, "plan:subflow:ui-notify#0"), "node subflow unreachable");
      // Not downstream of anything: planned, and never run.
      assert.equal(nodeClass(page, "plan:audit#0"), "node task planned");
      assert.equal(page.match(/data-plan="unreachable"/g)?.length, 3);
      assert.equal(page.match(/data-plan="planned"/g)?.length, 1);
      assert.match(page, /<text[^>]*>unreachable · map<\/text>/);
      assert.match(page, /<text[^>]*>planned<\/text>/);
      // Planned edges: transform -> load (from a node that ran), load -> publish -> notify.
      assert.equal(page.match(/class="edge data planned"/g)?.length, 3);
      // The legend names both, with counts.
      assert.match(page, /<i class="k-planned"><\/i>planned · 1</);
      assert.match(page, /<i class="k-unreachable"><\/i>unreachable · 3</);
      assert.match(page, /planned edge/);
    });
  }
});

Deno.test("a completed run draws no planned or unreachable nodes", async () => {
  await using e = testEngine();
  const outcome = await completes.runWith({ plane: e.plane });
  assert.equal(outcome.state.type, "COMPLETED");
  await e.engine.flush();
  assert.ok(latestPlan(e.engine.reader, "ui-completes"), "the run recorded its plan");
  for (const expanded of [false, true]) {
    const page = await graphPage(e.engine, outcome.runId, expanded);
    assert.doesNotMatch(page, /data-plan=/);
    assert.doesNotMatch(page, /class="node [a-z]+ (planned|unreachable)"/);
    assert.doesNotMatch(page, /edge [a-zA-Z]+ planned/);
    assert.doesNotMatch(page, /k-planned|k-unreachable/);
    assert.match(page, /data-node="subflow:/, "the subflow run is drawn as such");
  }
  assert.equal(nodeClass(await graphPage(e.engine, outcome.runId), "load#0"), "node map");
});

Deno.test("a run whose recorded plan fingerprint differs from the flow's latest plan draws no planned nodes", async () => {
  await using e = testEngine();
  const outcome = await failsMidway.runWith({ plane: e.plane });
  await e.engine.flush();
  const before = await graphPage(e.engine, outcome.runId);
  assert.match(before, /data-plan="planned"/);
  // The flow's code changed: a later run recorded another plan.
  const plan = latestPlan(e.engine.reader, "ui-fails-midway") as Plan;
  await savePlan(e.engine, Date.now(), "ui-fails-midway", {
    ...plan,
    nodes: [...plan.nodes, { id: "archive#0", taskName: "archive", op: "call" }],
    fingerprint: "0123456789abcdef",
  });
  for (const expanded of [false, true]) {
    const page = await graphPage(e.engine, outcome.runId, expanded);
    assert.doesNotMatch(page, /data-plan=/);
    assert.doesNotMatch(page, /data-node="plan:/);
    assert.doesNotMatch(page, /edge [a-zA-Z]+ planned/);
    assert.match(page, /The flow&#39;s code changed since this run|The flow's code changed/);
    assert.match(page, /class="f-FAILED"/, "what ran is drawn as before");
  }
});

Deno.test("a running flow draws the planned nodes it has not reached in grey, none unreachable", async () => {
  await using e = testEngine();
  armHold();
  const running = waits.runWith({ plane: e.plane });
  try {
    await until(
      () =>
        e.engine.listRuns({ kind: "task", name: "hold" }).items.some((t) => t.state === "RUNNING"),
      "the hold task to run",
    );
    const runId = e.engine.listRuns({ kind: "flow", name: "ui-waits" }).items[0]!.id;
    for (const expanded of [false, true]) {
      const page = await graphPage(e.engine, runId, expanded);
      assert.equal(nodeClass(page, "plan:load#0"), "node task planned");
      assert.equal(nodeClass(page, "plan:publish#0"), "node task planned");
      assert.equal(nodeClass(page, "plan:hold#0"), null, "hold is running");
      assert.equal(nodeClass(page, "plan:extract#0"), null);
      // The subflow ran: drawn as its run, not as a planned node.
      assert.equal(nodeClass(page, "plan:subflow:ui-notify#0"), null);
      assert.match(page, /<g class="node subflow" data-node="subflow:/);
      assert.doesNotMatch(page, /unreachable/);
      assert.match(page, /planned, not run yet/);
      // hold -> load (from a running node) and load -> publish.
      assert.equal(page.match(/class="edge data planned"/g)?.length, 2);
      assert.match(page, /planned · 2</);
    }
  } finally {
    openHold();
  }
  const outcome = await running;
  assert.equal(outcome.state.type, "COMPLETED");
  await e.engine.flush();
  assert.doesNotMatch(await graphPage(e.engine, outcome.runId), /data-plan=/);
});

Deno.test("planned node names from the stored plan are escaped", async () => {
  await using e = testEngine();
  const outcome = await failsMidway.runWith({ plane: e.plane });
  await e.engine.flush();
  const plan = latestPlan(e.engine.reader, "ui-fails-midway") as Plan;
  // Same fingerprint, so the run still uses it (a plan posted through the API).
  await savePlan(e.engine, Date.now(), "ui-fails-midway", {
    ...plan,
    nodes: [...plan.nodes, {
      id: `"><script>alert(1)</script>#0`,
      taskName: "<img src=x onerror=alert(2)>",
      op: "call",
    }],
    edges: [...plan.edges, {
      from: "transform#0",
      to: `"><script>alert(1)</script>#0`,
      kind: "waitFor",
    }],
  });
  const page = await graphPage(e.engine, outcome.runId);
  assert.doesNotMatch(page, /<script>alert/);
  assert.doesNotMatch(page, /<img src=x/);
  assert.match(page, />&lt;img src=x onerror=al…<\/text>/);
  assert.match(page, /data-node="plan:&quot;>&lt;script>alert\(1\)&lt;\/script>#0"/);
  assert.match(page, /class="edge waitFor planned"/);
  assert.match(page, /unreachable · 4</);
});

Deno.test("many planned nodes fold by task name within the node budget", async () => {
  await using e = testEngine();
  const outcome = await failsMidway.runWith({ plane: e.plane });
  await e.engine.flush();
  const plan = latestPlan(e.engine.reader, "ui-fails-midway") as Plan;
  const extra = Array.from({ length: 300 }, (_, i) => ({
    id: `archive#${i}`,
    taskName: "archive",
    op: "call",
  }));
  await savePlan(e.engine, Date.now(), "ui-fails-midway", {
    ...plan,
    nodes: [...plan.nodes, ...extra],
    edges: [...plan.edges, ...extra.map((n) => ({ from: "publish#0", to: n.id, kind: "data" }))],
  });
  const page = await graphPage(e.engine, outcome.runId);
  assert.match(page, /Mode: <strong>by-name</);
  assert.match(page, /task calls and planned nodes: grouped by task name/);
  assert.equal(nodeClass(page, "plan:unreachable:archive"), "node task unreachable");
  assert.match(page, /unreachable · ×300</);
  assert.match(page, /unreachable · 303</);
  assert.ok((page.match(/<g class="node/g)?.length ?? 0) < 20);
  const expanded = await graphPage(e.engine, outcome.runId, true);
  assert.match(expanded, /task runs and planned nodes are too many to draw one by one/);
});
