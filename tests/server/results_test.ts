import assert from "node:assert/strict";
import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../../engine/mod.ts";
import { createApp } from "../../server/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { assertError, call, T0 } from "./_helpers.ts";

function resultApp(options: { apiKey?: string; maxResultBytes?: number; results?: boolean } = {}) {
  const clock = new FakeClock(T0);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  const results = createMemoryResultStore(() => clock.now());
  const app = createApp({
    engine,
    clock,
    ...(options.results === false ? {} : { results }),
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.maxResultBytes ? { maxResultBytes: options.maxResultBytes } : {}),
  });
  return { app, results };
}

async function refOf(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function bytesOf(size: number, seed = 7): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) % 251);
}

function put(bytes: Uint8Array, ref: string, headers: Record<string, string> = {}) {
  return new Request(`http://localhost/api/results/${ref}`, {
    method: "PUT",
    headers: { "content-type": "application/octet-stream", ...headers },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}

Deno.test("PUT then GET /api/results/{ref} round-trips the bytes, idempotently", async () => {
  const { app, results } = resultApp();
  // Larger than the default 1 MiB body limit of the other routes.
  const bytes = bytesOf(1_500_000);
  const ref = await refOf(bytes);
  for (let i = 0; i < 2; i++) {
    const res = await app.request(put(bytes, ref));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { ref, size: bytes.byteLength });
  }
  assert.deepEqual(await results.get(ref), bytes);
  const got = await app.request(`/api/results/${ref}`);
  assert.equal(got.status, 200);
  assert.equal(got.headers.get("content-type"), "application/octet-stream");
  assert.equal(got.headers.get("content-length"), String(bytes.byteLength));
  assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
});

Deno.test("PUT /api/results/{ref} refuses bytes whose hash is not the ref with 400", async () => {
  const { app, results } = resultApp();
  const ref = await refOf(bytesOf(100, 1));
  const answer = await app.request(put(bytesOf(100, 2), ref));
  const body = await answer.json();
  assertError(
    { status: answer.status, body, headers: answer.headers },
    400,
    "result_hash_mismatch",
  );
  assert.equal(body.error.details.expected, ref);
  assert.equal(body.error.details.actual, await refOf(bytesOf(100, 2)));
  assert.equal(await results.get(ref), undefined);
});

Deno.test("PUT /api/results/{ref} refuses a malformed ref with 400", async (t) => {
  const { app } = resultApp();
  for (const ref of ["abc", "sha256:XYZ", `md5:${"0".repeat(64)}`, `sha256:${"A".repeat(64)}`]) {
    await t.step(ref, async () => {
      const answer = await app.request(put(bytesOf(3), encodeURIComponent(ref)));
      const body = await answer.json();
      assertError({ status: answer.status, body, headers: answer.headers }, 400, "invalid_request");
      assert.equal(body.error.details[0].path, "ref");
    });
  }
});

Deno.test("PUT /api/results/{ref} answers 413 over the configured limit, with or without Content-Length", async (t) => {
  const { app, results } = resultApp({ maxResultBytes: 1000 });
  const fits = bytesOf(1000);
  const res = await app.request(put(fits, await refOf(fits)));
  assert.equal(res.status, 200);
  const big = bytesOf(1001);
  const ref = await refOf(big);
  await t.step("declared length", async () => {
    const answer = await app.request(put(big, ref, { "content-length": "1001" }));
    const body = await answer.json();
    assertError({ status: answer.status, body, headers: answer.headers }, 413, "result_too_large");
    assert.deepEqual(body.error.details, { max_bytes: 1000 });
  });
  await t.step("streamed body", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(big.slice(0, 600));
        controller.enqueue(big.slice(600));
        controller.close();
      },
    });
    const answer = await app.request(`/api/results/${ref}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: stream,
    });
    const body = await answer.json();
    assertError({ status: answer.status, body, headers: answer.headers }, 413, "result_too_large");
  });
  assert.equal(await results.get(ref), undefined);
});

Deno.test("GET /api/results/{ref} answers 404 for unknown bytes", async () => {
  const { app } = resultApp();
  const answer = await call(app, `/api/results/sha256:${"0".repeat(64)}`);
  assertError(answer, 404, "result_not_found");
});

Deno.test("/api/results/{ref} requires the API key like every /api route", async () => {
  const { app, results } = resultApp({ apiKey: "s3cret" });
  const bytes = bytesOf(64);
  const ref = await refOf(bytes);
  assertError(
    await call(app, `/api/results/${ref}`, {
      method: "PUT",
      raw: "x",
      headers: { "content-type": "application/octet-stream" },
    }),
    401,
    "unauthorized",
  );
  assertError(await call(app, `/api/results/${ref}`), 401, "unauthorized");
  assert.equal(await results.get(ref), undefined);
  const auth = { authorization: "Bearer s3cret" };
  assert.equal((await app.request(put(bytes, ref, auth))).status, 200);
  const got = await app.request(`/api/results/${ref}`, { headers: auth });
  assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
});

Deno.test("/api/results/{ref} answers 501 on a server without a result store", async () => {
  const { app } = resultApp({ results: false });
  const bytes = bytesOf(10);
  const ref = await refOf(bytes);
  const answer = await app.request(put(bytes, ref));
  assertError(
    { status: answer.status, body: await answer.json(), headers: answer.headers },
    501,
    "results_not_configured",
  );
});

Deno.test("the OpenAPI document declares the result routes with binary bodies", async () => {
  const { app } = resultApp();
  const doc = (await call(app, "/api/openapi.json")).body;
  const path = doc.paths["/api/results/{ref}"];
  assert.deepEqual(Object.keys(path).sort(), ["get", "put"]);
  assert.deepEqual(path.put.requestBody.content["application/octet-stream"].schema, {
    type: "string",
    format: "binary",
  });
  assert.ok(path.get.responses["200"].content["application/octet-stream"]);
  assert.equal(path.put.parameters[0].name, "ref");
});
