import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { systemClock } from "../../engine/mod.ts";
import { testEngine } from "./_fixtures.ts";

function csrfOf(page: string): string {
  const match = page.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, "the page has a form with a CSRF token");
  return match[1]!;
}

Deno.test("POST /theme remembers the theme in a cookie and every page renders it", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: systemClock });
  const page = await (await app.request("/flows")).text();
  assert.doesNotMatch(page, /data-theme=/);
  const res = await app.request("http://localhost/theme", {
    method: "POST",
    headers: { referer: "http://localhost/flows?archived=true" },
    body: new URLSearchParams({ _csrf: csrfOf(page), theme: "dark" }),
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/flows?archived=true");
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const dark = await (await app.request("/deployments", { headers: { cookie } })).text();
  assert.match(dark, /<html lang="en" data-theme="dark">/);
  assert.match(dark, /<meta name="color-scheme" content="dark"/);
});

Deno.test("POST /theme refuses a forged token, an unknown theme, and a foreign Referer", async () => {
  await using t = testEngine();
  const app = createApp({ engine: t.engine, clock: systemClock });
  const token = csrfOf(await (await app.request("/flows")).text());
  const forged = await app.request("/theme", {
    method: "POST",
    body: new URLSearchParams({ _csrf: "forged", theme: "dark" }),
  });
  assert.equal(forged.status, 403);
  assert.equal(forged.headers.get("set-cookie"), null);
  const unknown = await app.request("/theme", {
    method: "POST",
    body: new URLSearchParams({ _csrf: token, theme: "sepia" }),
  });
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /Unknown theme &quot;sepia&quot;|Unknown theme "sepia"/);
  const foreign = await app.request("http://localhost/theme", {
    method: "POST",
    headers: { referer: "http://evil.example/x" },
    body: new URLSearchParams({ _csrf: token, theme: "light" }),
  });
  assert.equal(foreign.headers.get("location"), "/");
});
