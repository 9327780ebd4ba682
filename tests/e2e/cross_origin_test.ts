/**
 * A hostile page in a real browser: served from another origin, it tries
 * every request a web page can make without CORS (form posts, `text/plain`
 * and `no-cors` fetches, JSON fetches that need a preflight) to create and
 * run a deployment, create runs and cancel one on the IronFlow server on
 * another port; then the API shows that nothing changed. A DNS-rebinding
 * host name that resolves to the server is refused too.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import {
  createEngine,
  createIdSource,
  createMemoryStore,
  type Engine,
  systemClock,
} from "../../engine/mod.ts";
import { createApp } from "../../server/app.ts";
import { BROWSER_TEST, launchBrowser } from "./_dashboard.ts";

const KEY = "attack-key";
const REBIND = "rebind.evil.test";

interface Seen {
  method: string;
  path: string;
  status: number;
  host: string;
}

interface Target extends AsyncDisposable {
  base: string;
  port: number;
  engine: Engine;
  seen: Seen[];
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** The real app on a free port of 127.0.0.1, recording what reached it. */
function serveTarget(apiKey?: string): Target {
  const engine = createEngine({
    store: createMemoryStore(),
    clock: systemClock,
    ids: createIdSource(),
  });
  const stop = new AbortController();
  const app = createApp({
    engine,
    clock: systemClock,
    signal: stop.signal,
    ...(apiKey ? { apiKey } : {}),
  });
  const seen: Seen[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request, info) => {
      const response = await app.fetch(request, info);
      const url = new URL(request.url);
      seen.push({
        method: request.method,
        path: url.pathname,
        status: response.status,
        host: url.host,
      });
      return response;
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    base,
    port: server.addr.port,
    engine,
    seen,
    async api(method, path, body) {
      const res = await fetch(`${base}/api${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async [Symbol.asyncDispose]() {
      stop.abort();
      await server.shutdown();
      await engine.close();
    },
  };
}

/** The attacker's page: fires every forgeable request at `target`, then titles itself "done". */
function attackPage(target: string, runId: string): string {
  const deployment = JSON.stringify({
    name: "pwned",
    flow_name: "pwned",
    entrypoint: "https://evil.example/pwn.ts:pwn",
  });
  const batch = JSON.stringify({ runs: [{ kind: "flow", name: "pwned" }] });
  const posts: Array<[string, string]> = [
    ["/api/deployments", deployment],
    ["/api/deployments/legit/run", "{}"],
    ["/api/runs/batch", batch],
    [`/api/flow-runs/${runId}/cancel`, "{}"],
  ];
  // A text/plain form whose body is JSON: name + "=" + value.
  const jsonForm = (path: string, json: string, i: number) => {
    const cut = json.lastIndexOf("}");
    const name = `${json.slice(0, cut)},"x":"`;
    return `<form id="f${i}" method="post" enctype="text/plain" target="sink${i}" action="${target}${path}">` +
      `<input type="hidden" name='${name}' value='"}'></form><iframe name="sink${i}"></iframe>`;
  };
  const forms = [
    ...posts.map(([path, json], i) => jsonForm(path, json, i)),
    `<form id="f4" method="post" target="sink4" action="${target}/runs/${runId}/cancel"></form>` +
    `<iframe name="sink4"></iframe>`,
    `<form id="f5" method="post" target="sink5" action="${target}/deployments/legit/run">` +
    `<input type="hidden" name="parameters" value="{}"></form><iframe name="sink5"></iframe>`,
  ].join("\n");
  return `<!doctype html><title>attack</title>
${forms}
<script>
const target = ${JSON.stringify(target)};
const posts = ${JSON.stringify(posts)};
const attempts = [];
for (const [path, body] of posts) {
  attempts.push(fetch(target + path, { method: "POST", mode: "no-cors", body }));
  attempts.push(fetch(target + path, {
    method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body,
  }));
  attempts.push(fetch(target + path, {
    method: "POST", headers: { "content-type": "application/json" }, body, credentials: "include",
  }));
  attempts.push(fetch(target + path, {
    method: "POST", mode: "no-cors", credentials: "include",
    headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1",
  }));
}
attempts.push(fetch(target + "/api/deployments/legit", { method: "DELETE", mode: "no-cors" }));
const loaded = [];
for (let i = 0; i < 6; i++) {
  const frame = document.querySelector('iframe[name="sink' + i + '"]');
  loaded.push(new Promise((resolve) => frame.addEventListener("load", resolve, { once: true })));
  document.getElementById("f" + i).submit();
}
Promise.allSettled([...attempts, ...loaded]).then(() => { document.title = "done"; });
</script>`;
}

/** Serves `html` on a free port of 127.0.0.1 until disposed. */
function serveAttacker(html: () => string): { port: number } & AsyncDisposable {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(html(), { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  return {
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

async function state(target: Target, runId: string) {
  const deployments = await target.api("GET", "/deployments");
  const runs = await target.api("GET", "/flow-runs");
  const run = await target.api("GET", `/flow-runs/${runId}`);
  return {
    deployments: (deployments.body as { items: Array<{ name: string }> }).items.map((d) => d.name),
    runs: (runs.body as { items: unknown[] }).items.length,
    runState: (run.body as { state: string }).state,
    lastSeq: target.engine.reader.lastSeq(),
  };
}

async function attack(browser: Browser, target: Target, signInFirst: boolean) {
  const created = await target.api("POST", "/deployments", {
    name: "legit",
    flow_name: "legit",
    entrypoint: "./flows/legit.ts:legit",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const scheduled = await target.api("POST", "/deployments/legit/run", {});
  assert.equal(scheduled.status, 201, JSON.stringify(scheduled.body));
  const runId = (scheduled.body as { id: string }).id;
  const before = await state(target, runId);

  const context = await browser.newContext();
  let seenBefore = 0;
  try {
    if (signInFirst) {
      const page = await context.newPage();
      await page.goto(`${target.base}/login`);
      await page.fill('input[name="key"]', KEY);
      await page.click('button[type="submit"]');
      await page.waitForURL(`${target.base}/`);
      await page.close();
    }
    seenBefore = target.seen.length;
    // "localhost" vs "127.0.0.1": another site, not only another origin.
    await using attacker = serveAttacker(() => attackPage(target.base, runId));
    const page = await context.newPage();
    await page.goto(`http://localhost:${attacker.port}/`);
    await page.waitForFunction(() => document.title === "done", null, { timeout: 20_000 });
  } finally {
    await context.close();
  }
  await target.engine.flush();
  assert.deepEqual(await state(target, runId), before, "the attack changed nothing");

  const forged = target.seen.slice(seenBefore).filter((s) =>
    s.method === "POST" || s.method === "DELETE"
  );
  assert.ok(forged.length >= 10, `the forged requests reached the server (${forged.length})`);
  for (const request of forged) {
    assert.equal(request.status, 403, `${request.method} ${request.path} was refused`);
  }
}

Deno.test({
  name: "a page of another site cannot create, run or cancel anything (no API key)",
  ...BROWSER_TEST,
  async fn() {
    await using target = serveTarget();
    const browser = await launchBrowser();
    try {
      await attack(browser, target, false);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "a page of another site cannot act with a signed-in user's session (API key)",
  ...BROWSER_TEST,
  async fn() {
    await using target = serveTarget(KEY);
    const browser = await launchBrowser();
    try {
      await attack(browser, target, true);
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name: "a DNS-rebinding host name that resolves to the server gets 421",
  ...BROWSER_TEST,
  async fn() {
    await using target = serveTarget();
    const browser = await launchBrowser([`--host-resolver-rules=MAP ${REBIND} 127.0.0.1`]);
    try {
      const page = await browser.newPage();
      for (const path of ["/", "/api/flow-runs", "/api/openapi.json"]) {
        const response = await page.goto(`http://${REBIND}:${target.port}${path}`);
        assert.equal(response?.status(), 421, path);
        assert.match(await page.content(), /host_not_allowed/);
      }
      const own = await page.goto(`${target.base}/api/flow-runs`);
      assert.equal(own?.status(), 200);
    } finally {
      await browser.close();
    }
    const rebound = target.seen.filter((s) => s.host.startsWith(REBIND));
    assert.ok(rebound.length >= 3, "the rebound requests reached the server");
    assert.deepEqual(rebound.filter((s) => s.status !== 421), []);
  },
});
