import assert from "node:assert/strict";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

const put = (value: unknown) => ({ method: "PUT", body: { value } });

Deno.test("variables API: set, read, replace, list and delete", async () => {
  const { app, clock } = testServer();
  const created = await call(app, "/api/variables/batch_size", put(500));
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const at = new Date(clock.now()).toISOString();
  assert.deepEqual(created.body, {
    name: "batch_size",
    value: 500,
    created_at: at,
    updated_at: at,
  });

  clock.tick(1000);
  const replaced = await call(app, "/api/variables/batch_size", put({ size: 10, tags: ["a"] }));
  assert.deepEqual(replaced.body.value, { size: 10, tags: ["a"] });
  assert.equal(replaced.body.created_at, at, "replacing keeps the creation time");
  assert.equal(replaced.body.updated_at, new Date(clock.now()).toISOString());
  assert.deepEqual((await call(app, "/api/variables/batch_size")).body.value, {
    size: 10,
    tags: ["a"],
  });

  await call(app, "/api/variables/region", put("eu-west-1"));
  const listed = await call(app, "/api/variables");
  assert.deepEqual(listed.body.items.map((v: { name: string }) => v.name), [
    "batch_size",
    "region",
  ]);
  assert.equal(listed.body.next_cursor, null);

  const deleted = await call(app, "/api/variables/region", { method: "DELETE" });
  assert.equal(deleted.status, 204);
  assertError(await call(app, "/api/variables/region"), 404, "variable_not_found");
  assertError(
    await call(app, "/api/variables/region", { method: "DELETE" }),
    404,
    "variable_not_found",
  );
});

Deno.test("variables API: pages through every variable in name order", async () => {
  const { app } = testServer();
  const names = Array.from({ length: 7 }, (_, i) => `v${i}`);
  for (const name of names.toReversed()) await call(app, `/api/variables/${name}`, put(name));
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const page: { body: { items: { name: string }[]; next_cursor: string | null } } = await call(
      app,
      `/api/variables?limit=3${query}`,
    );
    assert.ok(page.body.items.length <= 3);
    seen.push(...page.body.items.map((v) => v.name));
    cursor = page.body.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, names);
});

Deno.test("variables API: refuses bad names, missing values and oversized values, changing nothing", async (t) => {
  const server = testServer();
  const { app, engine } = server;
  await call(app, "/api/variables/kept", put(1));
  const before = snapshot(engine);
  const cases: [string, string, Record<string, unknown> | undefined, string][] = [
    ["upper case name", "/api/variables/Batch", { value: 1 }, "invalid_name"],
    ["name with a dot", "/api/variables/a.b", { value: 1 }, "invalid_name"],
    ["name too long", `/api/variables/${"a".repeat(256)}`, { value: 1 }, "invalid_name"],
    ["no value", "/api/variables/x", {}, "invalid_request"],
    ["unknown field", "/api/variables/x", { value: 1, tags: [] }, "invalid_request"],
    ["value over 64 KiB", "/api/variables/x", { value: "x".repeat(70_000) }, "value_too_large"],
  ];
  for (const [name, path, body, code] of cases) {
    await t.step(name, async () => {
      assertError(await call(app, path, { method: "PUT", body }), 400, code);
    });
  }
  assert.deepEqual(snapshot(engine), before);
  assert.equal((await call(app, "/api/variables/kept")).body.value, 1);
});
