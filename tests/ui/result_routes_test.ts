import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { createEngine, createIdSource, createMemoryStore, systemClock } from "../../engine/mod.ts";
import { createLocalControlPlane, flow, task } from "../../sdk/mod.ts";
import { createMemoryResultStore, resultRef } from "../../sdk/results.ts";

const KEY = "s3cret-key";
const BLOB = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);

const blob = task(() => BLOB, { name: "blob", persistResult: true });
const small = task(() => ({ rows: 3 }), { name: "small", persistResult: true });
const exportFlow = flow({ name: "export", persistResult: true }, async () => {
  await blob();
  await small();
  return "x".repeat(70_000);
});

/** An app with an API key over an engine whose large results go to the app's result store. */
async function fixture() {
  const engine = createEngine({
    store: createMemoryStore(),
    clock: systemClock,
    ids: createIdSource(),
  });
  const results = createMemoryResultStore();
  const plane = createLocalControlPlane(engine, systemClock, results);
  const app = createApp({ engine, clock: systemClock, results, apiKey: KEY });
  const { runId } = await exportFlow.runWith({ plane });
  const login = await app.request("/login", {
    method: "POST",
    body: new URLSearchParams({ key: KEY, next: "/" }),
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  return {
    app,
    runId,
    cookie,
    [Symbol.asyncDispose]: () => engine.close(),
  };
}

function downloadLinks(page: string): string[] {
  return [...page.matchAll(/<a href="(\/api\/results\/[^"]+)" download=/g)].map((m) => m[1]!);
}

Deno.test("run page links large results to their download, with their sizes", async () => {
  await using f = await fixture();
  const page = await (await f.app.request(`/runs/${f.runId}`, {
    headers: { cookie: f.cookie },
  })).text();
  const links = downloadLinks(page);
  assert.equal(links.length, 2, "the flow run's result in the header, the blob task's in its row");
  assert.match(page, /68\.4 KiB · json/, "the flow run's 70,002-byte JSON string");
  assert.match(page, /97\.7 KiB · bytes/, "the task's 100,000 bytes");
  assert.match(
    page,
    /<code class="small">\{&quot;rows&quot;:3\}<\/code>/,
    "inline result previewed",
  );
});

Deno.test("the dashboard's session cookie authorises the result download, as the bearer key does", async (t) => {
  await using f = await fixture();
  const page = await (await f.app.request(`/runs/${f.runId}`, {
    headers: { cookie: f.cookie },
  })).text();
  const bytesHref = `/api/results/${encodeURIComponent(await resultRef(BLOB))}`;
  assert.ok(downloadLinks(page).includes(bytesHref), "the page links the blob task's result");
  await t.step("session cookie", async () => {
    const res = await f.app.request(bytesHref, { headers: { cookie: f.cookie } });
    assert.equal(res.status, 200);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), BLOB);
  });
  await t.step("bearer key", async () => {
    const res = await f.app.request(bytesHref, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), BLOB);
  });
  await t.step("neither", async () => {
    const res = await f.app.request(bytesHref);
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
  await t.step("a wrong cookie", async () => {
    const res = await f.app.request(bytesHref, { headers: { cookie: "ironflow_session=guess" } });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
  await t.step("the cookie does not authorise an upload", async () => {
    const res = await f.app.request(bytesHref, {
      method: "PUT",
      headers: { cookie: f.cookie, "content-type": "application/octet-stream" },
      body: BLOB,
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });
});
