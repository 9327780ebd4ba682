import assert from "node:assert/strict";
import { SecretCipher } from "../../engine/secrets/mod.ts";
import { startServer } from "../../server/mod.ts";
import { systemClock } from "../../engine/mod.ts";
import { createLocalControlPlane, createSqliteControlPlane, setSecret } from "../../sdk/mod.ts";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

const KEY = "server test secret key 1234";

Deno.test("secrets API: set, list without values, reveal with the API key only, delete", async () => {
  const server = testServer({ apiKey: "k", secretCipher: await SecretCipher.fromKey(KEY) });
  const auth = { authorization: "Bearer k" };
  const set = await call(server.app, "/api/secrets/db_password", {
    method: "PUT",
    body: { value: "hunter2-hunter2" },
    headers: auth,
  });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(Object.keys(set.body).sort(), ["created_at", "name", "updated_at"]);
  const listed = await call(server.app, "/api/secrets", { headers: auth });
  assert.deepEqual(listed.body.items.map((s: { name: string }) => s.name), ["db_password"]);
  assert.ok(!JSON.stringify(listed.body).includes("hunter2"));
  assert.ok(
    !JSON.stringify((await call(server.app, "/api/secrets/db_password", { headers: auth })).body)
      .includes("hunter2"),
  );

  const revealed = await call(server.app, "/api/secrets/db_password/reveal", {
    method: "POST",
    body: {},
    headers: auth,
  });
  assert.deepEqual(revealed.body, { name: "db_password", value: "hunter2-hunter2" });
  assert.equal(revealed.headers.get("cache-control"), "no-store");
  assertError(
    await call(server.app, "/api/secrets/db_password/reveal", { method: "POST", body: {} }),
    401,
    "unauthorized",
  );
  assertError(
    await call(server.app, "/api/secrets/nope/reveal", { method: "POST", body: {}, headers: auth }),
    404,
    "secret_not_found",
  );

  assert.ok(
    !JSON.stringify(server.engine.reader.listDocuments({ collection: "secret" })).includes(
      "hunter2",
    ),
    "encrypted at rest",
  );
  const deleted = await call(server.app, "/api/secrets/db_password", {
    method: "DELETE",
    headers: auth,
  });
  assert.equal(deleted.status, 204);
  assertError(
    await call(server.app, "/api/secrets/db_password", { headers: auth }),
    404,
    "secret_not_found",
  );
});

Deno.test("secrets API: bad names and values are refused; without a key nothing is stored", async () => {
  const keyless = testServer();
  const before = snapshot(keyless.engine);
  assertError(
    await call(keyless.app, "/api/secrets/token", { method: "PUT", body: { value: "abcdefgh" } }),
    503,
    "secret_key_missing",
  );
  assert.deepEqual(snapshot(keyless.engine), before);
  const server = testServer({ secretCipher: await SecretCipher.fromKey(KEY) });
  assertError(
    await call(server.app, "/api/secrets/Token", { method: "PUT", body: { value: "abcdefgh" } }),
    400,
    "invalid_name",
  );
  assertError(
    await call(server.app, "/api/secrets/token", { method: "PUT", body: { value: "" } }),
    400,
    "invalid_request",
  );
  assertError(
    await call(server.app, "/api/secrets/token", { method: "PUT", body: { value: 5 } }),
    400,
    "invalid_request",
  );
  assertError(
    await call(server.app, "/api/secrets/token", {
      method: "PUT",
      body: { value: "x".repeat(70_000) },
    }),
    400,
    "value_too_large",
  );
});

Deno.test("a server with secrets refuses to start without their key or with another one, and starts with it", async () => {
  const home = await Deno.makeTempDir();
  try {
    const plane = createSqliteControlPlane(`${home}/ironflow.db`);
    const keyed = createLocalControlPlane(plane.engine, systemClock, undefined, { secretKey: KEY });
    await setSecret("db_password", "kept-value", { plane: keyed });
    await plane.close();
    await assert.rejects(
      startServer({ home, port: 0, onListen: () => {} }),
      /The store holds secrets but IRONFLOW_SECRET_KEY is not set/,
    );
    await assert.rejects(
      startServer({ home, port: 0, secretKey: "a different key 12345", onListen: () => {} }),
      /was encrypted with another IRONFLOW_SECRET_KEY/,
    );
    const server = await startServer({ home, port: 0, secretKey: KEY, onListen: () => {} });
    try {
      const res = await fetch(`${server.url}/api/secrets/db_password/reveal`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.deepEqual(await res.json(), { name: "db_password", value: "kept-value" });
    } finally {
      await server.shutdown();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
