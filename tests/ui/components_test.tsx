import assert from "node:assert/strict";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import {
  ActivityChart,
  ArtifactView,
  DEFAULT_FILTERS,
  Pager,
  RunGraph,
  RunsPage,
  type RunsPageProps,
  RunTable,
  StateBadge,
  StateChips,
  TimelineChart,
} from "../../ui/mod.ts";
import { CTX, NOW, runRecord } from "./_fixtures.ts";

// Precompiled JSX leaves a double space where a `key` was; one space reads better in asserts.
function render(node: VNode): string {
  return renderToString(node).replace(/<(\w+)\s+>/g, "<$1>").replace(/<(\w+)\s+/g, "<$1 ");
}

function runsPage(overrides: Partial<RunsPageProps> = {}): string {
  return render(
    <RunsPage
      ctx={CTX}
      filters={DEFAULT_FILTERS}
      rows={[]}
      flowNames={[]}
      activity={{ since: NOW - 3_600_000, until: NOW, bucketMs: 600_000, buckets: [] }}
      stateCounts={{}}
      nextCursor={null}
      paged={false}
      storeEmpty={false}
      {...overrides}
    />,
  );
}

Deno.test("StateBadge shows the state name, colour class and the run it updates", () => {
  const html = render(<StateBadge state="RUNNING" name="Retrying" runId="r-7" />);
  assert.match(html, /class="badge s-RUNNING"/);
  assert.match(html, /data-badge-for="r-7"/);
  assert.match(html, /data-state="RUNNING"/);
  assert.match(html, />Retrying</);
});

Deno.test("RunTable escapes a run and flow name that contain a script tag", () => {
  const evil = "<script>alert(1)</script>";
  const html = render(
    <RunTable
      rows={[{ run: runRecord({ runName: evil, flowName: evil, name: evil }), tasks: {} }]}
      now={NOW}
    />,
  );
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script>alert\(1\)&lt;\/script>/);
  assert.match(html, /href="\/flows\/%3Cscript%3Ealert\(1\)%3C%2Fscript%3E"/);
});

Deno.test("RunTable shows tasks done of total, failures, duration and deployment", () => {
  const html = render(
    <RunTable
      rows={[{
        run: runRecord({ deploymentId: "nightly" }),
        tasks: { COMPLETED: 8, FAILED: 2 },
      }]}
      now={NOW}
    />,
  );
  assert.match(html, />8\/10</);
  assert.match(html, /2 failed/);
  assert.match(html, />29s</);
  assert.match(html, />nightly</);
});

Deno.test("RunsPage tells a newcomer how to get a first run when the store is empty", () => {
  const html = runsPage({ storeEmpty: true });
  assert.match(html, /No flow runs yet/);
  assert.match(html, /deno task demo/);
  assert.match(html, /ironflow run/);
});

Deno.test("RunsPage says when filters match nothing and offers to clear them", () => {
  const html = runsPage({ filters: { ...DEFAULT_FILTERS, states: ["FAILED"] } });
  assert.match(html, /No runs match these filters/);
  assert.match(html, /href="\/\?range=all"/);
});

Deno.test("RunsPage subscribes to the event stream and loads the assets", () => {
  const html = runsPage();
  assert.match(html, /data-stream="\/api\/stream\/events"/);
  assert.match(html, /<link rel="stylesheet" href="\/assets\/app.css\?v=test"/);
  assert.match(html, /<script src="\/assets\/live.js\?v=test" defer>/);
});

Deno.test("StateChips toggle states in the URL and keep the other filters", async (t) => {
  const filters = { ...DEFAULT_FILTERS, flow: "etl", states: ["FAILED" as const] };
  const html = render(<StateChips filters={filters} counts={{ FAILED: 3, COMPLETED: 5 }} />);
  await t.step("an active chip links to the page without it", () => {
    assert.match(html, /href="\/\?flow=etl" aria-current="true" data-chip="FAILED"/);
  });
  await t.step("an inactive chip adds its state", () => {
    assert.match(html, /href="\/\?state=FAILED&amp;state=RUNNING&amp;flow=etl"/);
  });
  await t.step("counts appear next to each state and in All", () => {
    assert.match(html, /Failed <span class="n">3<\/span>/);
    assert.match(html, /All <span class="n">8<\/span>/);
  });
});

Deno.test("RunsPage reflects its filters in the form and in the next-page link", () => {
  const html = runsPage({
    filters: { ...DEFAULT_FILTERS, q: "nightly", flow: "etl", range: "7d" },
    flowNames: ["etl", "report"],
    rows: [{ run: runRecord(), tasks: {} }],
    nextCursor: "abc",
  });
  assert.match(html, /<option value="etl" selected>/);
  assert.match(html, /name="q" value="nightly"/);
  assert.match(html, /<option value="7d" selected>/);
  assert.match(html, /href="\/\?flow=etl&amp;q=nightly&amp;range=7d&amp;cursor=abc" rel="next"/);
});

Deno.test("Pager links to the first page only when paged, and to the next page when there is one", () => {
  assert.equal(render(<Pager firstHref={null} nextHref={null} />), "");
  const html = render(<Pager firstHref="/" nextHref="/?cursor=x" />);
  assert.match(html, /href="\/"/);
  assert.match(html, /href="\/\?cursor=x" rel="next"/);
});

Deno.test("ActivityChart stacks bars by state and links each bucket", () => {
  const html = render(
    <ActivityChart
      data={{
        since: NOW - 1_200_000,
        until: NOW,
        bucketMs: 600_000,
        buckets: [
          { start: NOW - 1_200_000, counts: { COMPLETED: 4, FAILED: 1 } },
          { start: NOW - 600_000, counts: {} },
        ],
      }}
      bucketHref={(from, to) => `/?from=${from}&to=${to}`}
    />,
  );
  assert.match(html, /class="bar f-COMPLETED"/);
  assert.match(html, /class="bar f-FAILED"/);
  assert.match(html, /4 completed, 1 failed/);
  assert.match(html, new RegExp(`href="/\\?from=${NOW - 1_200_000}&amp;to=${NOW - 600_000}"`));
});

Deno.test("TimelineChart draws one bar per attempt so retries are visible", () => {
  const task = runRecord({ id: "t1", kind: "task", runName: "transform-0", runCount: 2 });
  const html = render(
    <TimelineChart
      start={NOW - 10_000}
      end={NOW}
      rows={[{
        run: task,
        segments: [
          { start: NOW - 9_000, end: NOW - 8_000, state: "FAILED" },
          { start: NOW - 7_000, end: NOW - 5_000, state: "COMPLETED" },
        ],
      }]}
    />,
  );
  assert.match(html, /transform-0 ×2/);
  assert.equal(html.match(/class="bar f-/g)?.length, 2);
  assert.match(html, /attempt 1: failed/);
  assert.match(html, /attempt 2: completed/);
});

Deno.test("RunGraph draws nodes with counts and edges, and links subflows", () => {
  const html = render(
    <RunGraph
      graph={{
        mode: "logical",
        width: 400,
        height: 60,
        notice: null,
        nodes: [
          {
            id: "extract#0",
            kind: "map",
            label: "extract",
            detail: "×3 runs",
            x: 90,
            y: 25,
            width: 180,
            height: 50,
            counts: { COMPLETED: 2, FAILED: 1 },
            href: null,
            runId: null,
          },
          {
            id: "subflow:s1",
            kind: "subflow",
            label: "<b>load</b>",
            detail: "subflow · Completed",
            x: 310,
            y: 25,
            width: 180,
            height: 50,
            counts: { COMPLETED: 1 },
            href: "/runs/s1",
            runId: "s1",
          },
        ],
        edges: [{
          from: "extract#0",
          to: "subflow:s1",
          kind: "data",
          count: 3,
          points: [{ x: 180, y: 25 }, { x: 220, y: 25 }],
        }],
      }}
    />,
  );
  assert.match(html, /×3 runs/);
  assert.match(html, /class="f-FAILED"/);
  assert.match(html, /<a href="\/runs\/s1">/);
  assert.match(html, /&lt;b>load&lt;\/b>/);
  assert.match(html, /<path class="edge data" d="M 180.0 25.0 L 220.0 25.0"/);
});

Deno.test("ArtifactView renders markdown safely: raw HTML escaped, script links dropped", () => {
  const html = render(
    <ArtifactView
      artifact={{
        id: "a1",
        key: "report",
        type: "markdown",
        description: null,
        data: "# Done\n\n<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n" +
          "[click](javascript:alert(1)) [docs](https://example.com)",
        createdAt: NOW,
      }}
    />,
  );
  assert.match(html, /<h1>Done<\/h1>/);
  assert.doesNotMatch(html, /<script>/);
  assert.doesNotMatch(html, /<img/);
  assert.doesNotMatch(html, /href="javascript:/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(
    html,
    /<a href="https:\/\/example.com" rel="noopener noreferrer nofollow">docs<\/a>/,
  );
});

Deno.test("ArtifactView renders tables, links and progress", async (t) => {
  const artifact = (type: string, data: unknown) =>
    render(
      <ArtifactView
        artifact={{ id: "a", key: null, type, description: "d", data, createdAt: NOW }}
      />,
    );
  await t.step("a table of objects gets a header per key, cells escaped", () => {
    const html = artifact("table", [{ city: "Oslo", n: 3 }, { city: "<b>Rome</b>", n: 5 }]);
    assert.match(html, /<th>city<\/th><th>n<\/th>/);
    assert.match(html, /<td>&lt;b>Rome&lt;\/b><\/td>/);
  });
  await t.step("a table of arrays has no header", () => {
    const html = artifact("table", [[1, 2], [3, 4]]);
    assert.match(html, /<td>3<\/td><td>4<\/td>/);
  });
  await t.step("an http link is a link; anything else is text", () => {
    assert.match(artifact("link", { url: "https://x.io", text: "X" }), /<a href="https:\/\/x.io"/);
    assert.doesNotMatch(artifact("link", { url: "javascript:alert(1)" }), /<a href/);
  });
  await t.step("progress shows a bar and a percentage", () => {
    const html = artifact("progress", 42);
    assert.match(html, /<progress value="42" max="100">/);
    assert.match(html, />42%</);
  });
});
