import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { systemClock } from "../../engine/mod.ts";
import { testEngine } from "./_fixtures.ts";

Deno.test("limit forms refuse a forged token and change nothing", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: systemClock });
  const create = await app.request("/concurrency-limits", {
    method: "POST",
    body: new URLSearchParams({ _csrf: "forged", name: "db", limit: "2" }),
  });
  assert.equal(create.status, 403);
  assert.deepEqual(t.engine.reader.concurrencyLimits(), []);
  const change = await app.request("/concurrency-limits/db", {
    method: "POST",
    body: new URLSearchParams({ _csrf: "forged", limit: "9" }),
  });
  assert.equal(change.status, 403);
});

Deno.test("a limit form with a value that is not a number says so and changes nothing", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: systemClock });
  const page = await (await app.request("/concurrency-limits")).text();
  const token = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const res = await app.request("/concurrency-limits", {
    method: "POST",
    body: new URLSearchParams({ _csrf: token, name: "db", limit: "many" }),
  });
  assert.equal(res.status, 303);
  const shown = await (await app.request(res.headers.get("location")!)).text();
  assert.match(shown, /Not created: limit: /);
  assert.deepEqual(t.engine.reader.concurrencyLimits(), []);
});
