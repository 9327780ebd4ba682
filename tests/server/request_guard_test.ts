import assert from "node:assert/strict";
import { createApp, hostAllowed, parseAllowedHosts } from "../../server/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { assertError, call, csrfOf, snapshot, testServer } from "./_helpers.ts";

const BATCH = { runs: [{ kind: "flow", name: "forged" }] };

Deno.test("the server answers loopback Host names on any port and refuses others with 421", async (t) => {
  const { app, engine } = testServer();
  const before = snapshot(engine);
  for (const base of ["http://localhost", "http://127.0.0.1:4200", "http://[::1]:4200"]) {
    await t.step(`${base} is served`, async () => {
      assert.equal((await app.request(`${base}/api/flow-runs`)).status, 200);
      assert.equal((await app.request(`${base}/`)).status, 200);
    });
  }
  for (const host of ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io", "10.0.0.5"]) {
    await t.step(`${host} is refused, for reads and writes`, async () => {
      const read = await call(app, `http://${host}/api/flow-runs`);
      assertError(read, 421, "host_not_allowed");
      assert.match(read.body.error.message, new RegExp(`^Host "${host.replaceAll(".", "\\.")}"`));
      const page = await app.request(`http://${host}/`);
      assert.equal(page.status, 421);
      assertError(
        await call(app, `http://${host}/api/runs/batch`, { body: BATCH }),
        421,
        "host_not_allowed",
      );
    });
  }
  await t.step("/health answers any Host, for load balancers", async () => {
    assert.equal((await app.request("http://10.0.0.5/health")).status, 200);
  });
  assert.deepEqual(snapshot(engine), before);
});

Deno.test("allowedHosts adds names, name:port and .domain entries", async (t) => {
  const allowed = parseAllowedHosts("flows.example.com, .corp.example 10.0.0.5:4200");
  assert.deepEqual(allowed, ["flows.example.com", ".corp.example", "10.0.0.5:4200"]);
  const table: Array<[string, boolean]> = [
    ["flows.example.com", true],
    ["FLOWS.example.com.", true],
    ["flows.example.com:8443", true],
    ["evil.flows.example.com", false],
    ["corp.example", true],
    ["a.b.corp.example", true],
    ["evilcorp.example", false],
    ["10.0.0.5:4200", true],
    ["10.0.0.5:4300", false],
    ["10.0.0.5", false],
  ];
  for (const [host, served] of table) {
    await t.step(`${host} → ${served}`, () => assert.equal(hostAllowed(host, allowed), served));
  }
  assert.equal(hostAllowed("anything.example", ["*"]), true);
  const { app } = testServer({ allowedHosts: allowed });
  assert.equal((await app.request("http://a.corp.example/api/flow-runs")).status, 200);
  assert.equal((await app.request("http://evilcorp.example/api/flow-runs")).status, 421);
});

Deno.test("a state-changing API request is refused unless it is JSON from this origin or a non-browser client", async (t) => {
  const { app, engine } = testServer();
  const json = { "content-type": "application/json" };
  const refused: Array<[string, Record<string, string>, string]> = [
    ["another site's Origin", { ...json, origin: "http://evil.example" }, "cross_origin_request"],
    ["another port's Origin", { ...json, origin: "http://localhost:8080" }, "cross_origin_request"],
    ["Origin null", { ...json, origin: "null" }, "cross_origin_request"],
    [
      "Sec-Fetch-Site cross-site",
      { ...json, "sec-fetch-site": "cross-site" },
      "cross_origin_request",
    ],
    [
      "Sec-Fetch-Site same-site",
      { ...json, "sec-fetch-site": "same-site" },
      "cross_origin_request",
    ],
    ["text/plain", { "content-type": "text/plain" }, "csrf_failed"],
    ["a form", { "content-type": "application/x-www-form-urlencoded" }, "csrf_failed"],
    ["multipart", { "content-type": "multipart/form-data; boundary=x" }, "csrf_failed"],
    ["no Content-Type", { "content-type": "" }, "csrf_failed"],
    ["JSON-ish text", { "content-type": "text/plain; application/json" }, "csrf_failed"],
  ];
  const before = snapshot(engine);
  for (const [label, headers, code] of refused) {
    await t.step(`refused: ${label}`, async () => {
      const answer = await app.request("/api/runs/batch", {
        method: "POST",
        headers,
        body: JSON.stringify(BATCH),
      });
      const body = await answer.json();
      assertError({ status: answer.status, body, headers: answer.headers }, 403, code);
    });
  }
  assert.deepEqual(snapshot(engine), before);
  const accepted: Array<[string, Record<string, string>]> = [
    ["an API client (no Origin)", json],
    ["the dashboard's own origin", {
      ...json,
      origin: "http://localhost",
      "sec-fetch-site": "same-origin",
    }],
    ["a typed URL (Sec-Fetch-Site none)", { ...json, "sec-fetch-site": "none" }],
    ["JSON with a charset", { "content-type": "Application/JSON; charset=utf-8" }],
  ];
  for (const [label, headers] of accepted) {
    await t.step(`accepted: ${label}`, async () => {
      const answer = await call(app, "/api/runs/batch", { headers, body: BATCH });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    });
  }
});

Deno.test("PUT /api/results/{ref} takes application/octet-stream only", async () => {
  const { engine, clock } = testServer();
  const app = createApp({ engine, clock, results: createMemoryResultStore() });
  const ref = `sha256:${"0".repeat(64)}`;
  for (const type of ["text/plain", "application/json", "application/x-www-form-urlencoded"]) {
    const answer = await call(app, `/api/results/${ref}`, {
      method: "PUT",
      raw: "x",
      headers: { "content-type": type },
    });
    assertError(answer, 403, "csrf_failed");
    assert.match(answer.body.error.message, /application\/octet-stream/);
  }
  const binary = await call(app, `/api/results/${ref}`, {
    method: "PUT",
    raw: "x",
    headers: { "content-type": "application/octet-stream" },
  });
  assertError(binary, 400, "result_hash_mismatch");
});

Deno.test("a dashboard form post from another origin is refused even with a valid token", async () => {
  const { app, engine } = testServer();
  const runId = (await engine.createFlowRun({ name: "etl", state: "SCHEDULED" })).id;
  const page = await (await app.request(`/runs/${runId}`)).text();
  const form = new URLSearchParams({ _csrf: csrfOf(page) });
  const before = snapshot(engine);
  for (const headers of [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
    const res = await app.request(`/runs/${runId}/cancel`, { method: "POST", headers, body: form });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "cross_origin_request");
  }
  const forged = await app.request(`/runs/${runId}/cancel`, {
    method: "POST",
    body: new URLSearchParams({ _csrf: "forged" }),
  });
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
  assert.deepEqual(snapshot(engine), before);
  const own = await app.request(`/runs/${runId}/cancel`, {
    method: "POST",
    headers: { origin: "http://localhost", "sec-fetch-site": "same-origin" },
    body: form,
  });
  assert.equal(own.status, 303);
  assert.equal(engine.getRun(runId)?.state, "CANCELLED");
});

Deno.test("a bulk action of the runs page from another origin is refused even with a valid token", async () => {
  const { app, engine } = testServer();
  const runId = (await engine.createFlowRun({ name: "etl", state: "SCHEDULED" })).id;
  const page = await (await app.request("/")).text();
  const form = new URLSearchParams({ _csrf: csrfOf(page), action: "cancel", run: runId });
  const before = snapshot(engine);
  for (const headers of [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
    const res = await app.request("/runs/bulk", { method: "POST", headers, body: form });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "cross_origin_request");
  }
  assert.deepEqual(snapshot(engine), before);
  const own = await app.request("/runs/bulk", {
    method: "POST",
    headers: { origin: "http://localhost", "sec-fetch-site": "same-origin" },
    body: form,
  });
  assert.equal(own.status, 303);
  assert.equal(engine.getRun(runId)?.state, "CANCELLED");
});
