/**
 * The runs page's data: filters parsed from the URL, one keyset page of
 * flow runs, task counts of those runs, and the activity chart's counts.
 * Every query is bounded: a page of 50, one indexed count per run on it,
 * and for the chart either the store's hourly counts (bars of whole hours)
 * or one covering-index count per bar (shorter bars, other filters).
 *
 * @module
 */
import {
  ACTIVITY_BUCKET_MS,
  type ActivityQuery,
  type Engine,
  InvalidArgumentError,
  isStateType,
  type RunQuery,
  type RunRecord,
  STATE_TYPES,
  type StateType,
} from "../../engine/mod.ts";
import type {
  ActivityData,
  RangeKey,
  RunFilters,
  RunRow,
  RunsSort,
  StateCounts,
} from "../../ui/mod.ts";
import type { DeploymentService } from "../../engine/deployments/mod.ts";
import type { FlowListing } from "../../engine/catalog/mod.ts";
import { deploymentsWhere } from "./deployments_data.ts";

/** Flow runs per page. */
export const RUNS_PAGE_SIZE = 50;

const RANGES: Readonly<Record<Exclude<RangeKey, "all">, number>> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
};
const MINUTE = 60_000;
const BUCKET_SIZES = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 43200]
  .map((m) => m * MINUTE);
/** Most bars the chart draws. */
const MAX_BUCKETS = 60;
const HOUR = ACTIVITY_BUCKET_MS;

/**
 * Run filters the activity chart can apply. The store's hourly counts answer
 * `flowName` and `states`; any other filter makes each bar count its runs.
 */
export type ActivityFilter = Pick<
  RunQuery,
  "flowName" | "states" | "text" | "tags" | "deploymentId" | "name"
>;

/** Options of {@linkcode activity}. */
export interface ActivityOptions {
  /** Whether bars of whole hours may be read from the store's hourly counts. @default true */
  stored?: boolean;
}

const SORTS: readonly RunsSort[] = ["created", "start", "end", "name", "state", "duration"];
/** Most tags a filter names. */
const MAX_TAGS = 10;

/**
 * The filters in `params` (unknown states and ranges are ignored); throws
 * `InvalidArgumentError` for an unknown sort or order.
 */
export function parseFilters(params: URLSearchParams): RunFilters {
  const states = [...new Set(params.getAll("state").filter(isStateType))] as StateType[];
  const range = params.get("range");
  const flow = params.get("flow")?.trim() || null;
  const sort = params.get("sort") || "created";
  if (!SORTS.includes(sort as RunsSort)) {
    throw new InvalidArgumentError(`Unknown sort "${sort}": expected one of ${SORTS.join(", ")}`);
  }
  const order = params.get("order") || "desc";
  if (order !== "asc" && order !== "desc") {
    throw new InvalidArgumentError(`Unknown order "${order}": expected asc or desc`);
  }
  const tags = [
    ...new Set(params.getAll("tag").flatMap((tag) => tag.split(",")).map((tag) => tag.trim())),
  ].filter((tag) => tag !== "").slice(0, MAX_TAGS).map((tag) => tag.slice(0, 100));
  const text = (name: string) => params.get(name)?.trim().slice(0, 200) || null;
  return {
    tags,
    deployment: text("deployment"),
    pool: text("pool"),
    parent: text("parent"),
    subflows: params.get("subflows") === "1" || params.get("subflows") === "on",
    sort: sort as RunsSort,
    order,
    states,
    flow,
    q: (params.get("q") ?? "").trim().slice(0, 200),
    range: range !== null && (range === "all" || Object.hasOwn(RANGES, range))
      ? range as RangeKey
      : "24h",
    from: epoch(params.get("from")),
    to: epoch(params.get("to")),
  };
}

function epoch(value: string | null): number | null {
  if (value === null || value === "") return null;
  const n = Number(value);
  if (Number.isSafeInteger(n) && n >= 0) return n;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

/** The time window of the filters: `since` inclusive, `until` exclusive. */
export function filterWindow(engine: Engine, filters: RunFilters, now: number) {
  if (filters.from !== null || filters.to !== null) {
    const until = filters.to ?? now;
    return { since: filters.from ?? until - RANGES["24h"], until, bounded: filters.to !== null };
  }
  if (filters.range === "all") {
    const oldest = engine.listRuns({ kind: "flow", sort: "created", order: "asc", limit: 1 })
      .items[0];
    return {
      since: Math.min(oldest?.createdAt ?? now, now - RANGES["1h"]),
      until: now + 1,
      bounded: false,
    };
  }
  return { since: now - RANGES[filters.range], until: now + 1, bounded: false };
}

/**
 * Runs created per bucket and state within the window, with `filter` applied.
 * Bars of whole hours come from the store's hourly counts (plus the window's
 * partial first and last hour, counted from the runs), so their cost grows
 * with the hours of the window, not with the runs in it; shorter bars, and
 * filters the hourly counts cannot answer, count the runs of each bar.
 */
export function activity(
  engine: Engine,
  window: { since: number; until: number },
  filter: ActivityFilter = {},
  options: ActivityOptions = {},
): ActivityData {
  const span = Math.max(1, window.until - window.since);
  // Past the largest preset width, whole hours (so the hourly counts still answer).
  const bucketMs = BUCKET_SIZES.find((size) => span / size <= MAX_BUCKETS) ??
    Math.ceil(span / MAX_BUCKETS / HOUR) * HOUR;
  const first = Math.floor(window.since / bucketMs) * bucketMs;
  const counts = new Map<number, StateCounts>();
  const countRuns = (since: number, until: number) => {
    const query: RunQuery = {
      ...filter,
      kind: "flow",
      // Naming every state lets SQLite answer from the (state, created_at) index alone.
      states: filter.states?.length ? filter.states : STATE_TYPES,
      createdAfter: since,
      createdBefore: until,
    };
    return engine.reader.countRuns(query);
  };
  const hours = {
    since: Math.ceil(window.since / HOUR) * HOUR,
    until: Math.floor(window.until / HOUR) * HOUR,
  };
  if (
    options.stored !== false && bucketMs % HOUR === 0 && hours.since < hours.until &&
    storedCountsAnswer(filter)
  ) {
    const query: ActivityQuery = { ...hours, bucketMs };
    if (filter.flowName !== undefined) query.flowName = filter.flowName;
    if (filter.states?.length) query.states = filter.states;
    for (const bucket of engine.reader.flowRunActivity(query)) {
      counts.set(bucket.start, bucket.counts);
    }
    // The partial hours at the window's ends: at most an hour of runs each.
    const edges: [number, number][] = [[window.since, hours.since], [hours.until, window.until]];
    for (const [since, until] of edges) {
      if (since >= until) continue;
      const start = Math.floor(since / bucketMs) * bucketMs;
      counts.set(start, addCounts(counts.get(start) ?? {}, countRuns(since, until)));
    }
  } else {
    for (let start = first; start < window.until; start += bucketMs) {
      counts.set(
        start,
        countRuns(Math.max(start, window.since), Math.min(start + bucketMs, window.until)),
      );
    }
  }
  const buckets: { start: number; counts: StateCounts }[] = [];
  for (let start = first; start < window.until; start += bucketMs) {
    buckets.push({ start, counts: counts.get(start) ?? {} });
  }
  return { since: window.since, until: window.until, bucketMs, buckets };
}

// Whether the filter names nothing but a flow name and states.
function storedCountsAnswer(filter: ActivityFilter): boolean {
  return !filter.text && filter.deploymentId === undefined &&
    filter.name === undefined && (filter.tags === undefined || filter.tags.length === 0);
}

/** `into` plus `more`, state by state (states counting zero are left out). */
function addCounts(into: StateCounts, more: StateCounts): StateCounts {
  const sum = { ...into };
  for (const state of STATE_TYPES) {
    const n = more[state];
    if (n) sum[state] = (sum[state] ?? 0) + n;
  }
  return sum;
}

/** Sums the counts of every bucket. */
export function sumCounts(data: ActivityData): StateCounts {
  return data.buckets.reduce<StateCounts>((sum, bucket) => addCounts(sum, bucket.counts), {});
}

/**
 * The query of the filters that do not depend on time: flow, text, tags,
 * deployment, work pool, parent and subflows. An unknown deployment or pool
 * matches no run.
 */
export function scopeQuery(
  filters: RunFilters,
  deployments: DeploymentService,
): RunQuery {
  const query: RunQuery = { kind: "flow" };
  if (filters.flow !== null) query.flowName = filters.flow;
  if (filters.q !== "") query.text = filters.q;
  if (filters.tags.length > 0) query.tags = filters.tags;
  if (filters.parent !== null) query.parentId = filters.parent;
  else if (!filters.subflows) query.rootsOnly = true;
  const ids: string[][] = [];
  if (filters.deployment !== null) {
    const deployment = deployments.find(filters.deployment);
    ids.push(deployment ? [deployment.id] : []);
  }
  if (filters.pool !== null) {
    ids.push(
      deploymentsWhere(deployments, () => true, MAX_POOL_DEPLOYMENTS, filters.pool)
        .map((d) => d.id),
    );
  }
  if (ids.length > 0) {
    query.deploymentIds = ids.reduce((kept, more) => kept.filter((id) => more.includes(id)));
  }
  return query;
}

/** Deployments of a work pool that its filter reads. */
const MAX_POOL_DEPLOYMENTS = 1000;

/**
 * One page of the past flow runs matching the filters (upcoming runs are
 * listed apart), each with its task runs by state.
 */
export function runRows(
  engine: Engine,
  filters: RunFilters,
  scope: RunQuery,
  window: { since: number; until: number; bounded: boolean },
  cursor: string | null,
  now: number,
): { rows: RunRow[]; nextCursor: string | null } {
  const query: RunQuery = {
    ...scope,
    sort: filters.sort,
    order: filters.order,
    limit: RUNS_PAGE_SIZE,
    createdAfter: window.since,
    // A run due right now is no longer upcoming.
    hideUpcomingFrom: now + 1,
  };
  if (window.bounded) query.createdBefore = window.until;
  if (filters.states.length > 0) query.states = filters.states;
  if (cursor !== null) query.cursor = cursor;
  const page = engine.listRuns(query);
  return { rows: withTaskCounts(engine, page.items), nextCursor: page.nextCursor };
}

/**
 * The newest task runs of no flow: background task runs (`task.delay()`,
 * SCHEDULED until a task worker takes them) and tasks called outside a flow.
 */
export function rootTaskRows(engine: Engine, limit = 20): RunRow[] {
  const runs = engine.listRuns({ kind: "task", rootsOnly: true, limit }).items;
  return runs.map((run) => ({ run, tasks: {} }));
}

/** Upcoming runs shown above the past ones. */
export const UPCOMING_SHOWN = 10;

/**
 * The next upcoming runs (SCHEDULED, expected from now on) matching the
 * filters, soonest first, and how many there are; none when the state filter
 * leaves SCHEDULED out.
 */
export function upcomingRows(
  engine: Engine,
  filters: RunFilters,
  scope: RunQuery,
  now: number,
): { rows: RunRow[]; total: number } {
  if (filters.states.length > 0 && !filters.states.includes("SCHEDULED")) {
    return { rows: [], total: 0 };
  }
  const query: RunQuery = { ...scope, states: ["SCHEDULED"], expectedStartFrom: now + 1 };
  const page = engine.listRuns({ ...query, sort: "expected", order: "asc", limit: UPCOMING_SHOWN });
  const total = page.nextCursor === null
    ? page.items.length
    : engine.reader.countRuns(query).SCHEDULED ?? 0;
  return { rows: withTaskCounts(engine, page.items), total };
}

/**
 * Flows whose newest run is an upcoming one (scheduled ahead by a
 * deployment) show their newest run that is not: "Last run" means the past.
 */
export function pastLastRuns(
  engine: Engine,
  flows: readonly FlowListing[],
  now: number,
): FlowListing[] {
  return flows.map((flow) => {
    if (flow.lastRun.state !== "SCHEDULED") return flow;
    const names = [flow.name, ...flow.formerly];
    let last: RunRecord | undefined;
    for (const flowName of names) {
      const [run] = engine.listRuns({
        kind: "flow",
        flowName,
        hideUpcomingFrom: now + 1,
        sort: "created",
        order: "desc",
        limit: 1,
      }).items;
      if (run && (!last || run.createdAt > last.createdAt)) last = run;
    }
    if (!last) return flow;
    return { ...flow, lastRun: { id: last.id, state: last.state, createdAt: last.createdAt } };
  });
}

/** Flow runs with the counts of their task runs by state. */
export function withTaskCounts(
  engine: Engine,
  runs: readonly RunRecord[],
): RunRow[] {
  return runs.map((run) => ({
    run,
    tasks: engine.reader.countRuns({ kind: "task", parentId: run.id }),
  }));
}
