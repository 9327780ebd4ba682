import assert from "node:assert/strict";
import { assertError, call, snapshot, testServer } from "./_helpers.ts";

const TEMPLATE = {
  event: "acme.file.{{ body.kind }}",
  resource: "acme.bucket.{{ body.bucket }}",
  payload: { name: "{{ body.name }}", size: "{{ body.size }}" },
};

Deno.test("a webhook turns a posted JSON body into an event through its template", async () => {
  const { app } = testServer({ apiKey: "api-key" });
  const admin = { authorization: "Bearer api-key" };
  const created = await call(app, "/api/webhooks/files", {
    method: "PUT",
    body: { template: TEMPLATE, description: "files from the bucket" },
    headers: admin,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = created.body.token;
  assert.match(token, /^whk_[0-9a-f]{48}$/);

  const listed = await call(app, "/api/webhooks", { headers: admin });
  assert.equal(listed.body.items.length, 1);
  assert.equal(listed.body.items[0].token, undefined, "the token is never listed");
  assert.ok(!JSON.stringify(listed.body).includes(token));

  const called = await call(app, "/api/webhooks/files", {
    body: { kind: "landed", bucket: "raw", name: "a.csv", size: 12 },
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(called.status, 201, JSON.stringify(called.body));
  assert.equal(called.body.event, "acme.file.landed");
  assert.equal(called.body.resource, "acme.bucket.raw");
  assert.deepEqual(called.body.payload, { name: "a.csv", size: 12 });
  const events = await call(app, "/api/events?prefix=acme.file", { headers: admin });
  assert.equal(events.body.items.length, 1);
});

Deno.test("a webhook refuses the API key, a wrong token and a rotated-out token", async () => {
  const { app, engine } = testServer({ apiKey: "api-key" });
  const admin = { authorization: "Bearer api-key" };
  const created = await call(app, "/api/webhooks/files", {
    method: "PUT",
    body: { template: TEMPLATE },
    headers: admin,
  });
  const before = snapshot(engine);
  const body = { kind: "landed", bucket: "raw" };
  assertError(
    await call(app, "/api/webhooks/files", { body, headers: admin }),
    401,
    "unauthorized",
  );
  assertError(
    await call(app, "/api/webhooks/files", { body, headers: { authorization: "Bearer whk_x" } }),
    401,
    "unauthorized",
  );
  assertError(
    await call(app, "/api/webhooks/nope", {
      body,
      headers: { authorization: `Bearer ${created.body.token}` },
    }),
    401,
    "unauthorized",
  );
  const rotated = await call(app, "/api/webhooks/files", {
    method: "PUT",
    body: { template: TEMPLATE, rotate_token: true },
    headers: admin,
  });
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.token, created.body.token);
  assertError(
    await call(app, "/api/webhooks/files", {
      body,
      headers: { authorization: `Bearer ${created.body.token}` },
    }),
    401,
    "unauthorized",
  );
  assert.deepEqual(snapshot(engine), before);
  assert.equal(engine.reader.listDocuments({ collection: "event" }).length, 0);
});

Deno.test("a webhook call from a browser page of another site is refused", async () => {
  const { app } = testServer();
  const created = await call(app, "/api/webhooks/files", {
    method: "PUT",
    body: { template: TEMPLATE },
  });
  const auth = { authorization: `Bearer ${created.body.token}` };
  // A form post cannot set the JSON media type without a CORS preflight.
  const plain = await app.request("/api/webhooks/files", {
    method: "POST",
    headers: { "content-type": "text/plain", ...auth },
    body: JSON.stringify({ kind: "x", bucket: "y" }),
  });
  assert.equal(plain.status, 403);
  const crossSite = await call(app, "/api/webhooks/files", {
    body: { kind: "x", bucket: "y" },
    headers: { ...auth, origin: "http://evil.example", "sec-fetch-site": "cross-site" },
  });
  assertError(crossSite, 403, "cross_origin_request");
});

Deno.test("a webhook's bad template or body gives a clear error and records nothing", async () => {
  const { app, engine } = testServer();
  assertError(
    await call(app, "/api/webhooks/files", {
      method: "PUT",
      body: { template: { event: "{{ bdy.kind }}", resource: "r" } },
    }),
    400,
    "invalid_webhook",
  );
  assertError(
    await call(app, "/api/webhooks/Bad Slug", { method: "PUT", body: { template: TEMPLATE } }),
    400,
    "invalid_webhook",
  );
  const created = await call(app, "/api/webhooks/files", {
    method: "PUT",
    body: { template: { event: "{{ body.name }}", resource: "r" } },
  });
  const auth = { authorization: `Bearer ${created.body.token}` };
  assertError(
    await call(app, "/api/webhooks/files", { body: { name: "ironflow.fake" }, headers: auth }),
    400,
    "invalid_event",
  );
  assertError(
    await call(app, "/api/webhooks/files", { body: { other: 1 }, headers: auth }),
    400,
    "invalid_event",
  );
  const disabled = await call(app, "/api/webhooks/files", {
    method: "PUT",
    body: { template: TEMPLATE, enabled: false },
  });
  assert.equal(disabled.body.enabled, false);
  assertError(
    await call(app, "/api/webhooks/files", { body: { kind: "a", bucket: "b" }, headers: auth }),
    409,
    "webhook_disabled",
  );
  assert.equal(engine.reader.listDocuments({ collection: "event" }).length, 0);
  const deleted = await call(app, "/api/webhooks/files", { method: "DELETE" });
  assert.equal(deleted.status, 200);
  assertError(await call(app, "/api/webhooks/files"), 404, "webhook_not_found");
});
