/**
 * Multi-row statements of the PostgreSQL store's group commit: each takes
 * its rows as one JSON array of arrays (the values of `_sqlite_rows.ts`, in
 * column order), so a batch of any size is one statement with one
 * parameter, prepared once.
 *
 * @module
 */
import type { StateType } from "../core/mod.ts";
import type { PostgresConnection } from "./_postgres_connection.ts";
import type { CountChanges } from "./_sqlite_counts.ts";
import { RUN_COLUMN_NAMES } from "./sqlite_schema.ts";

/** Rows per multi-row statement: bounds the JSON parameter of one statement. */
export const ROWS_PER_STATEMENT = 5000;

/** Column types of the run tables, in `RUN_COLUMN_NAMES` order. */
const RUN_TYPES: Record<(typeof RUN_COLUMN_NAMES)[number], "text" | "bigint"> = {
  id: "text",
  name: "text",
  flow_name: "text",
  run_name: "text",
  parent_id: "text",
  root_id: "text",
  parent_task_run_id: "text",
  depth: "bigint",
  deployment_id: "text",
  lineage_id: "text",
  attempt: "bigint",
  state: "text",
  state_name: "text",
  version: "bigint",
  created_at: "bigint",
  updated_at: "bigint",
  expected_start_time: "bigint",
  start_time: "bigint",
  end_time: "bigint",
  run_count: "bigint",
  total_run_time_ms: "bigint",
  task_key: "text",
  map_index: "bigint",
  tags: "text",
  parameters: "text",
  upstream: "text",
  message: "text",
};

const EVENT_COLUMNS: readonly [string, "text" | "bigint"][] = [
  ["seq", "bigint"],
  ["id", "text"],
  ["run_id", "text"],
  ["run_kind", "text"],
  ["from_state", "text"],
  ["to_state", "text"],
  ["state_name", "text"],
  ["token", "text"],
  ["version", "bigint"],
  ["kind", "text"],
  ["at", "bigint"],
  ["rules", "text"],
  ["data", "text"],
];

const LOG_COLUMNS: readonly [string, "text" | "bigint"][] = [
  ["id", "bigint"],
  ["flow_run_id", "text"],
  ["task_run_id", "text"],
  ["level", "bigint"],
  ["name", "text"],
  ["message", "text"],
  ["at", "bigint"],
];

// `r->>i` of a JSON array element, cast to the column's type.
function field(index: number, type: "text" | "bigint"): string {
  return type === "text" ? `r->>${index}` : `(r->>${index})::bigint`;
}

function insertFromJson(table: string, columns: readonly [string, "text" | "bigint"][]): string {
  return `INSERT INTO ${table} (${columns.map(([name]) => name).join(", ")})
    SELECT ${columns.map(([, type], i) => field(i, type)).join(", ")}
    FROM jsonb_array_elements($1::jsonb) AS r`;
}

const RUN_COLUMNS = RUN_COLUMN_NAMES.map((name): [string, "text" | "bigint"] => [
  name,
  RUN_TYPES[name],
]);

/** Inserts events given as `[seq, ...eventToRow]` arrays. */
export const INSERT_EVENTS_JSON = insertFromJson("events", EVENT_COLUMNS);
/** Inserts log lines given as `[id, ...logToRow]` arrays. */
export const INSERT_LOGS_JSON = insertFromJson("logs", LOG_COLUMNS);

/** Inserts runs of `table` given as `runToRow` arrays. */
export function insertRunsJson(table: "flow_runs" | "task_runs"): string {
  return insertFromJson(table, RUN_COLUMNS);
}

/** The fields an update of a run changes, in the order of `runUpdateRow`. */
const UPDATED: readonly (typeof RUN_COLUMN_NAMES)[number][] = [
  "state",
  "state_name",
  "version",
  "updated_at",
  "start_time",
  "end_time",
  "run_count",
  "total_run_time_ms",
  "message",
  "expected_start_time",
];

/** Updates runs of `table` given as `[id, ...UPDATED values]` arrays. */
export function updateRunsJson(table: "flow_runs" | "task_runs"): string {
  const sets = UPDATED.map((name, i) => `${name} = ${field(i + 1, RUN_TYPES[name])}`);
  return `UPDATE ${table} AS t SET ${sets.join(", ")}
    FROM jsonb_array_elements($1::jsonb) AS r WHERE t.id = r->>0`;
}

/** Adds to run counts given as `[kind, state, by]` arrays. */
export const ADD_RUN_COUNTS_JSON = `INSERT INTO run_counts (kind, state, n)
  SELECT r->>0, r->>1, (r->>2)::bigint FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (kind, state) DO UPDATE SET n = run_counts.n + excluded.n`;
/** Adds to flow counts given as `[flow name, by]` arrays. */
export const ADD_FLOW_COUNTS_JSON = `INSERT INTO flow_counts (flow_name, runs)
  SELECT r->>0, (r->>1)::bigint FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (flow_name) DO UPDATE SET runs = flow_counts.runs + excluded.runs`;
/** Adds to per-flow buckets given as `[flow name, hour, state, by]` arrays. */
export const ADD_FLOW_BUCKETS_JSON = `INSERT INTO flow_run_buckets_by_flow
    (flow_name, bucket_start, state, n)
  SELECT r->>0, (r->>1)::bigint, r->>2, (r->>3)::bigint FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (flow_name, bucket_start, state)
  DO UPDATE SET n = flow_run_buckets_by_flow.n + excluded.n`;
/** Adds to buckets given as `[hour, state, by]` arrays. */
export const ADD_BUCKETS_JSON = `INSERT INTO flow_run_buckets (bucket_start, state, n)
  SELECT (r->>0)::bigint, r->>1, (r->>2)::bigint FROM jsonb_array_elements($1::jsonb) AS r
  ON CONFLICT (bucket_start, state) DO UPDATE SET n = flow_run_buckets.n + excluded.n`;

/** Queues `rows` for a JSON multi-row statement, a bounded number per statement. */
export function queueRows(conn: PostgresConnection, sql: string, rows: readonly unknown[][]): void {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    conn.queue(sql, [rows.slice(start, start + ROWS_PER_STATEMENT)]);
  }
}

/** Queues the kept counts a transaction changed: four multi-row upserts at most. */
export function queueCounts(conn: PostgresConnection, changes: CountChanges): void {
  const { runs, flows, buckets } = changes.deltas();
  queueRows(conn, ADD_RUN_COUNTS_JSON, runs);
  queueRows(conn, ADD_FLOW_COUNTS_JSON, flows);
  queueRows(conn, ADD_FLOW_BUCKETS_JSON, buckets.map((b) => [b.flowName, b.hour, b.state, b.n]));
  const totals = new Map<string, [number, StateType, number]>();
  for (const { hour, state, n } of buckets) {
    const key = `${hour}\u0000${state}`;
    const total = totals.get(key);
    if (total) total[2] += n;
    else totals.set(key, [hour, state, n]);
  }
  queueRows(conn, ADD_BUCKETS_JSON, [...totals.values()].filter(([, , n]) => n !== 0));
}
