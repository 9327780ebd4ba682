import assert from "node:assert/strict";
import { FakeClock } from "../../engine/mod.ts";
import { SessionStore } from "../../server/mod.ts";
import { localPath } from "../../server/dashboard/session.ts";
import { assertError, call, csrfOf, signIn, testServer } from "./_helpers.ts";

const KEY = "s3cret-key";
const SITE = "http://localhost:4200";

Deno.test("signing out revokes the session: the old cookie opens neither pages nor the API", async () => {
  const { app } = testServer({ apiKey: KEY });
  const cookie = await signIn(app, KEY);
  const page = await (await app.request("/", { headers: { cookie } })).text();
  assert.equal((await call(app, "/api/flow-runs", { headers: { cookie } })).status, 200);
  const out = await app.request("/logout", {
    method: "POST",
    headers: { cookie },
    body: new URLSearchParams({ _csrf: csrfOf(page) }),
  });
  assert.equal(out.status, 303);
  assert.match(out.headers.get("set-cookie") ?? "", /ironflow_session=;/);
  const again = await app.request("/", { headers: { cookie } });
  assert.equal(again.status, 303);
  assert.match(again.headers.get("location") ?? "", /^\/login/);
  assertError(await call(app, "/api/flow-runs", { headers: { cookie } }), 401, "unauthorized");
});

Deno.test("a session expires after sessionTtlMs on the app's clock", async () => {
  const { app, clock } = testServer({ apiKey: KEY, sessionTtlMs: 60_000 });
  const login = await app.request("/login", {
    method: "POST",
    body: new URLSearchParams({ key: KEY, next: "/" }),
  });
  const set = login.headers.get("set-cookie")!;
  assert.match(set, /Max-Age=60/);
  const cookie = set.split(";")[0]!;
  clock.tick(59_999);
  assert.equal((await app.request("/", { headers: { cookie } })).status, 200);
  assert.equal((await call(app, "/api/flow-runs", { headers: { cookie } })).status, 200);
  clock.tick(1);
  assert.equal((await app.request("/", { headers: { cookie } })).status, 303);
  assertError(await call(app, "/api/flow-runs", { headers: { cookie } }), 401, "unauthorized");
});

Deno.test("a form token belongs to its session", async () => {
  const { app, engine } = testServer({ apiKey: KEY });
  const first = await signIn(app, KEY);
  const second = await signIn(app, KEY);
  assert.notEqual(first, second, "every sign-in gets a new random id");
  const token = csrfOf(await (await app.request("/", { headers: { cookie: first } })).text());
  const before = engine.reader.lastSeq();
  const res = await app.request("/logout", {
    method: "POST",
    headers: { cookie: second },
    body: new URLSearchParams({ _csrf: token }),
  });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  assert.equal((await app.request("/", { headers: { cookie: second } })).status, 200);
  assert.equal(engine.reader.lastSeq(), before);
});

Deno.test("the session cookie is HttpOnly, SameSite=Strict, and Secure over HTTPS", async (t) => {
  const { app } = testServer({ apiKey: KEY });
  const cases: Array<[string, string, Record<string, string>, boolean]> = [
    ["plain http", "http://localhost/login", {}, false],
    ["https", "https://localhost/login", {}, true],
    ["https at the proxy", "http://localhost/login", { "x-forwarded-proto": "https" }, true],
  ];
  for (const [label, url, headers, secure] of cases) {
    await t.step(label, async () => {
      const res = await app.request(url, {
        method: "POST",
        headers,
        body: new URLSearchParams({ key: KEY, next: "/" }),
      });
      const set = res.headers.get("set-cookie")!;
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Strict/);
      assert.equal(/;\s*Secure/i.test(set), secure, set);
      assert.doesNotMatch(set, new RegExp(KEY));
    });
  }
});

Deno.test("SessionStore keeps at most maxSessions in memory, ending the oldest first", async () => {
  const clock = new FakeClock();
  const sessions = new SessionStore(clock, { ttlMs: 1000, maxSessions: 2 });
  const [a, b] = [await sessions.create(), await sessions.create()];
  const c = await sessions.create();
  assert.deepEqual([a, b, c].map((id) => sessions.valid(id)), [false, true, true]);
  clock.tick(1000);
  await sessions.create();
  assert.equal(sessions.size, 1, "expired sessions are swept on the next sign-in");
  assert.throws(() => new SessionStore(clock, { ttlMs: 0 }), RangeError);
});

// What a browser makes of a Location header: the URL parser of the WHATWG
// spec, which `URL` implements.
function lands(location: string): string {
  return new URL(location, `${SITE}/login`).origin;
}

const OFF_SITE = [
  "/\t/evil.example/",
  "/\n/evil.example/",
  "/\r\n/evil.example/",
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "https://evil.example/",
  "http:evil.example",
  "HTTPS://evil.example",
  "javascript:alert(1)",
  "/.//evil.example",
  "/..//evil.example",
  "/./\\evil.example",
  "%2F%2Fevil.example",
  "%2f%5cevil.example",
  "\t//evil.example",
  " //evil.example",
  "/\x00/evil.example",
  "/\x0b/evil.example",
  "/\x7f/evil.example",
  "//evil.example@localhost:4200",
  "evil.example",
  "",
];

const ON_SITE: Array<[string, string]> = [
  ["/", "/"],
  ["/runs?state=FAILED", "/runs?state=FAILED"],
  ["/flows/a%20b", "/flows/a%20b"],
  ["/runs/r1#logs", "/runs/r1#logs"],
  ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
  ["/a/../deployments", "/deployments"],
];

Deno.test("localPath() never yields a Location that resolves off the site", async (t) => {
  for (const next of OFF_SITE) {
    await t.step(JSON.stringify(next), () => {
      const path = localPath(next);
      assert.equal(lands(path), SITE);
      assert.equal(path, "/");
    });
  }
  for (const [next, want] of ON_SITE) {
    await t.step(`kept: ${next}`, () => assert.equal(localPath(next), want));
  }
  assert.equal(localPath(undefined), "/");
  assert.equal(localPath(["/runs"]), "/");
});

Deno.test("POST /login redirects only to paths of this site", async (t) => {
  const { app } = testServer({ apiKey: KEY });
  for (const next of [...OFF_SITE, ...ON_SITE.map(([n]) => n)]) {
    await t.step(JSON.stringify(next), async () => {
      const res = await app.request(`${SITE}/login`, {
        method: "POST",
        body: new URLSearchParams({ key: KEY, next }),
      });
      assert.equal(res.status, 303);
      const location = res.headers.get("location")!;
      assert.equal(lands(location), SITE, `${JSON.stringify(next)} → ${location}`);
      const form = await (await app.request(
        `${SITE}/login?next=${encodeURIComponent(next)}`,
      )).text();
      const value = form.match(/name="next" value="([^"]*)"/)?.[1] ?? "";
      assert.equal(lands(value.replaceAll("&amp;", "&")), SITE);
    });
  }
});
