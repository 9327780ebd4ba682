import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import {
  acquireSlots,
  activeSlotsOf,
  createConcurrencyLimit,
  systemClock,
} from "../../engine/mod.ts";
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

Deno.test("the reset form frees a limit's held slots after a confirmation step; a forged reset frees nothing", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: systemClock });
  await createConcurrencyLimit(t.engine, { name: "db", limit: 2 });
  for (let i = 0; i < 2; i++) await acquireSlots(t.engine, systemClock, { names: ["db"] });
  const active = () =>
    t.engine.transact((tx) =>
      activeSlotsOf(tx, t.engine.reader.getConcurrencyLimit("db")!, systemClock.now())
    );
  const page = await (await app.request("/concurrency-limits")).text();
  const token = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
  // The page shows the slots held now, and asks before resetting them.
  assert.match(page, /<td>db<\/td><td class="num">2<\/td>/);
  assert.match(
    page,
    /<details class="confirm" data-reset="db">[^]*Free all 2 slots in use of db\?/,
  );

  for (
    const [label, init] of [
      ["forged token", { body: new URLSearchParams({ _csrf: "forged" }) }],
      ["cross-origin", {
        body: new URLSearchParams({ _csrf: token }),
        headers: { origin: "https://evil.example" },
      }],
    ] as const
  ) {
    const refused = await app.request("/concurrency-limits/db/reset", { method: "POST", ...init });
    assert.equal(refused.status, 403, label);
    assert.equal(await active(), 2, label);
  }

  const res = await app.request("/concurrency-limits/db/reset", {
    method: "POST",
    body: new URLSearchParams({ _csrf: token }),
  });
  assert.equal(res.status, 303);
  assert.equal(await active(), 0);
  const shown = await (await app.request(res.headers.get("location")!)).text();
  assert.match(shown, /Concurrency limit &quot;db&quot; reset: 2 slots freed\./);
  assert.match(shown, /<td>db<\/td><td class="num">0<\/td>/);

  const missing = await app.request("/concurrency-limits/nope/reset", {
    method: "POST",
    body: new URLSearchParams({ _csrf: token }),
  });
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /Concurrency limit &quot;nope&quot; does not exist/);
});
