/**
 * Schema of the SQLite store as migrations (TS strings, so the single binary
 * carries them). Each entry moves the schema one version up.
 *
 * @module
 */

const RUN_COLUMNS = `
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  flow_name TEXT NOT NULL,
  run_name TEXT NOT NULL,
  parent_id TEXT,
  root_id TEXT NOT NULL,
  parent_task_run_id TEXT,
  depth INTEGER NOT NULL,
  deployment_id TEXT,
  lineage_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  state TEXT NOT NULL,
  state_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expected_start_time INTEGER,
  start_time INTEGER,
  end_time INTEGER,
  run_count INTEGER NOT NULL,
  total_run_time_ms INTEGER NOT NULL,
  task_key TEXT,
  map_index INTEGER,
  tags TEXT,
  parameters TEXT,
  upstream TEXT,
  message TEXT`;

const STATES = [
  "SCHEDULED",
  "PENDING",
  "RUNNING",
  "PAUSED",
  "CANCELLING",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "CRASHED",
];

// Counts the runs of one table by state (every state gets a row).
function runCountsSql(kind: "flow" | "task"): string {
  return `
  INSERT INTO run_counts (kind, state, n)
    SELECT '${kind}', s.value, (SELECT COUNT(*) FROM ${kind}_runs WHERE state = s.value)
    FROM json_each('${JSON.stringify(STATES)}') AS s;`;
}
const FLOW_RECOUNT_SQL = `INSERT INTO flow_counts (flow_name, runs)
  SELECT flow_name, COUNT(*) FROM flow_runs GROUP BY flow_name;`;

// run_counts is counted from the run tables: every event is folded into it.
const FOLD_ALL_SQL = `INSERT INTO run_counts_folded (kind, seq)
  VALUES ('task', (SELECT IFNULL(MAX(seq), 0) FROM events))
  ON CONFLICT (kind) DO UPDATE SET seq = excluded.seq;`;

/** Width of a stored activity bucket: one hour (the port's ACTIVITY_BUCKET_MS). */
const HOUR_MS = 3_600_000;
/** The hour a flow run's creation falls in, as SQL over `flow_runs`. */
export const HOUR_OF_CREATED = `(created_at - created_at % ${HOUR_MS})`;
// Counts flow runs per hour and state into both bucket tables (from scratch).
const BUCKETS_RECOUNT_SQL = `INSERT INTO flow_run_buckets (bucket_start, state, n)
    SELECT ${HOUR_OF_CREATED} AS hour, state, COUNT(*) FROM flow_runs GROUP BY hour, state;
  INSERT INTO flow_run_buckets_by_flow (flow_name, bucket_start, state, n)
    SELECT flow_name, ${HOUR_OF_CREATED} AS hour, state, COUNT(*) FROM flow_runs
    GROUP BY flow_name, hour, state;`;

/** Ordered migrations; index + 1 is the schema version they produce. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    run_kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    state_name TEXT NOT NULL,
    token TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    rules TEXT,
    data TEXT
  );
  CREATE INDEX events_by_run ON events (run_id, seq);
  CREATE TABLE flow_runs (${RUN_COLUMNS});
  CREATE INDEX flow_runs_by_created ON flow_runs (created_at, id);
  CREATE INDEX flow_runs_by_state ON flow_runs (state, created_at, id);
  CREATE INDEX flow_runs_by_flow ON flow_runs (flow_name, created_at, id);
  CREATE INDEX flow_runs_by_parent ON flow_runs (parent_id) WHERE parent_id IS NOT NULL;
  CREATE INDEX flow_runs_by_lineage ON flow_runs (lineage_id);
  CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment_id, created_at, id)
    WHERE deployment_id IS NOT NULL;
  CREATE TABLE task_runs (${RUN_COLUMNS});
  CREATE INDEX task_runs_by_parent ON task_runs (parent_id, created_at, id);
  CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    flow_run_id TEXT NOT NULL,
    task_run_id TEXT,
    level INTEGER NOT NULL,
    name TEXT NOT NULL,
    message TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX logs_by_flow_run ON logs (flow_run_id, id);
  `,
  `
  CREATE TABLE concurrency_limits (
    name TEXT PRIMARY KEY,
    slot_limit INTEGER NOT NULL,
    slot_decay_per_second REAL NOT NULL,
    active_slots INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    ref TEXT,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (collection, key)
  ) WITHOUT ROWID;
  CREATE INDEX documents_by_ref ON documents (collection, ref, key) WHERE ref IS NOT NULL;
  `,
  // Run counts by state, kept by every write transaction (summaries and
  // metrics read 18 rows, not millions), and indexes for the other sort keys
  // of flow run listings.
  `
  CREATE TABLE run_counts (
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (kind, state)
  ) WITHOUT ROWID;
  ${runCountsSql("flow")}
  ${runCountsSql("task")}
  CREATE INDEX flow_runs_by_updated ON flow_runs (updated_at, id);
  CREATE INDEX flow_runs_by_start ON flow_runs (IFNULL(start_time, 0), id);
  CREATE INDEX flow_runs_by_end ON flow_runs (IFNULL(end_time, 0), id);
  CREATE INDEX flow_runs_by_name ON flow_runs (run_name, id);
  `,
  // Flow runs per flow name, kept like run_counts: listing flows reads one row per flow.
  `
  CREATE TABLE flow_counts (flow_name TEXT PRIMARY KEY, runs INTEGER NOT NULL) WITHOUT ROWID;
  ${FLOW_RECOUNT_SQL}
  `,
  // Flow runs by state and expected start time: the scheduler reads the due
  // SCHEDULED runs as one index range, whatever the backlog ahead; also the
  // order of the "expected" sort.
  `
  CREATE INDEX IF NOT EXISTS flow_runs_by_expected ON flow_runs (state, IFNULL(expected_start_time, 0), id);
  `,
  // Flow runs created per hour and state, overall and per flow name, kept by
  // every write transaction like run_counts: the dashboard's activity chart
  // reads one row per hour and state of its window, not every run in it.
  `
  CREATE TABLE flow_run_buckets (
    bucket_start INTEGER NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (bucket_start, state)
  ) WITHOUT ROWID;
  CREATE TABLE flow_run_buckets_by_flow (
    flow_name TEXT NOT NULL,
    bucket_start INTEGER NOT NULL,
    state TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (flow_name, bucket_start, state)
  ) WITHOUT ROWID;
  ${BUCKETS_RECOUNT_SQL}
  `,
  // A flow run's task runs by state and by start time: the run page's state
  // filter and start-time sort read one index range of the run, whatever its
  // ten thousand other task runs.
  `
  CREATE INDEX IF NOT EXISTS task_runs_by_parent_state ON task_runs (parent_id, state, created_at, id);
  CREATE INDEX IF NOT EXISTS task_runs_by_parent_start ON task_runs (parent_id, IFNULL(start_time, 0), id);
  `,
  // Task runs are counted from the event log past the seq named here (see
  // _sqlite_counts.ts): counted once from the table, through the log's end.
  `
  CREATE TABLE IF NOT EXISTS run_counts_folded (kind TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
  DELETE FROM run_counts WHERE kind = 'task';
  ${runCountsSql("task")}
  ${FOLD_ALL_SQL}
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Column list of run tables, in the order the insert statement binds them. */
export const RUN_COLUMN_NAMES = [
  "id",
  "name",
  "flow_name",
  "run_name",
  "parent_id",
  "root_id",
  "parent_task_run_id",
  "depth",
  "deployment_id",
  "lineage_id",
  "attempt",
  "state",
  "state_name",
  "version",
  "created_at",
  "updated_at",
  "expected_start_time",
  "start_time",
  "end_time",
  "run_count",
  "total_run_time_ms",
  "task_key",
  "map_index",
  "tags",
  "parameters",
  "upstream",
  "message",
] as const;

/** SQL of the statements on the hot path. */
export function runSql(table: "flow_runs" | "task_runs") {
  return {
    insertHead: `INSERT INTO ${table} (${RUN_COLUMN_NAMES.join(", ")})`,
    insert: `INSERT INTO ${table} (${RUN_COLUMN_NAMES.join(", ")}) VALUES (${
      RUN_COLUMN_NAMES.map(() => "?").join(", ")
    })`,
    get: `SELECT * FROM ${table} WHERE id = ?`,
    state: `SELECT state FROM ${table} WHERE id = ?`,
  };
}

/** The columns of a run row that indexes read and a transition may change. */
export const INDEXED_UPDATE_COLUMNS = [
  "state",
  "start_time",
  "end_time",
  "expected_start_time",
] as const;

/**
 * The UPDATE of a run row after a transition, setting the indexed columns of
 * `indexed` only: SQLite rewrites the entries of every index over a column
 * the statement sets, changed or not, so a task run moving from RUNNING to
 * COMPLETED leaves its start-time index entry alone. Binds the unindexed
 * columns (state_name, version, updated_at, run_count, total_run_time_ms,
 * message), then `indexed` in order, then the id.
 */
export function runUpdateSql(
  table: "flow_runs" | "task_runs",
  indexed: readonly (typeof INDEXED_UPDATE_COLUMNS)[number][],
): string {
  const set = [
    "state_name = ?",
    "version = ?",
    "updated_at = ?",
    "run_count = ?",
    "total_run_time_ms = ?",
    "message = ?",
    ...indexed.map((column) => `${column} = ?`),
  ];
  return `UPDATE ${table} SET ${set.join(", ")} WHERE id = ?`;
}

/** The log's last seq (0 when empty). */
export const LAST_SEQ_SQL = "SELECT IFNULL(MAX(seq), 0) AS seq FROM events";

/** Columns of an event row, in the order the insert statements bind them. */
export const INSERT_EVENT_HEAD = `INSERT INTO events
  (seq, id, run_id, run_kind, from_state, to_state, state_name, token, version, kind, at, rules, data)`;
export const EVENT_COLUMN_COUNT = 13;
export const INSERT_EVENT_SQL = `${INSERT_EVENT_HEAD}
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
/** Counts runs, flow runs by name and activity buckets again from the run tables. */
export const RECOUNT_RUNS_SQL = `DELETE FROM run_counts;${runCountsSql("flow")}${
  runCountsSql("task")
}
  ${FOLD_ALL_SQL}
  DELETE FROM flow_counts;${FLOW_RECOUNT_SQL}
  DELETE FROM flow_run_buckets; DELETE FROM flow_run_buckets_by_flow;${BUCKETS_RECOUNT_SQL}`;
