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
  isStateType,
  type RunQuery,
  type RunRecord,
  STATE_TYPES,
  type StateType,
} from "../../engine/mod.ts";
import type { ActivityData, RangeKey, RunFilters, RunRow, StateCounts } from "../../ui/mod.ts";

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

/** The filters in `params` (unknown states and ranges are ignored). */
export function parseFilters(params: URLSearchParams): RunFilters {
  const states = [...new Set(params.getAll("state").filter(isStateType))] as StateType[];
  const range = params.get("range");
  const flow = params.get("flow")?.trim() || null;
  return {
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

/** One page of flow runs matching the filters, each with its task runs by state. */
export function runRows(
  engine: Engine,
  filters: RunFilters,
  window: { since: number; until: number; bounded: boolean },
  cursor: string | null,
): { rows: RunRow[]; nextCursor: string | null } {
  const query: RunQuery = {
    kind: "flow",
    sort: "created",
    order: "desc",
    limit: RUNS_PAGE_SIZE,
    createdAfter: window.since,
  };
  if (window.bounded) query.createdBefore = window.until;
  if (filters.states.length > 0) query.states = filters.states;
  if (filters.flow !== null) query.flowName = filters.flow;
  if (filters.q !== "") query.text = filters.q;
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
