import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import type { FlowListing } from "../../engine/catalog/mod.ts";
import { archiveFlow, renameFlow, setRetention } from "../../engine/catalog/mod.ts";
import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../../engine/mod.ts";
import { createApp } from "../../server/app.ts";
import { FlowTable } from "../../ui/components/flow_table.tsx";
import { FlowsPage } from "../../ui/mod.ts";
import { CTX, NOW } from "./_fixtures.ts";

function listing(overrides: Partial<FlowListing> = {}): FlowListing {
  return {
    id: "f1",
    name: "etl",
    formerly: [],
    archived: false,
    retentionDays: null,
    runs: 3,
    lastRun: { id: "r1", state: "COMPLETED", createdAt: NOW - 60_000 },
    ...overrides,
  };
}

function row(html: string, name: string): string {
  const match = html.match(new RegExp(`<tr[^>]*data-flow="${name}"[^>]*>.*?</tr>`, "s"));
  assert.ok(match, `a row for "${name}"`);
  return match[0];
}

Deno.test("FlowTable shows the archived flag, former names and retention", () => {
  const html = renderToString(
    <FlowTable
      flows={[
        listing({ archived: true, formerly: ["etl-old", "<b>x</b>"], retentionDays: 30 }),
        listing({ id: null, name: "report", retentionDays: 1 }),
        listing({ id: "f3", name: "sync" }),
      ]}
    />,
  );
  const etl = row(html, "etl");
  assert.match(etl, /href="\/flows\/etl"/);
  assert.match(etl, />Archived</);
  assert.match(etl, /formerly etl-old, &lt;b>x&lt;\/b>/, "former names are escaped");
  assert.match(etl, />30 days</);
  assert.match(row(html, "report"), />1 day</);
  const sync = row(html, "sync");
  assert.match(sync, />kept</);
  assert.doesNotMatch(sync, /Archived|formerly/);
  assert.match(sync, /href="\/runs\/r1"/);
});

Deno.test("FlowsPage marks the archived filter and keeps the empty state per filter", () => {
  const active = renderToString(<FlowsPage ctx={CTX} flows={[]} />);
  assert.match(active, /class="chip on" href="\/flows" aria-current="true"/);
  assert.match(active, /No flows have run yet/);
  const all = renderToString(<FlowsPage ctx={CTX} flows={[listing()]} archived />);
  assert.match(all, /class="chip on" href="\/flows\?archived=true"/);
  assert.match(all, /data-flow="etl"/);
});

Deno.test("GET /flows lists the catalog: archived only on request, former names merged", async () => {
  const clock = new FakeClock(NOW);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  try {
    for (const name of ["etl", "etl", "report", "old-job"]) await engine.createFlowRun({ name });
    await renameFlow(engine, clock, "etl", "etl-v2");
    await engine.createFlowRun({ name: "etl-v2" });
    await setRetention(engine, clock, "etl-v2", 14);
    await archiveFlow(engine, clock, "old-job");
    const app = createApp({ engine, clock });
    const page = await (await app.request("/flows")).text();
    const etl = row(page, "etl-v2");
    assert.match(etl, /formerly etl/);
    assert.match(etl, />14 days</);
    assert.match(etl, /<td class="num">3<\/td>/, "runs under the old name count");
    assert.doesNotMatch(page, /data-flow="etl"/, "the old name is not a flow of its own");
    assert.doesNotMatch(page, /data-flow="old-job"/, "archived flows are hidden");
    assert.match(row(page, "report"), />kept</);
    const all = await (await app.request("/flows?archived=true")).text();
    assert.match(row(all, "old-job"), />Archived</);
  } finally {
    await engine.close();
  }
});

Deno.test("GET /flows/:name leads a former name or the flow id to the renamed flow's page", async () => {
  const clock = new FakeClock(NOW);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  try {
    const old = await engine.createFlowRun({ name: "etl" });
    const flow = await renameFlow(engine, clock, "etl", "etl-v2");
    const app = createApp({ engine, clock });
    for (const path of ["/flows/etl", `/flows/${flow.id}`]) {
      const res = await app.request(path);
      assert.equal(res.status, 302, path);
      assert.equal(res.headers.get("location"), "/flows/etl-v2");
    }
    // No run under the new name yet: the old name's runs are the flow's.
    const page = await (await app.request("/flows/etl-v2")).text();
    assert.match(page, /<h1>etl-v2<\/h1>/);
    assert.match(page, /data-formerly>Formerly etl:/);
    assert.match(page, /<strong>1<\/strong> runs/);
    assert.match(page, new RegExp(`data-run-id="${old.id}"`));
    assert.equal((await app.request("/flows/etl-v3")).status, 404);
  } finally {
    await engine.close();
  }
});

Deno.test("GET /flows/:name pages through the runs under every name of the flow", async () => {
  const clock = new FakeClock(NOW);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  try {
    const created: string[] = [];
    for (let i = 0; i < 35; i++) {
      if (i === 20) await renameFlow(engine, clock, "etl", "etl-v2");
      // Two runs per millisecond: ties are broken the same way on every page.
      if (i % 2 === 0) clock.tick(1);
      created.push((await engine.createFlowRun({ name: i < 20 ? "etl" : "etl-v2" })).id);
    }
    const app = createApp({ engine, clock });
    const seen: string[] = [];
    let path: string | null = "/flows/etl-v2";
    for (let pages = 0; path !== null; pages++) {
      assert.ok(pages < 3, "two pages");
      const page: string = await (await app.request(path)).text();
      assert.match(page, /<strong>35<\/strong> runs/);
      seen.push(...[...page.matchAll(/<tr[^>]*data-run-id="([^"]+)"/g)].map((m) => m[1]!));
      const next: string | undefined = page.match(/href="([^"]+)" rel="next"/)?.[1];
      path = next === undefined ? null : next.replaceAll("&amp;", "&");
    }
    assert.deepEqual([...seen].sort(), [...created].sort(), "each run once");
    const at = seen.map((id) => engine.reader.getRun(id)!.createdAt);
    assert.deepEqual(at, [...at].sort((a, b) => b - a), "newest first");
    const bad = await app.request("/flows/etl-v2?cursor=not-a-cursor");
    assert.equal(bad.status, 302);
  } finally {
    await engine.close();
  }
});
