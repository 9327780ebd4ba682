/**
 * Deployments and work pools pages: lists, detail, schedules with their next
 * run times, the schedule editor, quick run, pause/resume, escaping and
 * CSRF, on an in-memory engine through `createApp`.
 */
import assert from "node:assert/strict";
import {
  createDeploymentRun,
  type Deployment,
  type DeploymentInput,
  DeploymentService,
  getWorkPool,
  heartbeat,
  WORKER_STALE_MS,
} from "../../engine/deployments/mod.ts";
import { DEFAULT_ANCHOR, type Engine, type FakeClock } from "../../engine/mod.ts";
import { flow } from "../../sdk/mod.ts";
import { createApp } from "../../server/app.ts";
import { FakeClock as Clock, NOW, testEngine } from "./_fixtures.ts";

const HOUR = 3_600_000;

function setup(clock: FakeClock = new Clock(NOW)) {
  const t = testEngine(clock);
  const service = new DeploymentService(t.engine);
  const app = createApp({ engine: t.engine, clock });
  return { ...t, clock, service, app };
}

function deploy(
  service: DeploymentService,
  input: Partial<DeploymentInput> = {},
): Promise<Deployment> {
  return service.create({ name: "etl-daily", entrypoint: "./flows/etl.ts:etl", ...input });
}

const hourly = {
  kind: "interval",
  intervalSeconds: 3600,
  anchor: DEFAULT_ANCHOR,
  timezone: "UTC",
  active: true,
  catchup: "skip",
} as const;

// Precompiled JSX leaves a double space where a `key` was; one space reads better in asserts.
async function html(res: Response | Promise<Response>): Promise<string> {
  return normalize(await (await res).text());
}

function normalize(page: string): string {
  return page.replace(/<(\w+)\s+>/g, "<$1>").replace(/<(\w+)\s+/g, "<$1 ");
}

function csrfOf(page: string): string {
  const match = page.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, "the page has a form with a CSRF token");
  return match[1]!;
}

function runKeyOf(page: string): string {
  return page.match(/name="idempotency_key" value="([^"]+)"/)![1]!;
}

function flowRuns(engine: Engine) {
  return engine.listRuns({ kind: "flow" }).items;
}

/** Posts a form as a browser would (urlencoded). */
function post(app: ReturnType<typeof createApp>, path: string, fields: Record<string, string>) {
  return app.request(path, { method: "POST", body: new URLSearchParams(fields) });
}

/** The text of a page with tags stripped and whitespace collapsed. */
function textOf(page: string): string {
  return page.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

Deno.test("deployments page tells a newcomer to run ironflow init and deploy", async () => {
  await using t = setup();
  const page = await html(t.app.request("/deployments"));
  assert.match(page, /No deployments yet/);
  assert.match(page, /ironflow init/);
  assert.match(page, /ironflow deploy/);
});

Deno.test("deployments page lists name, flow, schedules with next run, pause, pool, runs, concurrency", async () => {
  await using t = setup();
  const etl = await deploy(t.service, {
    schedules: [hourly],
    concurrencyLimit: 2,
    collisionStrategy: "CANCEL_NEW",
    tags: ["nightly"],
  });
  await deploy(t.service, {
    name: "report",
    entrypoint: "./flows/report.ts:weekly",
    paused: true,
    workPool: "reports",
  });
  const run = await createDeploymentRun(t.engine, etl);
  const page = await html(t.app.request("/deployments"));
  const row = page.slice(page.indexOf('data-deployment="etl-daily"'));
  assert.match(row, /href="\/deployments\/etl-daily">etl-daily</);
  assert.match(row, /href="\/flows\/etl">etl</);
  assert.match(row, /every 1h/);
  assert.match(row, /<time datetime="2025-06-15T13:00:00.000Z">2025-06-15 13:00:00<\/time>/);
  assert.match(row, /href="\/work-pools\/default">default</);
  assert.match(row, new RegExp(`href="/runs/${run.id}" class="dot s-SCHEDULED"`));
  assert.match(row, /0 \/ 2<span class="muted small"> · CANCEL_NEW/);
  const report = page.slice(page.indexOf('data-deployment="report"'));
  assert.match(report, /class="badge tone-warn"[^>]*>Paused</);
  assert.match(report, /on demand/);
  assert.match(report, /href="\/work-pools\/reports">reports</);
  assert.match(report, /no runs yet/);
});

Deno.test("deployment page shows fields, parameters, tags, former names and the next 5 runs of an interval", async () => {
  await using t = setup();
  const created = await deploy(t.service, {
    name: "etl",
    parameters: { day: "today", pages: 4 },
    tags: ["nightly", "warehouse"],
    schedules: [hourly],
    workPool: "etl-pool",
  });
  await t.service.update(created.id, { name: "etl-daily" });
  const page = await html(t.app.request("/deployments/etl-daily"));
  assert.match(page, /<h1>etl-daily<\/h1>/);
  assert.match(page, /\.\/flows\/etl\.ts:etl/);
  assert.match(page, /href="\/work-pools\/etl-pool"/);
  assert.match(page, /&quot;day&quot;: &quot;today&quot;|"day": "today"/);
  assert.match(page, /<code class="chip-code">nightly<\/code><code class="chip-code">warehouse/);
  assert.match(page, /<dt>Formerly<\/dt><dd><code class="chip-code">etl<\/code>/);
  const times = [...page.matchAll(/<li><time datetime="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(times, [13, 14, 15, 16, 17].map((h) => `2025-06-15T${h}:00:00.000Z`));
  assert.match(page, /class="badge tone-ok"[^>]*>Active</);
  // A former name opens the same page; time moves the next runs along.
  t.clock.tick(HOUR);
  const later = await html(t.app.request("/deployments/etl"));
  assert.match(later, /<li><time datetime="2025-06-15T14:00:00.000Z">/);
  assert.doesNotMatch(later, /<li><time datetime="2025-06-15T13:00:00.000Z">/);
  assert.match(later, /<li><time datetime="2025-06-15T18:00:00.000Z">/);
});

Deno.test("a cron schedule's next runs are shown in its time zone too", async () => {
  await using t = setup();
  await deploy(t.service, {
    schedules: [{
      kind: "cron",
      cron: "0 9 * * 1-5",
      timezone: "Europe/Paris",
      active: true,
      catchup: "skip",
    }],
  });
  const page = await html(t.app.request("/deployments/etl-daily"));
  // Sunday noon UTC: Monday 16 June, 09:00 in Paris is 07:00 UTC (summer time).
  assert.match(page, /datetime="2025-06-16T07:00:00.000Z"/);
  assert.match(page, /2025-06-16 09:00 Europe\/Paris/);
});

Deno.test("quick run creates a run with merged parameters and redirects to it", async () => {
  await using t = setup();
  await deploy(t.service, { parameters: { day: "today", pages: 4 } });
  const page = await html(t.app.request("/deployments/etl-daily"));
  assert.match(page, /<textarea name="parameters"[^>]*>\{\n {2}&quot;day&quot;|"day"/);
  const fields = {
    _csrf: csrfOf(page),
    idempotency_key: runKeyOf(page),
    parameters: '{"day": "2025-06-01"}',
  };
  const res = await post(t.app, "/deployments/etl-daily/run", fields);
  assert.equal(res.status, 303);
  const runs = flowRuns(t.engine);
  assert.equal(runs.length, 1);
  const run = runs[0]!;
  assert.deepEqual(run.parameters, { day: "2025-06-01", pages: 4 });
  assert.equal(run.state, "SCHEDULED");
  assert.equal(run.deploymentId, t.service.get("etl-daily").id);
  const location = res.headers.get("location")!;
  assert.match(location, new RegExp(`^/runs/${run.id}\\?flash=`));
  const runPage = await html(t.app.request(location));
  assert.match(runPage, /Run created from deployment &quot;etl-daily&quot;|"etl-daily"/);
  assert.match(
    runPage,
    /href="\/deployments\/[^"]+">etl-daily<\/a>/,
    "the run links its deployment",
  );
  // The same form sent twice makes one run.
  const again = await post(t.app, "/deployments/etl-daily/run", fields);
  assert.equal(again.status, 303);
  assert.equal(flowRuns(t.engine).length, 1);
  assert.match(again.headers.get("location")!, new RegExp(`^/runs/${run.id}\\?`));
  // The deployment page lists it.
  const after = await html(t.app.request("/deployments/etl-daily"));
  assert.match(after, new RegExp(`data-run-id="${run.id}"`));
});

Deno.test("quick run with bad parameters shows the error on the page and creates nothing", async (t) => {
  await using e = setup();
  await deploy(e.service, {
    parameterSchema: {
      type: "object",
      properties: { pages: { type: "integer" } },
      required: ["pages"],
    },
    parameters: { pages: 1 },
  });
  const token = csrfOf(await html(e.app.request("/deployments/etl-daily")));
  const cases: [string, string, RegExp][] = [
    ["not JSON", "{day: today", /Parameters are not valid JSON/],
    ["not an object", "[1, 2]", /Parameters must be a JSON object/],
    ["against the schema", '{"pages": "many"}', /Invalid parameters for deployment/],
  ];
  for (const [name, parameters, message] of cases) {
    await t.step(name, async () => {
      const res = await post(e.app, "/deployments/etl-daily/run", { _csrf: token, parameters });
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.match(page, message);
      assert.match(page, /role="alert"/);
      assert.match(page, /aria-invalid="true"/);
      const shown = page.match(/<textarea name="parameters"[^>]*>([^<]*)<\/textarea>/)![1]!;
      assert.equal(shown.replaceAll("&quot;", '"'), parameters, "the text comes back to fix");
      assert.equal(flowRuns(e.engine).length, 0);
    });
  }
});

Deno.test("forms refuse a forged CSRF token and change nothing", async () => {
  await using t = setup();
  await deploy(t.service, { schedules: [hourly] });
  await heartbeat(t.engine, { id: "w-1", pool: "default" });
  const forged = { _csrf: "forged" };
  const attempts: [string, Record<string, string>][] = [
    ["/deployments/etl-daily/run", { parameters: "{}" }],
    ["/deployments/etl-daily/pause", {}],
    ["/deployments/etl-daily/schedules", { intent: "save", kind: "cron", value: "@daily" }],
    ["/deployments/etl-daily/schedules", { intent: "remove", index: "0" }],
    ["/work-pools/default/pause", {}],
  ];
  for (const [path, fields] of attempts) {
    const res = await post(t.app, path, { ...forged, ...fields });
    assert.equal(res.status, 403, path);
    assert.match(await res.text(), /did not come from this dashboard/);
    const missing = await post(t.app, path, fields);
    assert.equal(missing.status, 403, `${path} without a token`);
  }
  const deployment = t.service.get("etl-daily");
  assert.equal(deployment.paused, false);
  assert.equal(deployment.schedules.length, 1);
  assert.equal(flowRuns(t.engine).length, 0);
  assert.equal((await getWorkPool(t.engine, "default")).paused, false);
});

Deno.test("a script tag in a deployment's description, name of a tag and parameters renders as text", async () => {
  await using t = setup();
  const evil = "<script>alert('xss')</script>";
  await deploy(t.service, {
    description: evil,
    tags: [evil],
    parameters: { note: evil },
    flowName: evil,
  });
  for (const path of ["/deployments", "/deployments/etl-daily", "/work-pools/default"]) {
    const page = await html(t.app.request(path));
    assert.doesNotMatch(page, /<script>alert/, path);
  }
  const page = await html(t.app.request("/deployments/etl-daily"));
  assert.match(page, /<p class="description">&lt;script>alert\('xss'\)&lt;\/script><\/p>/);
});

Deno.test("schedule editor: preview renders the next runs on submit, save stores the schedule", async (t) => {
  await using e = setup();
  await deploy(e.service);
  const page = await html(e.app.request("/deployments/etl-daily"));
  assert.match(page, /No schedules: this deployment runs on demand only/);
  const token = csrfOf(page);
  const editor = (fields: Record<string, string>) =>
    post(e.app, "/deployments/etl-daily/schedules", {
      _csrf: token,
      index: "",
      key: "",
      timezone: "UTC",
      catchup: "skip",
      active: "on",
      ...fields,
    });

  await t.step("preview of an interval written as 15m", async () => {
    const res = await editor({ intent: "preview", kind: "interval", value: "15m" });
    assert.equal(res.status, 200);
    const shown = normalize(await res.text());
    assert.match(shown, /Next 5 runs/);
    const times = [...shown.matchAll(/<li><time datetime="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(
      times,
      [15, 30, 45].map((m) => `2025-06-15T12:${m}:00.000Z`).concat([
        "2025-06-15T13:00:00.000Z",
        "2025-06-15T13:15:00.000Z",
      ]),
    );
    assert.match(shown, /name="value" value="15m"/, "the draft stays in the form");
    assert.equal(e.service.get("etl-daily").schedules.length, 0, "a preview saves nothing");
  });

  await t.step("preview of an rrule in a time zone", async () => {
    const res = await editor({
      intent: "preview",
      kind: "rrule",
      value: "FREQ=WEEKLY;BYDAY=MO,WE",
      timezone: "America/New_York",
      anchor: "2025-01-06T09:30:00-05:00",
    });
    const shown = await res.text();
    assert.equal(res.status, 200);
    assert.match(shown, /2025-06-16 09:30 America\/New_York/);
    assert.match(shown, /2025-06-18 09:30 America\/New_York/);
  });

  await t.step("an invalid cron shows why, with status 400", async () => {
    const res = await editor({ intent: "preview", kind: "cron", value: "61 * * * *" });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /class="preview bad"[\s\S]*Invalid cron/);
    const zone = await editor({
      intent: "save",
      kind: "cron",
      value: "@daily",
      timezone: "Mars/Olympus",
    });
    assert.equal(zone.status, 400);
    assert.match(await zone.text(), /Unknown time zone &quot;Mars\/Olympus&quot;|"Mars\/Olympus"/);
    assert.equal(e.service.get("etl-daily").schedules.length, 0);
  });

  await t.step("save adds the schedule through the deployment service", async () => {
    const res = await editor({
      intent: "save",
      kind: "cron",
      value: "0 6 * * *",
      timezone: "Europe/Paris",
      catchup: "run_once",
    });
    assert.equal(res.status, 303);
    const location = res.headers.get("location")!;
    assert.match(location, /^\/deployments\/etl-daily\?flash=[^#]+#schedules$/);
    assert.deepEqual(e.service.get("etl-daily").schedules, [{
      kind: "cron",
      cron: "0 6 * * *",
      timezone: "Europe/Paris",
      active: true,
      catchup: "run_once",
    }]);
    const after = await html(e.app.request(location.replace(/#.*/, "")));
    assert.match(after, /Schedule 1 added/);
    assert.match(after, /cron 0 6 \* \* \*/);
    assert.match(after, /datetime="2025-06-16T04:00:00.000Z"/);
  });

  await t.step("edit opens the schedule in the editor and saves it in place, off", async () => {
    const form = await html(e.app.request("/deployments/etl-daily?schedule=0"));
    assert.match(form, /Edit schedule 1/);
    assert.match(form, /name="value" value="0 6 \* \* \*"/);
    assert.match(form, /<option value="cron" selected>/);
    const key = form.match(/id="editor"[\s\S]*?name="key" value="([^"]+)"/)![1]!;
    const res = await editor({
      intent: "save",
      index: "0",
      key: key.replaceAll("&amp;", "&"),
      kind: "interval",
      value: "2h",
      active: "",
    });
    assert.equal(res.status, 303);
    const [schedule] = e.service.get("etl-daily").schedules;
    assert.equal(schedule?.kind, "interval");
    assert.equal(schedule?.kind === "interval" && schedule.intervalSeconds, 7200);
    assert.equal(schedule?.active, false);
  });

  await t.step("an edit of a schedule that changed meanwhile is refused", async () => {
    const res = await editor({
      intent: "save",
      index: "0",
      key: "interval:60:0:UTC",
      kind: "interval",
      value: "1h",
    });
    assert.equal(res.status, 409);
    assert.match(await res.text(), /changed since this page was loaded/);
    const [kept] = e.service.get("etl-daily").schedules;
    assert.equal(kept?.kind === "interval" && kept.intervalSeconds, 7200);
  });
});

Deno.test("schedule toggle and remove forms turn a schedule on and off and delete it", async () => {
  await using t = setup();
  await deploy(t.service, { schedules: [hourly] });
  const page = await html(t.app.request("/deployments/etl-daily"));
  const token = csrfOf(page);
  const key = page.match(/name="key" value="(interval:[^"]+)"/)![1]!;
  const send = (intent: string, k = key) =>
    post(t.app, "/deployments/etl-daily/schedules", { _csrf: token, intent, index: "0", key: k });
  assert.equal((await send("toggle")).status, 303);
  assert.equal(t.service.get("etl-daily").schedules[0]?.active, false);
  const off = await html(t.app.request("/deployments/etl-daily"));
  assert.match(off, /class="badge tone-off"[^>]*>Off</);
  assert.match(off, /Turn on/);
  const stale = await send("remove", "cron:* * * * *:UTC");
  assert.equal(stale.status, 303);
  assert.match(
    await html(t.app.request(stale.headers.get("location")!)),
    /changed since this page/,
  );
  assert.equal(t.service.get("etl-daily").schedules.length, 1);
  assert.equal((await send("remove")).status, 303);
  assert.equal(t.service.get("etl-daily").schedules.length, 0);
});

Deno.test("pause and resume forms of a deployment", async () => {
  await using t = setup();
  await deploy(t.service, { schedules: [hourly] });
  const token = csrfOf(await html(t.app.request("/deployments/etl-daily")));
  const paused = await post(t.app, "/deployments/etl-daily/pause", { _csrf: token });
  assert.equal(paused.status, 303);
  assert.equal(t.service.get("etl-daily").paused, true);
  const page = await html(t.app.request(paused.headers.get("location")!));
  assert.match(page, /Paused: schedules create no runs/);
  assert.match(page, /action="\/deployments\/etl-daily\/resume"/);
  assert.match(page, /The deployment is paused: these slots get no runs/);
  assert.match(
    await html(t.app.request("/deployments")),
    /<td class="nowrap"><span class="muted">paused<\/span>/,
  );
  assert.equal((await post(t.app, "/deployments/etl-daily/resume", { _csrf: token })).status, 303);
  assert.equal(t.service.get("etl-daily").paused, false);
});

Deno.test("work pools page shows queue depth and workers online and stale; the pool page its workers", async () => {
  await using t = setup();
  const etl = await deploy(t.service, { workPool: "etl" });
  await deploy(t.service, { name: "other", workPool: "etl" });
  await createDeploymentRun(t.engine, etl);
  await createDeploymentRun(t.engine, etl, { expectedStartTime: NOW + HOUR });
  await heartbeat(t.engine, { id: "w-old", pool: "etl", name: "old-worker" });
  t.clock.tick(WORKER_STALE_MS + 1_000);
  await heartbeat(t.engine, { id: "w-new", pool: "etl", name: "new-worker" });
  const list = await html(t.app.request("/work-pools"));
  const row = textOf(list.slice(list.indexOf('data-pool="etl"')).split("</tr>")[0]!);
  assert.match(row, /etl Ready — 2 2 1 1/, "no limit, queue 2, deployments 2, 1 online, 1 stale");
  assert.match(list, /href="\/work-pools\/default"/);
  const pool = await html(t.app.request("/work-pools/etl"));
  const workers = textOf(pool);
  assert.match(workers, /new-worker w-new ONLINE/);
  assert.match(workers, /old-worker w-old OFFLINE/);
  assert.match(workers, /1 online, 1 stale/);
  assert.match(workers, /2 scheduled/);
  assert.ok(workers.indexOf("new-worker") < workers.indexOf("old-worker"), "online first");
  assert.match(pool, /data-deployment="etl-daily"/);
  assert.match(pool, /data-deployment="other"/);
});

Deno.test("work pool pause and resume forms; unknown pools and deployments are 404", async () => {
  await using t = setup();
  await deploy(t.service, { workPool: "etl" });
  const token = csrfOf(await html(t.app.request("/work-pools/etl")));
  const res = await post(t.app, "/work-pools/etl/pause", { _csrf: token });
  assert.equal(res.status, 303);
  const page = await html(t.app.request(res.headers.get("location")!));
  assert.match(page, /Paused: workers claim no runs from this pool/);
  assert.match(page, /action="\/work-pools\/etl\/resume"/);
  assert.match(await html(t.app.request("/work-pools")), /class="badge tone-warn"[^>]*>Paused</);
  assert.equal((await post(t.app, "/work-pools/etl/resume", { _csrf: token })).status, 303);
  assert.match(await html(t.app.request("/work-pools/etl")), /action="\/work-pools\/etl\/pause"/);
  const noPool = await t.app.request("/work-pools/nope");
  assert.equal(noPool.status, 404);
  assert.match(await noPool.text(), /Work pool &quot;nope&quot; does not exist|"nope"/);
  const noDeployment = await t.app.request("/deployments/nope");
  assert.equal(noDeployment.status, 404);
  assert.match(await noDeployment.text(), /Deployment &quot;nope&quot; does not exist|"nope"/);
  assert.equal((await post(t.app, "/deployments/nope/run", { _csrf: token })).status, 404);
});

Deno.test("flow page lists the flow's deployments, also before its first run", async () => {
  await using t = setup();
  await deploy(t.service, { schedules: [hourly] });
  await deploy(t.service, { name: "other-flow", entrypoint: "./flows/x.ts:cleanup" });
  const page = await html(t.app.request("/flows/etl"));
  assert.match(page, /data-deployment="etl-daily"/);
  assert.doesNotMatch(page, /data-deployment="other-flow"/);
  assert.match(page, /No runs of this flow/);
  const none = await html(t.app.request("/flows/cleanup"));
  assert.match(none, /data-deployment="other-flow"/);
});

Deno.test("runs and flow pages name the deployment of a run and link to it", async () => {
  await using t = testEngine();
  const clock = { now: () => Date.now() };
  const service = new DeploymentService(t.engine);
  const app = createApp({ engine: t.engine, clock });
  const hello = flow({ name: "hello" }, () => 1);
  await hello.runWith({ plane: t.plane });
  const d = await service.create({ name: "hello-deploy", entrypoint: "./hello.ts:hello" });
  const run = await createDeploymentRun(t.engine, d);
  const runs = await html(app.request("/"));
  assert.match(runs, new RegExp(`href="/deployments/${d.id}">hello-deploy</a>`));
  const flowPage = await html(app.request("/flows/hello"));
  assert.match(flowPage, /data-deployment="hello-deploy"/);
  assert.match(flowPage, new RegExp(`data-run-id="${run.id}"`));
  assert.match(flowPage, /<span class="muted small">due<\/span> <time/);
  const flows = await html(app.request("/flows/nope"));
  assert.match(flows, /has run or been deployed/);
});
