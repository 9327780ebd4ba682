import assert from "node:assert/strict";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { type GraphLayout, GraphLegend, type GraphNode, RunGraph } from "../../ui/mod.ts";

function render(node: VNode): string {
  return renderToString(node).replace(/<(\w+)\s+>/g, "<$1>").replace(/<(\w+)\s+/g, "<$1 ");
}

function node(overrides: Partial<GraphNode> & { id: string }): GraphNode {
  return {
    kind: "task",
    label: overrides.id,
    detail: "",
    x: 90,
    y: 25,
    width: 180,
    height: 50,
    counts: {},
    href: null,
    runId: null,
    ...overrides,
  };
}

const GRAPH: GraphLayout = {
  mode: "logical",
  width: 600,
  height: 60,
  notice: null,
  nodes: [
    node({ id: "transform#0", counts: { FAILED: 1 }, detail: "transform#0", runId: "t1" }),
    node({
      id: "plan:load#0",
      kind: "map",
      label: "<b>load</b>",
      detail: "unreachable · map",
      plan: "unreachable",
      title: "load#0: unreachable",
      x: 310,
    }),
    node({ id: "plan:audit#0", detail: "planned", plan: "planned", x: 530 }),
  ],
  edges: [{
    from: "transform#0",
    to: "plan:load#0",
    kind: "data",
    count: 1,
    planned: true,
    points: [{ x: 180, y: 25 }, { x: 220, y: 25 }],
  }],
  plan: { status: "used", planned: 1, unreachable: 1, dynamic: false },
};

Deno.test("RunGraph draws planned and unreachable nodes and planned edges with their own classes", () => {
  const html = render(<RunGraph graph={GRAPH} />);
  assert.match(html, /<g class="node task" data-node="transform#0" data-run-id="t1"/);
  assert.match(
    html,
    /<g class="node map unreachable" data-node="plan:load#0"[^>]*data-plan="unreachable"/,
  );
  assert.match(
    html,
    /<g class="node task planned" data-node="plan:audit#0"[^>]*data-plan="planned"/,
  );
  assert.match(html, /<title>load#0: unreachable<\/title>/);
  assert.match(html, /&lt;b>load&lt;\/b>|&lt;b&gt;load&lt;\/b&gt;/);
  assert.doesNotMatch(html, /<b>load/);
  assert.match(html, /<path class="edge data planned"/);
  assert.match(html, /<title>planned, data: 1<\/title>/);
  // Planned nodes have no runs: no state bar.
  assert.equal(html.match(/class="f-/g)?.length, 1);
});

Deno.test("GraphLegend keys planned and unreachable nodes, dynamic plans and stale plans", () => {
  const used = render(<GraphLegend graph={GRAPH} />);
  assert.match(used, /<div class="legend">/);
  assert.match(used, /Mode: <strong>logical<\/strong>/);
  assert.match(used, /<i class="k-edge data"><\/i>data/);
  assert.match(used, /<i class="k-edge waitFor"><\/i>waits for/);
  assert.match(used, /<i class="k-planned"><\/i>planned · 1/);
  assert.match(used, /<i class="k-unreachable"><\/i>unreachable · 1/);
  assert.match(used, /<i class="k-edge planned"><\/i>planned edge/);
  assert.doesNotMatch(used, /dynamic|code changed/);

  const dynamic = render(
    <GraphLegend
      graph={{ ...GRAPH, plan: { status: "used", planned: 1200, unreachable: 0, dynamic: true } }}
    />,
  );
  assert.match(dynamic, /planned · 1,200/);
  assert.doesNotMatch(dynamic, /k-unreachable/);
  assert.match(dynamic, /Parts of the plan are dynamic/);

  const stale = render(
    <GraphLegend
      graph={{ ...GRAPH, plan: { status: "stale", planned: 0, unreachable: 0, dynamic: false } }}
    />,
  );
  assert.match(stale, /code changed since this run/);
  assert.doesNotMatch(stale, /k-planned|k-unreachable/);

  const { plan: _, ...none } = GRAPH;
  const plain = render(<GraphLegend graph={none} />);
  assert.doesNotMatch(plain, /k-planned|k-unreachable|code changed|planned edge/);
});
