/**
 * The runs page's data: filters parsed from the URL, one keyset page of
 * flow runs, task counts of those runs, and the activity chart's counts.
 * Every query is bounded: a page of 50, one indexed count per run on it,
 * one covering-index count per chart bucket.
 *
 * @module
 */
import {
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
 * Runs created per bucket and state within the window (flow filter applied).
 * Naming every state lets SQLite answer each bucket from the (state,
 * created_at) index alone.
 */
export function activity(
  engine: Engine,
  window: { since: number; until: number },
  flowName: string | null,
): ActivityData {
  const span = Math.max(1, window.until - window.since);
  const bucketMs = BUCKET_SIZES.find((size) => span / size <= MAX_BUCKETS) ??
    Math.ceil(span / MAX_BUCKETS);
  const first = Math.floor(window.since / bucketMs) * bucketMs;
  const buckets: { start: number; counts: StateCounts }[] = [];
  for (let start = first; start < window.until; start += bucketMs) {
    const query: RunQuery = {
      kind: "flow",
      states: STATE_TYPES,
      createdAfter: Math.max(start, window.since),
      createdBefore: Math.min(start + bucketMs, window.until),
    };
    if (flowName !== null) query.flowName = flowName;
    buckets.push({ start, counts: engine.store.countRuns(query) });
  }
  return { since: window.since, until: window.until, bucketMs, buckets };
}

/** Sums the counts of every bucket. */
export function sumCounts(data: ActivityData): StateCounts {
  const sum: StateCounts = {};
  for (const bucket of data.buckets) {
    for (const state of STATE_TYPES) {
      const n = bucket.counts[state];
      if (n) sum[state] = (sum[state] ?? 0) + n;
    }
  }
  return sum;
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

/** Flow runs with the counts of their task runs by state. */
export function withTaskCounts(
  engine: Engine,
  runs: readonly RunRecord[],
): RunRow[] {
  return runs.map((run) => ({
    run,
    tasks: engine.store.countRuns({ kind: "task", parentId: run.id }),
  }));
}
