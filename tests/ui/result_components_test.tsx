import assert from "node:assert/strict";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import {
  ArtifactView,
  formatBytes,
  ResultLink,
  type ResultView,
  TaskRunTable,
} from "../../ui/mod.ts";
import { RunHeader } from "../../ui/components/run_header.tsx";
import { NOW, runRecord } from "./_fixtures.ts";

function render(node: VNode): string {
  return renderToString(node).replace(/<(\w+)\s+>/g, "<$1>").replace(/<(\w+)\s+/g, "<$1 ");
}

const REF = `sha256:${"ab".repeat(32)}`;
const HREF = `/api/results/sha256%3A${"ab".repeat(32)}`;
const LARGE: ResultView = { kind: "ref", ref: REF, size: 3 * 1024 * 1024, encoding: "json" };

Deno.test("formatBytes() names bytes in binary units", () => {
  assert.deepEqual(
    [0, 1023, 1536, 64 * 1024, 3 * 1024 * 1024, 5 * 1024 ** 3].map(formatBytes),
    ["0 B", "1023 B", "1.50 KiB", "64.0 KiB", "3.00 MiB", "5.00 GiB"],
  );
});

Deno.test("ResultLink shows a large result's size and a download link to /api/results/{ref}", () => {
  const html = render(<ResultLink result={LARGE} />);
  assert.match(html, new RegExp(`data-result-ref="${REF}"`));
  assert.match(html, new RegExp(`<a href="${HREF}" download="result-abababababab.json">`));
  assert.match(html, /3\.00 MiB · json/);
  const bytes = render(
    <ResultLink result={{ kind: "ref", ref: REF, size: null, encoding: "bytes" }} />,
  );
  assert.match(bytes, /download="result-abababababab.bin"/);
  assert.match(bytes, /size unknown · bytes/);
});

Deno.test("ResultLink shows an inline result's preview as escaped text, without a link", () => {
  const html = render(<ResultLink result={{ kind: "inline", preview: '{"a":"<b>"}' }} />);
  assert.equal(html, '<code class="small">{&quot;a&quot;:&quot;&lt;b>&quot;}</code>');
});

Deno.test("TaskRunTable shows each completed task run's result in its row", () => {
  const tasks = [
    runRecord({ id: "t1", kind: "task", runName: "big-1" }),
    runRecord({ id: "t2", kind: "task", runName: "small-1" }),
    runRecord({ id: "t3", kind: "task", runName: "running-1", state: "RUNNING" }),
  ];
  const results = new Map<string, ResultView>([
    ["t1", LARGE],
    ["t2", { kind: "inline", preview: "42" }],
  ]);
  const html = render(
    <TaskRunTable flowRunId="run-1" tasks={tasks} now={NOW} results={results} />,
  );
  assert.match(html, /<th>Result<\/th>/);
  const row = (id: string) => html.slice(html.indexOf(`data-run-id="${id}"`)).split("</tr>")[0]!;
  assert.match(row("t1"), new RegExp(`href="${HREF}"`));
  assert.match(row("t2"), /<code class="small">42<\/code>/);
  assert.doesNotMatch(row("t3"), /api\/results|<code/);
  // Without results (older callers) the column is empty.
  assert.doesNotMatch(
    render(<TaskRunTable flowRunId="run-1" tasks={tasks} now={NOW} />),
    /api\/results/,
  );
});

Deno.test("RunHeader shows the flow run's result once it has one", () => {
  const run = runRecord();
  assert.doesNotMatch(render(<RunHeader run={run} tasks={{}} now={NOW} />), /<dt>Result/);
  const html = render(<RunHeader run={run} tasks={{}} now={NOW} result={LARGE} />);
  assert.match(html, /<dt>Result<\/dt><dd><span class="result"/);
  assert.match(html, new RegExp(`href="${HREF}"`));
});

Deno.test("ArtifactView renders a result artifact's reference as its size and a download link", async (t) => {
  const artifact = (data: unknown) => ({
    id: "a1",
    key: null,
    type: "result",
    description: 'Result of task run "big-1"',
    data,
    createdAt: NOW,
  });
  await t.step("large result", () => {
    const html = render(<ArtifactView artifact={artifact({ ref: REF, size: 2048 })} />);
    assert.match(html, new RegExp(`<a href="${HREF}"`));
    assert.match(html, /2\.00 KiB/);
    assert.doesNotMatch(html, /<pre>/);
  });
  await t.step("inline value, even one shaped like a reference", () => {
    for (const data of [{ rows: 3 }, { ref: "elsewhere", size: 1 }, { ref: REF, size: 1, x: 1 }]) {
      const html = render(<ArtifactView artifact={artifact(data)} />);
      assert.match(html, /<pre>/);
      assert.doesNotMatch(html, /api\/results/);
    }
  });
});
