/**
 * Deployment and work pool components rendered to HTML from plain data, and
 * the parsing helpers of their forms.
 */
import assert from "node:assert/strict";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { Deployment, WorkerRecord } from "../../engine/deployments/mod.ts";
import { DEFAULT_ANCHOR, type Schedule } from "../../engine/mod.ts";
import {
  intervalSeconds,
  NEW_SCHEDULE,
  parseParameters,
  parseScheduleForm,
  previewOf,
  scheduleFromDraft,
} from "../../server/dashboard/deployments_data.ts";
import {
  DeploymentTable,
  describeSchedule,
  formatInterval,
  formatInZone,
  QuickRunForm,
  ScheduleEditor,
  ScheduleList,
  WorkerTable,
  WorkPoolsPage,
} from "../../ui/mod.ts";
import { CTX, NOW, runRecord } from "./_fixtures.ts";

function render(node: VNode): string {
  return renderToString(node).replace(/<(\w+)\s+>/g, "<$1>").replace(/<(\w+)\s+/g, "<$1 ");
}

function deployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: "dep-1",
    name: "etl-daily",
    flowName: "etl",
    entrypoint: "./flows/etl.ts:etl",
    description: null,
    parameters: {},
    parameterSchema: null,
    tags: [],
    paused: false,
    concurrencyLimit: null,
    collisionStrategy: "ENQUEUE",
    workPool: "default",
    schedules: [],
    formerly: [],
    workingDirectory: null,
    permissions: null,
    env: {},
    timeoutSeconds: null,
    createdAt: NOW,
    updatedAt: NOW,
    deletedAt: null,
    ...overrides,
  };
}

const cron: Schedule = {
  kind: "cron",
  cron: "0 9 * * 1-5",
  timezone: "Europe/Paris",
  active: false,
  catchup: "skip",
};

Deno.test("formatInterval, describeSchedule and formatInZone", () => {
  assert.equal(formatInterval(45), "45s");
  assert.equal(formatInterval(900), "15m");
  assert.equal(formatInterval(5400), "1h 30m");
  assert.equal(formatInterval(86_400 * 2 + 3600 * 6), "2d 6h");
  assert.equal(
    describeSchedule({
      kind: "interval",
      intervalSeconds: 3600,
      anchor: 0,
      timezone: "UTC",
      active: true,
      catchup: "skip",
    }),
    "every 1h",
  );
  assert.equal(describeSchedule(cron), "cron 0 9 * * 1-5");
  assert.equal(formatInZone(NOW, "Asia/Tokyo"), "2025-06-15 21:00");
  assert.equal(formatInZone(NOW, "Not/AZone"), null);
});

Deno.test("DeploymentTable: paused badge, off schedule, next run, dots, concurrency, escaping", () => {
  const evil = "<script>alert(1)</script>";
  const html = render(
    <DeploymentTable
      rows={[{
        deployment: deployment({
          paused: true,
          concurrencyLimit: 3,
          tags: [evil],
          schedules: [cron],
        }),
        schedules: [{
          index: 0,
          key: "k",
          schedule: cron,
          next: [NOW + 1000],
          error: null,
          missed: 0,
          lastMissed: null,
        }],
        nextRun: null,
        recent: [runRecord({ id: "r-1", state: "FAILED", stateName: "Failed" })],
        activeRuns: 1,
      }]}
    />,
  );
  assert.match(html, /<a href="\/deployments\/etl-daily">etl-daily<\/a>/);
  assert.match(html, />Paused</);
  assert.match(html, /cron 0 9 \* \* 1-5/);
  assert.match(html, /Europe\/Paris/);
  assert.match(html, /<span class="small tag">\(off\)<\/span>/);
  assert.match(html, /<span class="muted">paused<\/span>/);
  assert.match(html, /href="\/runs\/r-1" class="dot s-FAILED"/);
  assert.match(html, /1 \/ 3<span class="muted small"> · ENQUEUE/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /&lt;script>/);
});

Deno.test("ScheduleEditor keeps the draft, shows the preview or its error", () => {
  const draft = { ...NEW_SCHEDULE, kind: "cron" as const, value: "@daily", active: false };
  const withTimes = render(
    <ScheduleEditor
      action="/deployments/d/schedules"
      cancelHref="/deployments/d"
      csrf="token-123"
      draft={draft}
      preview={{ next: [NOW + 43_200_000], error: null }}
      timezones={["UTC"]}
    />,
  );
  assert.match(withTimes, /name="_csrf" value="token-123"/);
  assert.match(withTimes, /<option value="cron" selected>/);
  assert.match(withTimes, /name="value" value="@daily"/);
  assert.doesNotMatch(withTimes, /name="active" value="on" checked/);
  assert.match(withTimes, /Next 1 runs/);
  assert.match(withTimes, /datetime="2025-06-16T00:00:00.000Z"/);
  assert.ok(
    withTimes.indexOf('value="preview"') < withTimes.indexOf('value="save"'),
    "Enter previews",
  );
  const withError = render(
    <ScheduleEditor
      action="/deployments/d/schedules"
      cancelHref="/deployments/d"
      csrf="t"
      draft={{ ...draft, value: "<b>nope</b>" }}
      preview={{ next: [], error: 'Invalid cron "<b>nope</b>"' }}
      timezones={[]}
    />,
  );
  assert.match(withError, /class="preview bad"/);
  assert.match(withError, /Invalid cron &quot;&lt;b>nope&lt;\/b>&quot;/);
});

Deno.test("QuickRunForm shows the error and keeps the text", () => {
  const html = render(
    <QuickRunForm
      action="/deployments/d/run"
      csrf="token-123"
      idempotencyKey="key-12345678"
      draft={{ parameters: '{"a": </textarea><script>', error: "Parameters are not valid JSON" }}
    />,
  );
  assert.match(html, /<textarea name="parameters"[^>]*aria-invalid="true"/);
  assert.match(html, /\{&quot;a&quot;: &lt;\/textarea>&lt;script>/);
  assert.match(html, /role="alert">Parameters are not valid JSON</);
  assert.match(html, /name="idempotency_key" value="key-12345678"/);
});

Deno.test("WorkerTable and WorkPoolsPage: status, heartbeat age, counts and the empty state", () => {
  const worker: WorkerRecord = {
    id: "w-1",
    name: "worker-a",
    pool: "default",
    lastHeartbeat: NOW - 5_000,
    status: "ONLINE",
    createdAt: NOW - 60_000,
  };
  const table = render(
    <WorkerTable workers={[worker, { ...worker, id: "w-2", status: "OFFLINE" }]} now={NOW} />,
  );
  assert.match(table, />ONLINE</);
  assert.match(table, />OFFLINE</);
  assert.match(table, / · 5\.0s ago/);
  const pool = {
    name: "default",
    type: "process" as const,
    description: null,
    paused: true,
    createdAt: NOW,
    updatedAt: NOW,
  };
  const page = render(
    <WorkPoolsPage
      ctx={CTX}
      pools={[{ pool, scheduled: 7, deployments: 2, online: 0, offline: 0 }]}
    />,
  );
  assert.match(page, />Paused</);
  assert.match(page, /<td class="num" title="SCHEDULED runs of its deployments">7<\/td>/);
  assert.match(page, /No workers yet/);
  assert.match(page, /ironflow worker start --pool default/);
});

Deno.test("form parsing: intervals, parameters and schedule drafts", () => {
  assert.equal(intervalSeconds("3600"), 3600);
  assert.equal(intervalSeconds("15m"), 900);
  assert.equal(intervalSeconds("1h 30m"), 5400);
  assert.equal(intervalSeconds("1d"), 86_400);
  assert.equal(intervalSeconds("soon"), null);
  assert.deepEqual(parseParameters("  "), {});
  assert.deepEqual(parseParameters('{"a": [1]}'), { a: [1] });
  assert.throws(() => parseParameters("null"), /JSON object/);
  assert.throws(() => parseParameters("{"), /not valid JSON/);
  const draft = parseScheduleForm({
    kind: "rrule",
    value: " FREQ=DAILY ",
    timezone: "",
    anchor: "2025-06-01T08:00:00Z",
    catchup: "run_once",
    index: "2",
    key: "k",
  });
  assert.deepEqual(draft, {
    index: 2,
    key: "k",
    kind: "rrule",
    value: "FREQ=DAILY",
    timezone: "UTC",
    anchor: "2025-06-01T08:00:00Z",
    active: false,
    catchup: "run_once",
  });
  assert.deepEqual(scheduleFromDraft(draft), {
    kind: "rrule",
    rrule: "FREQ=DAILY",
    anchor: Date.parse("2025-06-01T08:00:00Z"),
    timezone: "UTC",
    active: false,
    catchup: "run_once",
  });
  assert.deepEqual(
    previewOf({ ...draft, anchor: "" }, NOW).next,
    [1, 2, 3, 4, 5].map((d) => Date.UTC(2025, 5, 15 + d)),
    "the default anchor is midnight UTC",
  );
  const ninety = scheduleFromDraft({ ...NEW_SCHEDULE, value: "90" });
  assert.equal(ninety.kind === "interval" && ninety.anchor, DEFAULT_ANCHOR);
  assert.throws(() => scheduleFromDraft({ ...NEW_SCHEDULE, value: "" }), /Give the interval/);
  assert.throws(() => scheduleFromDraft({ ...NEW_SCHEDULE, value: "0" }), /above 0/);
  assert.throws(
    () => scheduleFromDraft({ ...NEW_SCHEDULE, value: "60", anchor: "yesterday" }),
    /anchor: must be an ISO-8601 time/,
  );
  assert.throws(
    () => scheduleFromDraft({ ...NEW_SCHEDULE, kind: "rrule", value: "FREQ=YEARLY" }),
    /not supported/,
  );
});

Deno.test("ScheduleList shows the slots a schedule missed, and says nothing when none were", () => {
  const view = (missed: number, lastMissed: number | null) => ({
    index: 0,
    key: "k",
    schedule: { ...cron, active: true },
    next: [NOW + 1000],
    error: null,
    missed,
    lastMissed,
  });
  const list = (missed: number, lastMissed: number | null) =>
    render(
      <ScheduleList
        deployment="etl-daily"
        schedules={[view(missed, lastMissed)]}
        paused={false}
        csrf="t"
        editing={null}
      />,
    );
  const html = list(27, NOW - 5_000);
  assert.match(html, /data-missed="27"/);
  assert.match(
    html,
    new RegExp(
      `Missed 27 slots while no scheduler ran \\(the last at ${
        new Date(NOW - 5_000).toISOString()
      }\\): catch-up &quot;skip&quot; gave them no run`,
    ),
  );
  assert.match(list(1, NOW), /Missed 1 slot while/);
  assert.doesNotMatch(list(0, null), /Missed/);
});
