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
