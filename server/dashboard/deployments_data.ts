/**
 * The data of the deployments and work pools pages, and the parsing of
 * their forms: schedules with their next run times (computed here with the
 * engine's `nextRuns`), schedule drafts from the editor, quick-run
 * parameters. Every list is bounded: a page of deployments, a handful of
 * runs each, one count per deployment.
 *
 * @module
 */
import {
  CatchupPolicy,
  checkJsonInput,
  checkSchedule,
  DEFAULT_ANCHOR,
  type Engine,
  type Json,
  nextRuns,
  type RunRecord,
  type Schedule,
  scheduleKey,
  StateType,
} from "../../engine/mod.ts";
import {
  activeRuns,
  type Deployment,
  DeploymentError,
  type DeploymentService,
  listWorkers,
  listWorkPools,
  type WorkerRecord,
} from "../../engine/deployments/mod.ts";
import { fromScheduleSpec, ScheduleSpecSchema } from "../../wire/mod.ts";
import {
  type DeploymentRow,
  jsonText,
  type ScheduleDraft,
  type ScheduleKind,
  type SchedulePreview,
  type ScheduleView,
  type WorkPoolRow,
} from "../../ui/mod.ts";

/** Deployments per page of the list. */
export const DEPLOYMENTS_PAGE_SIZE = 50;
/** Runs per page of a deployment's recent runs. */
export const DEPLOYMENT_RUNS_PAGE_SIZE = 25;
/** Next run times shown per schedule on a deployment's page and in the editor's preview. */
export const NEXT_RUNS_SHOWN = 5;
/** Latest runs shown as dots per deployment in lists. */
const RECENT_RUNS = 5;
/** Most deployments a flow's or a pool's page lists. */
const MAX_LISTED = 100;
/** Scheduled runs a pool's queue shows. */
const QUEUE_SHOWN = 25;

/** Time zones the schedule editor suggests (any IANA name is accepted). */
export const SUGGESTED_TIMEZONES: readonly string[] = [
  "UTC",
  "America/New_York",
  "America/Chicago",
  "America/Denver",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Europe/London",
  "Europe/Paris",
  "Europe/Berlin",
  "Africa/Johannesburg",
  "Asia/Dubai",
  "Asia/Kolkata",
  "Asia/Singapore",
  "Asia/Shanghai",
  "Asia/Tokyo",
  "Australia/Sydney",
];

/**
 * Each schedule of `deployment` with up to `count` slot times after `now`,
 * and the slots it missed when `misses` (in the schedules' order) is given.
 */
export function scheduleViews(
  deployment: Deployment,
  now: number,
  count: number,
  misses: ReadonlyArray<{ missed: number; lastMissed: number | null }> = [],
): ScheduleView[] {
  return deployment.schedules.map((schedule, index) => {
    let next: number[] = [];
    let error: string | null = null;
    try {
      next = nextRuns(schedule, now, count);
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    const { missed = 0, lastMissed = null } = misses[index] ?? {};
    return { index, key: scheduleKey(schedule), schedule, next, error, missed, lastMissed };
  });
}

/** A deployment with its next runs, its latest runs and the slots it holds. */
export function deploymentRow(
  engine: Engine,
  deployment: Deployment,
  now: number,
): DeploymentRow {
  const schedules = scheduleViews(deployment, now, 1);
  const upcoming = deployment.paused
    ? []
    : schedules.filter((v) => v.schedule.active && v.next.length > 0).map((v) => v.next[0]!);
  return {
    deployment,
    schedules,
    nextRun: upcoming.length === 0 ? null : Math.min(...upcoming),
    recent: engine.listRuns({
      kind: "flow",
      deploymentId: deployment.id,
      // "Last runs" are past ones: the runs scheduled ahead are its next runs.
      hideUpcomingFrom: now + 1,
      sort: "created",
      order: "desc",
      limit: RECENT_RUNS,
    }).items,
    activeRuns: activeRuns(engine.reader, engine.reader, deployment.id),
  };
}

/** Live deployments passing `keep`, in name order, at most `max` of them. */
export function deploymentsWhere(
  service: DeploymentService,
  keep: (deployment: Deployment) => boolean,
  max = MAX_LISTED,
  workPool?: string,
): Deployment[] {
  const out: Deployment[] = [];
  let cursor: string | undefined;
  do {
    const page = service.list({
      limit: 500,
      ...(cursor ? { cursor } : {}),
      ...(workPool !== undefined ? { workPool } : {}),
    });
    for (const deployment of page.items) {
      if (!keep(deployment)) continue;
      out.push(deployment);
      if (out.length >= max) return out;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Names of the deployments of `runs`, by id (one look-up per distinct deployment). */
export function deploymentNames(
  service: DeploymentService,
  runs: readonly RunRecord[],
): Record<string, string> {
  const names: Record<string, string> = {};
  for (const run of runs) {
    const id = run.deploymentId;
    if (id === null || Object.hasOwn(names, id)) continue;
    const deployment = service.find(id);
    if (deployment) names[id] = deployment.name;
  }
  return names;
}

/** Work pools with their queue depth, deployments and workers online and stale. */
export async function workPoolRows(
  engine: Engine,
  service: DeploymentService,
): Promise<WorkPoolRow[]> {
  const pools = await listWorkPools(engine);
  const rows = new Map<string, WorkPoolRow>(
    pools.map((pool) => [pool.name, { pool, scheduled: 0, deployments: 0, online: 0, offline: 0 }]),
  );
  for (const deployment of deploymentsWhere(service, () => true, Number.MAX_SAFE_INTEGER)) {
    const row = rows.get(deployment.workPool);
    if (!row) continue;
    row.deployments += 1;
    row.scheduled += scheduledRuns(engine, deployment.id);
  }
  for (const worker of listWorkers(engine)) {
    const row = rows.get(worker.pool);
    if (!row) continue;
    if (worker.status === "ONLINE") row.online += 1;
    else row.offline += 1;
  }
  return [...rows.values()];
}

/** SCHEDULED flow runs of a deployment. */
function scheduledRuns(engine: Engine, deploymentId: string): number {
  return engine.reader.countRuns({
    kind: "flow",
    deploymentId,
    states: [StateType.SCHEDULED],
  }).SCHEDULED ?? 0;
}

/** A pool's page data beyond the pool: its deployments, queue and workers. */
export function workPoolData(
  engine: Engine,
  service: DeploymentService,
  pool: string,
  now: number,
): {
  deployments: DeploymentRow[];
  scheduled: number;
  queue: RunRecord[];
  workers: WorkerRecord[];
  deploymentNames: Record<string, string>;
} {
  const deployments = deploymentsWhere(service, () => true, MAX_LISTED, pool);
  let scheduled = 0;
  const waiting: RunRecord[] = [];
  const names: Record<string, string> = {};
  for (const deployment of deployments) {
    names[deployment.id] = deployment.name;
    scheduled += scheduledRuns(engine, deployment.id);
    waiting.push(
      ...engine.listRuns({
        kind: "flow",
        deploymentId: deployment.id,
        states: [StateType.SCHEDULED],
        sort: "created",
        order: "asc",
        limit: QUEUE_SHOWN,
      }).items,
    );
  }
  const due = (run: RunRecord) => run.expectedStartTime ?? run.createdAt;
  waiting.sort((a, b) => due(a) - due(b) || a.id.localeCompare(b.id));
  const workers = listWorkers(engine, pool).sort((a, b) =>
    (a.status === b.status ? 0 : a.status === "ONLINE" ? -1 : 1) ||
    b.lastHeartbeat - a.lastHeartbeat
  );
  return {
    deployments: deployments.map((d) => deploymentRow(engine, d, now)),
    scheduled,
    queue: waiting.slice(0, QUEUE_SHOWN),
    workers,
    deploymentNames: names,
  };
}

/** An empty editor: a new, active hourly interval in UTC. */
export const NEW_SCHEDULE: ScheduleDraft = {
  index: null,
  key: null,
  kind: "interval",
  value: "",
  timezone: "UTC",
  anchor: "",
  active: true,
  catchup: "skip",
};

/** The editor holding schedule `index` of a deployment. */
export function draftOf(schedule: Schedule, index: number): ScheduleDraft {
  const anchor = schedule.kind === "cron" || schedule.anchor === DEFAULT_ANCHOR
    ? ""
    : new Date(schedule.anchor).toISOString();
  return {
    index,
    key: scheduleKey(schedule),
    kind: schedule.kind,
    value: schedule.kind === "interval"
      ? String(schedule.intervalSeconds)
      : schedule.kind === "cron"
      ? schedule.cron
      : schedule.rrule,
    timezone: schedule.timezone,
    anchor,
    active: schedule.active,
    catchup: schedule.catchup,
  };
}

const KINDS: readonly ScheduleKind[] = ["interval", "cron", "rrule"];

function text(value: unknown, max = 2000): string {
  return typeof value === "string" ? value.trim().slice(0, max) : "";
}

/** The `index` field of a schedule form: a position, or null (none or not a number). */
export function indexField(value: unknown): number | null {
  const raw = text(value);
  return /^\d{1,4}$/.test(raw) ? Number(raw) : null;
}

/** The editor's fields as submitted. */
export function parseScheduleForm(form: Record<string, unknown>): ScheduleDraft {
  const kind = text(form["kind"]);
  const key = text(form["key"]);
  return {
    index: indexField(form["index"]),
    key: key === "" ? null : key,
    kind: KINDS.includes(kind as ScheduleKind) ? kind as ScheduleKind : "interval",
    value: text(form["value"]),
    timezone: text(form["timezone"], 200) || "UTC",
    anchor: text(form["anchor"], 100),
    active: form["active"] === "on",
    catchup: form["catchup"] === CatchupPolicy.RUN_ONCE ? "run_once" : "skip",
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of `90`, `90s`, `15m`, `1h30m`, `1d`; null when it is none of those. */
export function intervalSeconds(value: string): number | null {
  const compact = value.replace(/\s+/g, "").toLowerCase();
  if (/^\d+(\.\d+)?$/.test(compact)) return Number(compact);
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(compact)) return null;
  let seconds = 0;
  for (const [, n, unit] of compact.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
    seconds += Number(n) * UNIT_SECONDS[unit!]!;
  }
  return seconds;
}

/**
 * The schedule a draft describes, validated as the API validates one (the
 * same zod schema, then the cron, RRule and time zone checks). Throws a
 * `DeploymentError` whose message says what to fix.
 */
export function scheduleFromDraft(draft: ScheduleDraft): Schedule {
  if (draft.value === "") {
    throw new DeploymentError(`Give the ${labelOf(draft.kind)} of the schedule`, ["value"]);
  }
  const spec: Record<string, unknown> = {
    timezone: draft.timezone,
    active: draft.active,
    catchup: draft.catchup,
  };
  if (draft.kind === "interval") {
    const seconds = intervalSeconds(draft.value);
    if (seconds === null || !(seconds > 0)) {
      throw new DeploymentError(
        `Interval "${draft.value}" must be a number of seconds above 0, or like 15m, 1h, 1d`,
        ["value"],
      );
    }
    spec["interval"] = seconds;
  } else spec[draft.kind] = draft.value;
  if (draft.kind !== "cron" && draft.anchor !== "") spec["anchor_date"] = draft.anchor;
  const parsed = ScheduleSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message
    ).map((problem) => problem.replace(/^anchor_date:/, "anchor:"));
    throw new DeploymentError(`Invalid schedule: ${problems.join("; ")}`, problems);
  }
  const schedule = fromScheduleSpec(parsed.data);
  try {
    checkSchedule(schedule);
  } catch (error) {
    throw new DeploymentError((error as Error).message, ["schedule"], { cause: error });
  }
  return schedule;
}

function labelOf(kind: ScheduleKind): string {
  return kind === "interval" ? "interval" : kind === "cron" ? "cron expression" : "RRule";
}

/** The editor's preview of a draft: its next runs after `now`, or what is wrong with it. */
export function previewOf(draft: ScheduleDraft, now: number): SchedulePreview {
  try {
    return { next: nextRuns(scheduleFromDraft(draft), now, NEXT_RUNS_SHOWN), error: null };
  } catch (error) {
    return { next: [], error: (error as Error).message };
  }
}

/**
 * The quick-run form's parameters: a JSON object (blank means none). Throws a
 * `DeploymentError` saying what is wrong.
 */
export function parseParameters(raw: string): { [name: string]: Json } {
  if (raw.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new DeploymentError(
      `Parameters are not valid JSON: ${(error as Error).message}`,
      ["parameters"],
      { code: "invalid_parameters" },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DeploymentError(
      'Parameters must be a JSON object of named values, e.g. {"day": "2024-05-01"}',
      ["parameters"],
      { code: "invalid_parameters" },
    );
  }
  const problem = checkJsonInput(value);
  if (problem !== undefined) {
    throw new DeploymentError(`Parameters: ${problem.message}`, ["parameters"], {
      code: problem.code,
    });
  }
  return value as { [name: string]: Json };
}

/** The text the quick-run form starts with: the default parameters, pretty. */
export function defaultParametersText(deployment: Deployment): string {
  return Object.keys(deployment.parameters).length === 0
    ? "{}"
    : jsonText(deployment.parameters, 2);
}
