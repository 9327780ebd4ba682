import assert from "node:assert/strict";
import { createApp } from "../../server/app.ts";
import { flow, getRunLogger, task } from "../../sdk/mod.ts";
import type { Engine } from "../../engine/mod.ts";
import { deferred, testEngine, until } from "./_fixtures.ts";
import { acquireSlots, systemClock } from "../../engine/mod.ts";
import { claimRuns, createDeploymentRun, DeploymentService } from "../../engine/deployments/mod.ts";

const double = task(async (x: number) => {
  await Promise.resolve();
  return x * 2;
}, { name: "double" });
// Takes the futures themselves, so the SDK records one data edge per mapped run.
const sum = task((xs: unknown[]) => (xs as number[]).reduce((a, b) => a + b, 0), { name: "sum" });

/** A map of `n` doubles feeding a sum: a fan-out and a fan-in. */
const mapReduce = flow({ name: "map-reduce" }, async (n: number) => {
  const doubled = double.map(Array.from({ length: n }, (_, i) => i));
  getRunLogger().info("mapped");
  getRunLogger().error("one line at ERROR");
  return await sum(doubled);
});
const failing = flow({ name: "report" }, () => {
  throw new Error("report failed");
});

function appOn(engine: Engine, apiKey?: string) {
  return createApp({ engine, clock: systemClock, ...(apiKey ? { apiKey } : {}) });
}

async function html(res: Response | Promise<Response>): Promise<string> {
  return await (await res).text();
}

function csrfOf(page: string): string {
  const match = page.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, "the page has a form with a CSRF token");
  return match[1]!;
}

Deno.test("runs page lists flow runs of real flows with task counts, newest first", async () => {
  await using t = testEngine();
  const first = await mapReduce.runWith({ plane: t.plane }, 3);
  const second = await failing.runWith({ plane: t.plane });
  const page = await html(appOn(t.engine).request("/"));
  const at = (id: string) => page.indexOf(`data-run-id="${id}"`);
  assert.ok(at(second.runId) > 0 && at(first.runId) > at(second.runId));
  assert.match(page, />4\/4</, "tasks done of total");
  assert.match(page, /class="badge s-FAILED"/);
  assert.match(page, /<svg class="chart"[^>]*data-live="activity"/);
  assert.match(page, /Completed <span class="n">1<\/span>/);
});

Deno.test("runs page filters by state, flow and text from the URL", async (t) => {
  await using e = testEngine();
  const ok = await mapReduce.runWith({ plane: e.plane }, 1);
  const bad = await failing.runWith({ plane: e.plane });
  const app = appOn(e.engine);
  await t.step("state", async () => {
    const page = await html(app.request("/?state=FAILED"));
    assert.match(page, new RegExp(`data-run-id="${bad.runId}"`));
    assert.doesNotMatch(page, new RegExp(`data-run-id="${ok.runId}"`));
    assert.match(page, /aria-current="true" data-chip="FAILED"/);
  });
  await t.step("flow", async () => {
    const page = await html(app.request("/?flow=map-reduce"));
    assert.match(page, new RegExp(`data-run-id="${ok.runId}"`));
    assert.doesNotMatch(page, new RegExp(`data-run-id="${bad.runId}"`));
  });
  await t.step("text", async () => {
    const name = e.engine.getRun(bad.runId)!.runName;
    const page = await html(app.request(`/?q=${encodeURIComponent(name)}`));
    assert.match(page, new RegExp(`data-run-id="${bad.runId}"`));
    assert.doesNotMatch(page, new RegExp(`data-run-id="${ok.runId}"`));
  });
  await t.step("nothing matches", async () => {
    const page = await html(app.request("/?state=PAUSED"));
    assert.match(page, /No runs match these filters/);
  });
});

Deno.test("runs page pages with a cursor link and shows a newcomer what to run", async () => {
  await using e = testEngine();
  const app = appOn(e.engine);
  assert.match(await html(app.request("/")), /No flow runs yet/);
  const tiny = flow({ name: "tiny" }, () => 1);
  for (let i = 0; i < 53; i++) await tiny.runWith({ plane: e.plane });
  const first = await html(app.request("/"));
  assert.equal(first.match(/<tr\s+data-run-id=/g)?.length, 50);
  const next = first.match(/href="(\/\?cursor=[^"]+)" rel="next"/);
  assert.ok(next, "a next-page link");
  const second = await html(app.request(next[1]!.replaceAll("&amp;", "&")));
  assert.equal(second.match(/<tr\s+data-run-id=/g)?.length, 3);
  assert.match(second, /« Newest/);
  assert.doesNotMatch(second, /rel="next"/);
  const bad = await appOn(e.engine).request("/?cursor=garbage");
  assert.equal(bad.status, 400);
  assert.match(
    await bad.text(),
    /Cursor &quot;garbage&quot; is malformed|Cursor "garbage" is malformed/,
  );
});

Deno.test("a script tag in a flow name and in a log line renders as text", async () => {
  await using e = testEngine();
  const evil = flow({ name: "<script>alert('flow')</script>" }, () => {
    getRunLogger().warning("<img src=x onerror=alert('log')>");
  });
  const { runId } = await evil.runWith({ plane: e.plane });
  await e.engine.flush();
  const app = appOn(e.engine);
  for (const path of ["/", `/runs/${runId}`, `/runs/${runId}?tab=logs`, "/flows"]) {
    const page = await html(app.request(path));
    assert.doesNotMatch(page, /<script>alert/, path);
    assert.doesNotMatch(page, /<img src=x/, path);
  }
  const logs = await html(app.request(`/runs/${runId}?tab=logs`));
  assert.match(logs, /&lt;img src=x onerror=alert\('log'\)>/);
});

Deno.test("run page answers 404 with a message for an unknown run", async () => {
  await using e = testEngine();
  const res = await appOn(e.engine).request("/runs/no-such-run");
  assert.equal(res.status, 404);
  assert.match(
    await res.text(),
    /Flow run &quot;no-such-run&quot; does not exist|Flow run "no-such-run" does not exist/,
  );
});

Deno.test("run page of a task run id is the task run's own page, linked to its flow run", async () => {
  await using e = testEngine();
  const { runId } = await mapReduce.runWith({ plane: e.plane }, 1);
  const taskRun = e.engine.listRuns({ kind: "task", parentId: runId }).items[0]!;
  const res = await appOn(e.engine).request(`/runs/${taskRun.id}`);
  assert.equal(res.status, 200);
  const page = await res.text();
  assert.match(page, new RegExp(`<h1>${taskRun.runName}</h1>`));
  assert.match(page, new RegExp(`href="/runs/${runId}"`));
});

Deno.test("run page renders every tab from a real run", async (t) => {
  await using e = testEngine();
  const load = flow({ name: "load" }, () => 1);
  const parent = flow({ name: "parent" }, async () => {
    await mapReduce(4);
    return await load();
  });
  const { runId: parentId } = await parent.runWith({ plane: e.plane });
  const child = e.engine.listRuns({ kind: "flow", parentId: parentId }).items;
  assert.equal(child.length, 2);
  const runId = child.find((r) => r.flowName === "map-reduce")!.id;
  await e.engine.flush();
  const app = appOn(e.engine);
  await t.step("header, lineage and task runs", async () => {
    const page = await html(app.request(`/runs/${runId}`));
    assert.match(page, /5 of 5 completed/);
    assert.match(page, /Lineage/);
    assert.match(page, new RegExp(`href="/runs/${parentId}"`));
    assert.match(page, /double#0\[3\]/);
    assert.match(page, /data-stream="\/api\/stream\/flow-runs\//);
  });
  await t.step("timeline", async () => {
    const page = await html(app.request(`/runs/${runId}?tab=timeline`));
    assert.match(page, /data-chart="timeline"/);
    assert.ok((page.match(/class="bar f-COMPLETED"/g)?.length ?? 0) >= 5);
  });
  await t.step("graph, mapped tasks folded", async () => {
    const page = await html(app.request(`/runs/${runId}?tab=graph`));
    assert.match(page, /×4 runs/);
    assert.match(page, /data-node="double#0"/);
    assert.match(page, /class="edge data"/);
    assert.match(page, /Expand mapped tasks/);
  });
  await t.step("graph, expanded", async () => {
    const page = await html(app.request(`/runs/${runId}?tab=graph&graph=expanded`));
    assert.equal(page.match(/class="node task"/g)?.length, 5);
    assert.match(page, /Mode: <strong>expanded/);
  });
  await t.step("graph of the parent shows subflows linking to their runs", async () => {
    const page = await html(app.request(`/runs/${parentId}?tab=graph`));
    assert.match(page, new RegExp(`<a href="/runs/${runId}"><g class="node subflow"`));
  });
  await t.step("logs with a level filter", async () => {
    const all = await html(app.request(`/runs/${runId}?tab=logs`));
    assert.match(all, /mapped/);
    const errors = await html(app.request(`/runs/${runId}?tab=logs&level=40`));
    assert.doesNotMatch(errors, />mapped</);
    assert.match(errors, /one line at ERROR/);
    assert.match(errors, /data-min-level="40"/);
  });
  await t.step("events", async () => {
    const page = await html(app.request(`/runs/${runId}?tab=events`));
    assert.match(page, /created/);
    assert.match(page, /class="badge s-COMPLETED"/);
  });
  await t.step("artifacts: an empty state that says what will appear", async () => {
    const page = await html(app.request(`/runs/${runId}?tab=artifacts`));
    assert.match(page, /No artifacts/);
  });
});

Deno.test("cancel form is refused without its token and cancels a running flow with it", async () => {
  await using e = testEngine();
  const gate = deferred();
  const waiting = flow({ name: "waiting" }, async () => {
    await gate.promise;
    return "done";
  });
  const outcome = waiting.runWith({ plane: e.plane });
  await until(
    () => e.engine.listRuns({ kind: "flow", states: ["RUNNING"] }).items.length === 1,
    "the flow run to start",
  );
  const run = e.engine.listRuns({ kind: "flow" }).items[0]!;
  const app = appOn(e.engine);
  const page = await html(app.request(`/runs/${run.id}`));
  assert.match(page, new RegExp(`action="/runs/${run.id}/cancel"`));
  const refused = await app.request(`/runs/${run.id}/cancel`, {
    method: "POST",
    body: new URLSearchParams({ _csrf: "forged" }),
  });
  assert.equal(refused.status, 403);
  assert.equal(e.engine.getRun(run.id)!.state, "RUNNING");
  const res = await app.request(`/runs/${run.id}/cancel`, {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrfOf(page) }),
  });
  assert.equal(res.status, 303);
  const location = res.headers.get("location")!;
  assert.match(location, new RegExp(`^/runs/${run.id}\\?flash=`));
  assert.match(await html(app.request(location)), /Cancellation requested/);
  gate.resolve();
  assert.equal((await outcome).state.type, "CANCELLED");
});

Deno.test("retry form queues the next attempt of a deployment run and the lineage links both", async () => {
  await using e = testEngine();
  const deployment = await new DeploymentService(e.engine).create({
    name: "nightly",
    entrypoint: "./nightly.ts:nightly",
  });
  const first = await createDeploymentRun(e.engine, deployment);
  const runId = first.id;
  await e.engine.propose(runId, { to: "RUNNING", token: "start", kind: "start" });
  await e.engine.propose(runId, { to: "FAILED", token: "fail", kind: "fail" });
  const app = appOn(e.engine);
  const page = await html(app.request(`/runs/${runId}`));
  assert.match(page, /Retry as a new attempt/);
  const res = await app.request(`/runs/${runId}/retry`, {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrfOf(page) }),
  });
  assert.equal(res.status, 303);
  const attempts =
    e.engine.listRuns({ kind: "flow", lineageId: first.lineageId, sort: "created", order: "asc" })
      .items;
  assert.deepEqual(attempts.map((r) => [r.attempt, r.state]), [[1, "FAILED"], [2, "SCHEDULED"]]);
  // Queued for the pool at once: a worker claims it.
  const [claimed] = await claimRuns(e.engine, "default", { workerId: "w" });
  assert.equal(claimed?.run.id, attempts[1]!.id);
  const next = await html(app.request(res.headers.get("location")!));
  assert.match(next, /Retry scheduled as attempt 2/);
  assert.match(next, new RegExp(`<a href="/runs/${runId}">#1</a>`));
  const again = await app.request(`/runs/${runId}/retry`, {
    method: "POST",
    body: new URLSearchParams({ _csrf: csrfOf(page) }),
  });
  assert.equal(again.status, 303, "a refused action comes back as a message");
  assert.match(await html(app.request(again.headers.get("location")!)), /already retried/);
});

Deno.test("a failed run of no deployment offers no retry form, and a forged retry is refused with a message", async () => {
  await using e = testEngine();
  const { runId } = await failing.runWith({ plane: e.plane });
  const app = appOn(e.engine);
  const page = await html(app.request(`/runs/${runId}`));
  assert.doesNotMatch(page, /Retry as a new attempt/);
  // A token from a page that has a form (a scheduled run's cancel form).
  const other = await e.engine.createFlowRun({ name: "other", state: "SCHEDULED" });
  const token = csrfOf(await html(app.request(`/runs/${other.id}`)));
  const res = await app.request(`/runs/${runId}/retry`, {
    method: "POST",
    body: new URLSearchParams({ _csrf: token }),
  });
  assert.equal(res.status, 303);
  assert.match(await html(app.request(res.headers.get("location")!)), /retryFlowRun/);
  assert.equal(e.engine.listRuns({ kind: "flow", lineageId: runId }).items.length, 1);
});

Deno.test("pause and resume forms move a running flow run", async () => {
  await using e = testEngine();
  const gate = deferred();
  const waiting = flow({ name: "waiting" }, async () => await gate.promise);
  const outcome = waiting.runWith({ plane: e.plane });
  await until(
    () => e.engine.listRuns({ kind: "flow", states: ["RUNNING"] }).items.length === 1,
    "the flow run to start",
  );
  const run = e.engine.listRuns({ kind: "flow" }).items[0]!;
  const app = appOn(e.engine);
  const token = csrfOf(await html(app.request(`/runs/${run.id}`)));
  const post = (action: string, extra: Record<string, string> = {}) =>
    app.request(`/runs/${run.id}/${action}`, {
      method: "POST",
      body: new URLSearchParams({ _csrf: token, ...extra }),
    });
  assert.equal((await post("pause", { mode: "drain" })).status, 303);
  assert.equal(e.engine.getRun(run.id)!.state, "PAUSED");
  assert.match(await html(app.request(`/runs/${run.id}`)), /action="\/runs\/[^"]+\/resume"/);
  assert.equal((await post("resume")).status, 303);
  assert.equal(e.engine.getRun(run.id)!.state, "RUNNING");
  gate.resolve();
  assert.equal((await outcome).state.type, "COMPLETED");
});

Deno.test("with an API key, pages need sign-in and the session cookie opens the API too", async (t) => {
  await using e = testEngine();
  await mapReduce.runWith({ plane: e.plane }, 1);
  const app = appOn(e.engine, "s3cret-key");
  await t.step("a page redirects to the sign-in form", async () => {
    const res = await app.request("/flows?x=1");
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/login?next=%2Fflows%3Fx%3D1");
    assert.match(await html(app.request("/login?next=%2Fflows")), /name="next" value="\/flows"/);
  });
  await t.step("a wrong key is refused", async () => {
    const res = await app.request("/login", {
      method: "POST",
      body: new URLSearchParams({ key: "guess", next: "/" }),
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get("set-cookie"), null);
  });
  let cookie = "";
  await t.step("the right key sets an HttpOnly, SameSite=Strict cookie", async () => {
    const res = await app.request("/login", {
      method: "POST",
      body: new URLSearchParams({ key: "s3cret-key", next: "//evil.example/" }),
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/", "no redirect off the site");
    const set = res.headers.get("set-cookie")!;
    assert.match(set, /^ironflow_session=/);
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    cookie = set.split(";")[0]!;
  });
  await t.step("the cookie opens pages and GET /api", async () => {
    assert.equal((await app.request("/", { headers: { cookie } })).status, 200);
    assert.equal((await app.request("/api/flow-runs", { headers: { cookie } })).status, 200);
  });
  await t.step("assets need no sign-in", async () => {
    assert.equal((await app.request("/assets/app.css")).status, 200);
  });
  await t.step("sign-out needs the form token and clears the cookie", async () => {
    const page = await html(app.request("/", { headers: { cookie } }));
    const res = await app.request("/logout", {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrfOf(page) }),
    });
    assert.equal(res.status, 303);
    assert.match(res.headers.get("set-cookie")!, /ironflow_session=;/);
  });
});

Deno.test("assets are cached by versioned URL and revalidate with an ETag", async () => {
  await using e = testEngine();
  const app = appOn(e.engine);
  const page = await html(app.request("/"));
  const js = page.match(/<script src="([^"]+)"/)![1]!;
  const res = await app.request(js);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /javascript/);
  assert.match(res.headers.get("cache-control")!, /immutable/);
  assert.match(await res.text(), /new EventSource\(url\)/);
  const again = await app.request(js, { headers: { "if-none-match": res.headers.get("etag")! } });
  assert.equal(again.status, 304);
});

Deno.test("pages carry a content security policy that allows only this origin's script", async () => {
  await using e = testEngine();
  const res = await appOn(e.engine).request("/");
  const csp = res.headers.get("content-security-policy")!;
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /default-src 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
});

Deno.test("flows catalog and flow page show run counts, last state and recent runs", async () => {
  await using e = testEngine();
  const app = appOn(e.engine);
  assert.match(await html(app.request("/flows")), /No flows have run yet/);
  await mapReduce.runWith({ plane: e.plane }, 1);
  const { runId } = await mapReduce.runWith({ plane: e.plane }, 1);
  await failing.runWith({ plane: e.plane });
  const catalog = await html(app.request("/flows"));
  assert.match(catalog, /href="\/flows\/map-reduce">map-reduce<\/a><\/td><td class="num">2</);
  assert.match(catalog, new RegExp(`href="/runs/${runId}"><span class="badge s-COMPLETED"`));
  const detail = await html(app.request("/flows/map-reduce"));
  assert.match(detail, /2 completed/);
  assert.match(detail, new RegExp(`data-run-id="${runId}"`));
  assert.match(detail, /No deployments of this flow/);
  assert.equal((await app.request("/flows/nope")).status, 404);
});

Deno.test("deployments, work pools and concurrency pages explain what will appear", async () => {
  await using e = testEngine();
  const app = appOn(e.engine);
  assert.match(await html(app.request("/deployments")), /No deployments yet/);
  assert.match(await html(app.request("/work-pools")), /ironflow worker start/);
  assert.match(await html(app.request("/concurrency-limits")), /No concurrency limits/);
  await e.engine.transact((tx) =>
    tx.putConcurrencyLimit({
      name: "db",
      limit: 5,
      slotDecayPerSecond: 0,
      activeSlots: 0,
      createdAt: 0,
      updatedAt: 0,
    })
  );
  // Slots in use are the live leases' slots.
  await acquireSlots(e.engine, systemClock, { names: ["db"], occupy: 2 });
  assert.match(await html(app.request("/concurrency-limits")), /<td>db<\/td><td class="num">2</);
});
