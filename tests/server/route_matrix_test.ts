/**
 * Every route of the OpenAPI document, with every method it declares plus
 * HEAD for each GET and OPTIONS, under every kind of credential and origin:
 * refused where it must be, never a 5xx. New routes are covered as soon as
 * they are declared.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { signIn, testServer } from "./_helpers.ts";

const KEY = "matrix-key";
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const READS = new Set(["GET", "HEAD"]);

interface Route {
  method: string;
  path: string;
}

async function routesOf(app: Hono): Promise<Route[]> {
  const res = await app.request("/api/openapi.json", {
    headers: { authorization: `Bearer ${KEY}` },
  });
  const doc = await res.json() as { paths: Record<string, Record<string, unknown>> };
  const routes: Route[] = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    const path = template.replaceAll(
      /\{(\w+)\}/g,
      (_, name: string) => name === "ref" ? `sha256:${"0".repeat(64)}` : `x-${name}`,
    );
    const methods = Object.keys(operations).map((m) => m.toUpperCase());
    if (methods.includes("GET")) methods.push("HEAD");
    for (const method of [...methods, "OPTIONS"]) routes.push({ method, path });
  }
  return routes;
}

const ORIGINS = {
  "api client": {},
  "same origin": { origin: "http://localhost", "sec-fetch-site": "same-origin" },
  "cross origin": { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
} as const;

async function send(
  app: Hono,
  route: Route,
  headers: Record<string, string>,
  base = "http://localhost",
): Promise<{ status: number; code: string | undefined }> {
  const controller = new AbortController();
  const unsafe = !SAFE.has(route.method);
  const binary = route.method === "PUT" && route.path.startsWith("/api/results/");
  const res = await app.request(`${base}${route.path}`, {
    method: route.method,
    signal: controller.signal,
    headers: {
      ...(unsafe
        ? { "content-type": binary ? "application/octet-stream" : "application/json" }
        : {}),
      ...headers,
    },
    ...(unsafe ? { body: binary ? "x" : "{}" } : {}),
  });
  let code: string | undefined;
  if (res.headers.get("content-type")?.startsWith("application/json") && route.method !== "HEAD") {
    code = (await res.json())?.error?.code;
  } else {
    await res.body?.cancel();
  }
  controller.abort(); // ends SSE streams
  return { status: res.status, code };
}

Deno.test("route matrix with an API key: every route × method × credential × origin", async (t) => {
  const server = testServer({ apiKey: KEY, results: createMemoryResultStore() });
  const routes = await routesOf(server.app);
  assert.ok(routes.length > 60, `the document lists the API (${routes.length} route methods)`);
  const cookie = await signIn(server.app, KEY);
  const credentials = {
    "no credentials": {},
    bearer: { authorization: `Bearer ${KEY}` },
    "cookie session": { cookie },
    "wrong key": { authorization: "Bearer wrong-key" },
  } as const;
  let checked = 0;
  try {
    for (const route of routes) {
      await t.step(`${route.method} ${route.path}`, async () => {
        for (const [credential, auth] of Object.entries(credentials)) {
          for (const [origin, site] of Object.entries(ORIGINS)) {
            const label = `${route.method} ${route.path} with ${credential}, ${origin}`;
            const { status, code } = await send(server.app, route, { ...auth, ...site });
            checked++;
            assert.ok(status < 500, `${label}: ${status} ${code}`);
            const unsafe = !SAFE.has(route.method);
            const open = route.path === "/health";
            // A webhook call authenticates by the webhook's own token: the API key does not open it.
            const ownToken = route.method === "POST" && /^\/api\/webhooks\/[^/]+$/.test(route.path);
            if (unsafe && origin === "cross origin") {
              assert.equal(status, 403, label);
              assert.equal(code, "cross_origin_request", label);
            } else if (ownToken) {
              assert.equal(status, 401, label);
            } else if (open) {
              assert.notEqual(status, 401, label);
            } else if (credential === "no credentials" || credential === "wrong key") {
              assert.equal(status, 401, label);
            } else if (credential === "cookie session" && !READS.has(route.method)) {
              assert.equal(status, 401, `${label}: the cookie only opens reads`);
            } else {
              assert.notEqual(status, 401, label);
              assert.notEqual(status, 403, label);
            }
          }
        }
      });
    }
  } finally {
    server.close();
  }
  console.log(`route matrix (key mode): ${routes.length} route methods, ${checked} requests`);
});

Deno.test("route matrix without an API key: cross-origin writes and foreign Hosts are refused", async (t) => {
  const server = testServer({ results: createMemoryResultStore() });
  const routes = await routesOf(server.app);
  try {
    for (const route of routes) {
      await t.step(`${route.method} ${route.path}`, async () => {
        for (const [origin, site] of Object.entries(ORIGINS)) {
          const label = `${route.method} ${route.path}, ${origin}`;
          const { status, code } = await send(server.app, route, site);
          assert.ok(status < 500, `${label}: ${status} ${code}`);
          if (!SAFE.has(route.method) && origin === "cross origin") {
            assert.equal(status, 403, label);
            assert.equal(code, "cross_origin_request", label);
          } else {
            assert.notEqual(status, 403, label);
          }
        }
        const foreign = await send(server.app, route, {}, "http://rebound.evil.example");
        if (route.path === "/health") {
          assert.notEqual(foreign.status, 421);
        } else {
          assert.equal(foreign.status, 421, `${route.method} ${route.path} on a foreign Host`);
        }
        const plain = await send(server.app, route, { "content-type": "text/plain" });
        assert.ok(plain.status < 500);
        if (!SAFE.has(route.method)) {
          assert.equal(plain.status, 403, `${route.method} ${route.path} as text/plain`);
        }
      });
    }
  } finally {
    server.close();
  }
});
