import assert from "node:assert/strict";
import { bearerToken, verifyApiKey } from "../../server/mod.ts";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

const KEY = "s3cret-key";

Deno.test("without an API key every route is open", async () => {
  const { app } = testServer();
  assert.equal((await call(app, "/api/flow-runs")).status, 200);
  assert.equal((await app.request("/metrics")).status, 200);
});

Deno.test("with an API key /api/* needs Authorization: Bearer <key>", async (t) => {
  const { app, engine } = testServer({ apiKey: KEY });
  const before = snapshot(engine);
  const refused: Array<[string, Record<string, string>]> = [
    ["no header", {}],
    ["wrong key", { authorization: "Bearer nope" }],
    ["key prefix", { authorization: `Bearer ${KEY.slice(0, -1)}` }],
    ["key plus more", { authorization: `Bearer ${KEY}x` }],
    ["basic scheme", { authorization: `Basic ${btoa(`user:${KEY}`)}` }],
    ["raw key", { authorization: KEY }],
  ];
  for (const [label, headers] of refused) {
    await t.step(label, async () => {
      const answer = await call(app, "/api/flow-runs", { headers });
      assertError(answer, 401, "unauthorized");
      assert.match(answer.headers.get("www-authenticate") ?? "", /^Bearer/);
      const post = await call(app, "/api/runs/batch", {
        headers,
        body: { runs: [{ kind: "flow", name: "x" }] },
      });
      assertError(post, 401, "unauthorized");
    });
  }
  assert.deepEqual(snapshot(engine), before);
  assertError(await call(app, "/api/openapi.json"), 401, "unauthorized");
  assertError(await call(app, "/api/nothing"), 401, "unauthorized");
  assertError(await call(app, "/metrics"), 401, "unauthorized");

  const ok = await call(app, "/api/flow-runs", { headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(ok.status, 200);
  const lower = await call(app, "/api/flow-runs", { headers: { authorization: `bearer ${KEY}` } });
  assert.equal(lower.status, 200);
  const created = await call(app, "/api/runs/batch", {
    headers: { authorization: `Bearer ${KEY}` },
    body: { runs: [{ kind: "flow", name: "x" }] },
  });
  assert.equal(created.status, 200);
});

Deno.test("with an API key /health stays open", async () => {
  const { app } = testServer({ apiKey: KEY });
  const health = await call(app, "/health");
  assert.equal(health.status, 200);
  assert.equal(health.body.status, "ok");
});

Deno.test("a dashboard session cookie opens GET routes only; the raw key as cookie opens nothing", async () => {
  const { app } = testServer({ apiKey: KEY });
  const login = await app.request("/login", {
    method: "POST",
    body: new URLSearchParams({ key: KEY, next: "/" }),
  });
  const session = login.headers.get("set-cookie")!.split(";")[0]!;
  assert.notEqual(session, `ironflow_session=${KEY}`, "the cookie is not the key");
  const cookie = { cookie: `theme=dark; ${session}` };
  assert.equal((await call(app, "/api/flow-runs", { headers: cookie })).status, 200);
  const head = await app.request("/api/flow-runs", { method: "HEAD", headers: cookie });
  assert.equal(head.status, 200);
  for (const wrong of ["ironflow_session=wrong", `ironflow_session=${KEY}`]) {
    assertError(
      await call(app, "/api/flow-runs", { headers: { cookie: wrong } }),
      401,
      "unauthorized",
    );
  }
  assertError(
    await call(app, "/api/runs/batch", { headers: cookie, body: { runs: [] } }),
    401,
    "unauthorized",
  );
});

Deno.test("verifyApiKey() compares keys of any length; bearerToken() parses the header", () => {
  assert.equal(verifyApiKey(KEY, KEY), true);
  assert.equal(verifyApiKey("", KEY), false);
  assert.equal(verifyApiKey(undefined, KEY), false);
  assert.equal(verifyApiKey(null, KEY), false);
  assert.equal(verifyApiKey(`${KEY}${KEY}`, KEY), false);
  assert.equal(bearerToken(`Bearer ${KEY}`), KEY);
  assert.equal(bearerToken("Bearer"), undefined);
  assert.equal(bearerToken("Bearer a b"), undefined);
  assert.equal(bearerToken(undefined), undefined);
});
