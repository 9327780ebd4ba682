import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { acceptsGzip } from "../../server/compress_html.ts";
import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../../engine/mod.ts";

Deno.test("acceptsGzip() honours q=0 and the wildcard", async (t) => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ["", false],
    ["gzip", true],
    ["br, gzip;q=0.5", true],
    ["gzip;q=0", false],
    ["identity", false],
    ["*", true],
    ["deflate, GZIP", true],
  ];
  for (const [header, expected] of cases) {
    await t.step(String(header), () => assert.equal(acceptsGzip(header), expected));
  }
});

Deno.test("pages are gzipped when accepted, plain otherwise; JSON never", async () => {
  const clock = new FakeClock();
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  const app = createApp({ engine, clock });
  const gz = await app.request("/flows", { headers: { "accept-encoding": "gzip" } });
  assert.equal(gz.headers.get("content-encoding"), "gzip");
  const html = await new Response(gz.body!.pipeThrough(new DecompressionStream("gzip"))).text();
  assert.match(html, /<h1>Flows<\/h1>/);

  const plain = await app.request("/flows");
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.match(await plain.text(), /<h1>Flows<\/h1>/);

  const api = await app.request("/api/flows", { headers: { "accept-encoding": "gzip" } });
  assert.equal(api.headers.get("content-encoding"), null);
  await api.body?.cancel();
  await engine.close();
});
