/**
 * The query side of the storage port: runs, counts, activity, flow stats,
 * task graphs, events and logs, with the query and answer shapes.
 *
 * @module
 */
import type { EngineEvent, LogQuery, LogRecord, RunKind, RunRecord } from "./model.ts";
import type { StateType } from "./states.ts";

/**
 * Sort keys for run listings; `expected` is the expected start time, `state`
 * the state type (alphabetical), `duration` the time spent in RUNNING so far
 * by attempts that ended.
 */
export type RunSortKey =
  | "created"
  | "updated"
  | "start"
  | "end"
  | "name"
  | "expected"
  | "state"
  | "duration";

/** A filtered, sorted, paged query over runs. */
export interface RunQuery {
  kind?: RunKind;
  states?: readonly StateType[];
  /** Flow name (flow runs) or owning flow's name (task runs). */
  flowName?: string;
  /** Task name or flow name, exact. */
  name?: string;
  parentId?: string;
  /** Only runs without a parent (flow runs at the top, task runs called outside a flow). */
  rootsOnly?: boolean;
  rootId?: string;
  lineageId?: string;
  deploymentId?: string;
  /** Only runs of one of these deployments (e.g. those of a work pool); empty: none. */
  deploymentIds?: readonly string[];
  /** Case-insensitive substring of the run name, name or id. */
  text?: string;
  /** Runs carrying all of these tags. */
  tags?: readonly string[];
  createdAfter?: number;
  createdBefore?: number;
  /** Only runs with an expected start time before this (epoch ms); runs without one are left out. */
  expectedStartBefore?: number;
  /** Only runs with an expected start time at or after this (epoch ms); runs without one are left out. */
  expectedStartFrom?: number;
  /**
   * Leaves out the upcoming runs: SCHEDULED runs expected to start at or
   * after this time (epoch ms). Late SCHEDULED runs and every other state stay.
   */
  hideUpcomingFrom?: number;
  sort?: RunSortKey;
  order?: "asc" | "desc";
  /** Opaque cursor from a previous page; must match sort and order. */
  cursor?: string;
  /** Page size. @default 50 */
  limit?: number;
}

/** Width of the stored activity counts of flow runs (see {@linkcode StoreQueries.flowRunActivity}): one hour. */
export const ACTIVITY_BUCKET_MS = 3_600_000;

/**
 * A query over the stored counts of flow runs created per hour and state.
 * `since`, `until` and `bucketMs` are multiples of
 * {@linkcode ACTIVITY_BUCKET_MS}: the counts answer whole hours only.
 */
export interface ActivityQuery {
  /** Creation time from which runs count (epoch ms, inclusive). */
  since: number;
  /** Creation time up to which runs count (epoch ms, exclusive). */
  until: number;
  /** Width of the buckets answered; they are aligned to the epoch. */
  bucketMs: number;
  /** Only flow runs of this flow name. */
  flowName?: string;
  /** Only flow runs in these states (none or empty: every state). */
  states?: readonly StateType[];
}

/** Flow runs created in one bucket, by state. */
export interface ActivityBucket {
  /** Start of the bucket (epoch ms, a multiple of the query's `bucketMs`). */
  start: number;
  /** Runs by state; states without runs are left out. */
  counts: Partial<Record<StateType, number>>;
}

/** A page of results with the cursor of the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A query over the event log. */
export interface EventQuery {
  runId?: string;
  /** Only events with `seq` greater than this. */
  afterSeq?: number;
  limit?: number;
}

/** Counts for dashboards and health checks. */
export interface StoreSummary {
  flowRuns: number;
  taskRuns: number;
  events: number;
  flowRunsByState: Partial<Record<StateType, number>>;
  taskRunsByState: Partial<Record<StateType, number>>;
}

/** A flow name with its number of flow runs and its newest run. */
export interface FlowStat {
  flowName: string;
  runs: number;
  lastRunId: string;
  lastRunState: StateType;
  lastRunCreatedAt: number;
}

/**
 * A flow run's task runs grouped by task key: the logical graph, with a
 * map's fan-out collapsed into one node.
 */
export interface TaskGraph {
  /** Groups ordered by their oldest task run (creation time, then id). */
  nodes: TaskGraphNode[];
  /** Upstream edges between groups, ordered by `from`, `to`, `kind`. */
  edges: TaskGraphEdge[];
}

/** The task runs of one call site (a map's runs share its task key). */
export interface TaskGraphNode {
  /** The task key, or the run id of a task run that has none. */
  key: string;
  name: string;
  runs: number;
  states: Partial<Record<StateType, number>>;
  /** The group's oldest task run (creation time, then id). */
  firstRunId: string;
}

/** Upstream edges from the runs of group `from` to the runs of group `to`. */
export interface TaskGraphEdge {
  from: string;
  to: string;
  kind: "data" | "waitFor";
  count: number;
}

/** Reads of runs, their counts and history: what dashboards and the API ask a store. */
export interface StoreQueries {
  getRun(runId: string): RunRecord | undefined;
  listRuns(query: RunQuery): Page<RunRecord>;
  /** Counts of the runs matching the query's filters, by state (sort and paging ignored). */
  countRuns(query: RunQuery): Partial<Record<StateType, number>>;
  /**
   * Flow runs created per bucket and state, from counts the store keeps per
   * hour: the cost grows with the hours in the window, not with the runs.
   * Buckets without runs are left out; the rest ascend by `start`. Throws
   * `RangeError` when a bound or the width is not a whole number of hours.
   */
  flowRunActivity(query: ActivityQuery): ActivityBucket[];
  /** Every flow name with its run count and newest run, ordered by name. */
  flowStats(): FlowStat[];
  /** Distinct flow names of flow runs, ordered, at most `limit` (default 1000); cost grows with names, not runs. */
  flowNames(limit?: number): string[];
  /** The task runs of `flowRunId` grouped by task key, with the edges between groups. */
  taskGraph(flowRunId: string): TaskGraph;
  events(query?: EventQuery): EngineEvent[];
  logs(query: LogQuery): LogRecord[];
  /** Highest committed `seq`, 0 when empty. */
  lastSeq(): number;
  summary(): StoreSummary;
}
