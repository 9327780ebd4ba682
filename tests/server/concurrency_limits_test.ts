import assert from "node:assert/strict";
import { assertError, call, testServer } from "./_helpers.ts";

Deno.test("concurrency limits: create, read, list, change and delete", async () => {
  const { app, clock } = testServer();
  const created = await call(app, "/api/concurrency-limits", { body: { name: "db", limit: 3 } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body, {
    name: "db",
    limit: 3,
    slot_decay_per_second: 0,
    active_slots: 0,
    created_at: new Date(clock.now()).toISOString(),
    updated_at: new Date(clock.now()).toISOString(),
  });
  await call(app, "/api/concurrency-limits", {
    body: { name: "api", limit: 0, slot_decay_per_second: 0.5 },
  });
  const listed = await call(app, "/api/concurrency-limits");
  assert.deepEqual(listed.body.items.map((l: { name: string }) => l.name), ["api", "db"]);
  assert.equal(listed.body.next_cursor, null);

  clock.tick(1000);
  const patched = await call(app, "/api/concurrency-limits/db", {
    method: "PATCH",
    body: { limit: 5 },
  });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.limit, 5);
  assert.equal(patched.body.updated_at, new Date(clock.now()).toISOString());
  assert.equal((await call(app, "/api/concurrency-limits/db")).body.limit, 5);

  const deleted = await app.request("/api/concurrency-limits/db", {
    method: "DELETE",
    headers: { "content-type": "application/json" },
  });
  assert.equal(deleted.status, 204);
  assertError(await call(app, "/api/concurrency-limits/db"), 404, "concurrency_limit_not_found");
  assertError(
    await call(app, "/api/concurrency-limits/db", { method: "DELETE" }),
    404,
    "concurrency_limit_not_found",
  );
});

Deno.test("concurrency limits: bad input answers 400 or 409 and stores nothing", async (t) => {
  const { app, engine } = testServer();
  await call(app, "/api/concurrency-limits", { body: { name: "db", limit: 1 } });
  const bad: Array<[string, unknown]> = [
    ["negative limit", { name: "x", limit: -1 }],
    ["fractional limit", { name: "x", limit: 1.5 }],
    ["limit as text", { name: "x", limit: "3" }],
    ["missing name", { limit: 1 }],
    ["bad name", { name: "a b", limit: 1 }],
    ["unknown field", { name: "x", limit: 1, active_slots: 4 }],
    ["negative decay", { name: "x", limit: 1, slot_decay_per_second: -1 }],
  ];
  for (const [label, body] of bad) {
    await t.step(label, async () => {
      assertError(await call(app, "/api/concurrency-limits", { body }), 400, "invalid_request");
    });
  }
  assertError(
    await call(app, "/api/concurrency-limits", { body: { name: "db", limit: 2 } }),
    409,
    "conflict",
  );
  assertError(
    await call(app, "/api/concurrency-limits/db", { method: "PATCH", body: {} }),
    400,
    "invalid_request",
  );
  assertError(
    await call(app, "/api/concurrency-limits/db", { method: "PATCH", body: { limit: -2 } }),
    400,
    "invalid_request",
  );
  assert.deepEqual(engine.reader.concurrencyLimits().map((l) => [l.name, l.limit]), [["db", 1]]);
});

Deno.test("concurrency leases: acquire counts active slots, release and renew", async () => {
  const { app, clock } = testServer();
  await call(app, "/api/concurrency-limits", { body: { name: "db", limit: 2 } });
  const first = await call(app, "/api/concurrency-limits/acquire", {
    body: { names: ["db"], occupy: 2, lease_ms: 1000 },
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.acquired, true);
  assert.deepEqual(first.body.names, ["db"]);
  assert.equal((await call(app, "/api/concurrency-limits/db")).body.active_slots, 2);

  const full = await call(app, "/api/concurrency-limits/acquire", { body: { names: ["db"] } });
  assert.equal(full.body.acquired, false);
  assert.equal(typeof full.body.retry_after_ms, "number");

  const leaseId = first.body.lease_id;
  const renewed = await call(app, `/api/concurrency-leases/${leaseId}/renew`, {
    body: { lease_ms: 5000 },
  });
  assert.deepEqual(renewed.body, { renewed: true });
  clock.tick(2000);
  assert.equal((await call(app, "/api/concurrency-limits/db")).body.active_slots, 2);
  const released = await call(app, `/api/concurrency-leases/${leaseId}/release`, { body: {} });
  assert.deepEqual(released.body, { released: true });
  assert.deepEqual(
    (await call(app, `/api/concurrency-leases/${leaseId}/release`, { method: "POST" })).body,
    {
      released: false,
    },
  );
  assert.equal((await call(app, "/api/concurrency-limits/db")).body.active_slots, 0);

  assertError(
    await call(app, "/api/concurrency-limits/acquire", { body: { names: ["db"], occupy: 3 } }),
    409,
    "concurrency_denied",
  );
  assertError(
    await call(app, "/api/concurrency-limits/acquire", { body: { names: ["nope"], strict: true } }),
    404,
    "not_found",
  );
  assertError(
    await call(app, "/api/concurrency-limits/acquire", { body: { names: [] } }),
    400,
    "invalid_request",
  );
});

// Prefect 3 docs, "Global concurrency limits" (`prefect gcl reset`): a reset
// frees the limit's active slots.
Deno.test("POST /concurrency-limits/:name/reset frees held slots; a holder's later release or renew changes nothing", async () => {
  const { app } = testServer();
  await call(app, "/api/concurrency-limits", { body: { name: "db", limit: 2 } });
  await call(app, "/api/concurrency-limits", { body: { name: "api", limit: 1 } });
  const acquire = async (names: string[]) =>
    (await call(app, "/api/concurrency-limits/acquire", { body: { names } })).body;
  const active = async (name: string) =>
    (await call(app, `/api/concurrency-limits/${name}`)).body.active_slots;
  const only = await acquire(["db"]);
  const both = await acquire(["db", "api"]);
  assert.equal(only.acquired && both.acquired, true);
  assert.equal((await acquire(["db"])).acquired, false);

  const reset = await call(app, "/api/concurrency-limits/db/reset", { body: {} });
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.equal(reset.body.freed_slots, 2);
  assert.equal(reset.body.released_leases, 1);
  assert.equal(reset.body.narrowed_leases, 1);
  assert.equal(reset.body.limit.active_slots, 0);
  assert.equal(await active("db"), 0);
  assert.equal(await active("api"), 1, "the other limit of a shared lease keeps its slot");

  const fresh = [await acquire(["db"]), await acquire(["db"])];
  assert.ok(fresh.every((g) => g.acquired));
  assert.equal((await acquire(["db"])).acquired, false, "never over the limit");

  const late = await call(app, `/api/concurrency-leases/${only.lease_id}/release`, { body: {} });
  assert.equal(late.body.released, false);
  const renewed = await call(app, `/api/concurrency-leases/${only.lease_id}/renew`, {
    body: { lease_ms: 60_000 },
  });
  assert.equal(renewed.body.renewed, false);
  await call(app, `/api/concurrency-leases/${both.lease_id}/release`, { body: {} });
  assert.equal(await active("db"), 2, "the new holders still hold their slots");
  assert.equal(await active("api"), 0);

  await call(app, `/api/concurrency-leases/${fresh[0].lease_id}/release`, { body: {} });
  assert.equal(await active("db"), 1);
});

Deno.test("POST /concurrency-limits/:name/reset empties a rate limit and answers 404 for an unknown limit", async () => {
  const { app } = testServer();
  await call(app, "/api/concurrency-limits", {
    body: { name: "calls", limit: 2, slot_decay_per_second: 0.001 },
  });
  await call(app, "/api/concurrency-limits/acquire", { body: { names: ["calls"], occupy: 2 } });
  assert.equal((await call(app, "/api/concurrency-limits/calls")).body.active_slots, 2);
  const reset = await call(app, "/api/concurrency-limits/calls/reset", { body: {} });
  assert.equal(reset.body.freed_slots, 2);
  assert.equal((await call(app, "/api/concurrency-limits/calls")).body.active_slots, 0);
  assertError(
    await call(app, "/api/concurrency-limits/nope/reset", { body: {} }),
    404,
    "concurrency_limit_not_found",
  );
});
