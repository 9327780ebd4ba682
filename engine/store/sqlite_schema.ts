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

/** Width of a stored activity bucket: one hour (the port's ACTIVITY_BUCKET_MS). */
const HOUR_MS = 3_600_000;
/** The hour a flow run's creation falls in, as SQL over `flow_runs`. */
const HOUR_OF_CREATED = `(created_at - created_at % ${HOUR_MS})`;
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
    update: `UPDATE ${table} SET state = ?, state_name = ?, version = ?, updated_at = ?,
      start_time = ?, end_time = ?, run_count = ?, total_run_time_ms = ?, message = ?,
      expected_start_time = ?
      WHERE id = ?`,
    get: `SELECT * FROM ${table} WHERE id = ?`,
    state: `SELECT state FROM ${table} WHERE id = ?`,
  };
}

/** Columns of an event row, in the order the insert statements bind them. */
export const INSERT_EVENT_HEAD = `INSERT INTO events
  (seq, id, run_id, run_kind, from_state, to_state, state_name, token, version, kind, at, rules, data)`;
export const EVENT_COLUMN_COUNT = 13;
export const INSERT_EVENT_SQL = `${INSERT_EVENT_HEAD}
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const RUN_TOKENS_SQL = "SELECT token, version FROM events WHERE run_id = ?";
export const LAST_SEQ_SQL = "SELECT IFNULL(MAX(seq), 0) AS seq FROM events";
export const INSERT_LOG_SQL =
  "INSERT INTO logs (flow_run_id, task_run_id, level, name, message, at) VALUES (?, ?, ?, ?, ?, ?)";

export const FLOW_COUNTS_SQL =
  "SELECT flow_name, runs FROM flow_counts WHERE runs > 0 ORDER BY flow_name";
export const ADD_FLOW_COUNT_SQL = `INSERT INTO flow_counts (flow_name, runs) VALUES (?, ?)
  ON CONFLICT (flow_name) DO UPDATE SET runs = runs + excluded.runs`;
export const FLOW_LAST_RUN_SQL = `SELECT id, state, created_at FROM flow_runs
  WHERE flow_name = ? ORDER BY created_at DESC, id DESC LIMIT 1`;
export const LIST_LIMITS_SQL = "SELECT * FROM concurrency_limits ORDER BY name";
export const GET_LIMIT_SQL = "SELECT * FROM concurrency_limits WHERE name = ?";
export const PUT_LIMIT_SQL = `INSERT OR REPLACE INTO concurrency_limits
  (name, slot_limit, slot_decay_per_second, active_slots, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?)`;
export const DELETE_LIMIT_SQL = "DELETE FROM concurrency_limits WHERE name = ?";
export const GET_DOCUMENT_SQL = "SELECT * FROM documents WHERE collection = ? AND key = ?";
export const PUT_DOCUMENT_SQL = `INSERT OR REPLACE INTO documents
  (collection, key, ref, data, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`;
export const DELETE_DOCUMENT_SQL = "DELETE FROM documents WHERE collection = ? AND key = ?";

// Skip-scan over the flow-name index: one seek per distinct name, not one step per run.
export const FLOW_NAMES_SQL = `WITH RECURSIVE names(name) AS (
    SELECT MIN(flow_name) FROM flow_runs
    UNION ALL
    SELECT (SELECT MIN(flow_name) FROM flow_runs WHERE flow_name > names.name)
    FROM names WHERE names.name IS NOT NULL
  )
  SELECT name FROM names WHERE name IS NOT NULL LIMIT ?`;
// `first` sorts by creation time, then id: zero-padded time, then the id.
export const TASK_GROUPS_SQL = `SELECT IFNULL(task_key, id) AS key, state, COUNT(*) AS runs,
    MIN(printf('%020d', created_at) || id) AS first
  FROM task_runs WHERE parent_id = ? GROUP BY key, state`;
// CROSS JOIN fixes the nesting order, so each upstream run is one primary-key lookup.
export const TASK_EDGES_SQL = `SELECT IFNULL(up.task_key, up.id) AS "from",
    IFNULL(t.task_key, t.id) AS "to", json_extract(e.value, '$.kind') AS kind, COUNT(*) AS count
  FROM task_runs t CROSS JOIN json_each(t.upstream) e
  CROSS JOIN task_runs up ON up.id = json_extract(e.value, '$.runId')
  WHERE t.parent_id = ? AND t.upstream IS NOT NULL AND up.parent_id = t.parent_id
  GROUP BY "from", "to", kind ORDER BY "from", "to", kind`;
export const TASK_NAME_SQL = "SELECT name FROM task_runs WHERE id = ?";

export const RUN_COUNTS_SQL = "SELECT kind, state, n FROM run_counts WHERE n > 0";
export const ADD_RUN_COUNT_SQL = "UPDATE run_counts SET n = n + ? WHERE kind = ? AND state = ?";
export const RECOUNT_RUNS_SQL = `DELETE FROM run_counts;${runCountsSql("flow")}${
  runCountsSql("task")
}
  DELETE FROM flow_counts;${FLOW_RECOUNT_SQL}
  DELETE FROM flow_run_buckets; DELETE FROM flow_run_buckets_by_flow;${BUCKETS_RECOUNT_SQL}`;

// Activity buckets: one upsert per (hour, state) and (flow, hour, state) a transaction changed.
export const ADD_BUCKET_SQL = `INSERT INTO flow_run_buckets (bucket_start, state, n)
  VALUES (?, ?, ?) ON CONFLICT (bucket_start, state) DO UPDATE SET n = n + excluded.n`;
export const ADD_FLOW_BUCKET_SQL = `INSERT INTO flow_run_buckets_by_flow
  (flow_name, bucket_start, state, n) VALUES (?, ?, ?, ?)
  ON CONFLICT (flow_name, bucket_start, state) DO UPDATE SET n = n + excluded.n`;
/**
 * Sums hours into buckets of a width aligned to the epoch; `filter` is the
 * extra WHERE of a flow name and states, `table` one of the bucket tables.
 */
export function activitySql(table: string, filter: string): string {
  return `SELECT bucket_start - bucket_start % ? AS start, state, SUM(n) AS n FROM ${table}
    WHERE ${filter}bucket_start >= ? AND bucket_start < ?
    GROUP BY start, state HAVING SUM(n) <> 0 ORDER BY start`;
}

// Purge (flow retention). A connection-local temp table holds the ids of one
// purge transaction, so every delete below is one set-based statement that
// probes the run-id indexes.
export const PURGE_TABLE_SQL = `CREATE TEMP TABLE IF NOT EXISTS purge_runs
  (id TEXT PRIMARY KEY, kind TEXT NOT NULL) WITHOUT ROWID;
  DELETE FROM temp.purge_runs;`;
export const PURGE_ROOT_SQL = `SELECT id, parent_id, lineage_id, end_time, updated_at
  FROM flow_runs WHERE id = ?`;
// Attempts of a lineage: live ones, and ones that ended at or after the cutoff.
export const PURGE_LINEAGE_SQL = `SELECT
    IFNULL(SUM(state NOT IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')), 0) AS live,
    IFNULL(SUM(IFNULL(end_time, updated_at) >= ?), 0) AS recent
  FROM flow_runs WHERE lineage_id = ?`;
// A root's tree: its subflow runs by parent, then the task runs of every flow run in it.
const PURGE_TREE = `WITH RECURSIVE tree(id, state) AS (
    SELECT id, state FROM flow_runs WHERE id = ?
    UNION ALL
    SELECT f.id, f.state FROM flow_runs f JOIN tree ON f.parent_id = tree.id
  ), runs(kind, id, state) AS (
    SELECT 'flow', id, state FROM tree
    UNION ALL
    SELECT 'task', t.id, t.state FROM tree CROSS JOIN task_runs t ON t.parent_id = tree.id
  )`;
// Live runs of a tree, and whether it holds one of two run ids (the newest event's and log's).
export const PURGE_TREE_CHECK_SQL = `${PURGE_TREE}
  SELECT IFNULL(SUM(state NOT IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')), 0) AS live,
    IFNULL(SUM(id IN (?, ?)), 0) AS newest
  FROM runs`;
// Marks a tree for the purge without sending its rows through JS.
export const PURGE_MARK_TREE_SQL = `${PURGE_TREE}
  INSERT OR IGNORE INTO temp.purge_runs (id, kind) SELECT id, kind FROM runs`;
export const PURGE_NEWEST_EVENT_SQL =
  "SELECT run_id FROM events WHERE seq = (SELECT MAX(seq) FROM events)";
export const PURGE_NEWEST_LOG_SQL =
  "SELECT flow_run_id FROM logs WHERE id = (SELECT MAX(id) FROM logs)";
export const PURGE_RUN_COUNTS_SQL = `SELECT 'flow' AS kind, state, COUNT(*) AS n FROM flow_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow') GROUP BY state
  UNION ALL
  SELECT 'task', state, COUNT(*) FROM task_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'task') GROUP BY state`;
export const PURGE_FLOW_COUNTS_SQL = `SELECT flow_name, COUNT(*) AS n FROM flow_runs
  WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow') GROUP BY flow_name`;
// Takes the purged flow runs out of the activity buckets, before they are deleted.
export const PURGE_BUCKETS_SQL = `INSERT INTO flow_run_buckets (bucket_start, state, n)
    SELECT ${HOUR_OF_CREATED} AS hour, state, -COUNT(*) FROM flow_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow') GROUP BY hour, state
    ON CONFLICT (bucket_start, state) DO UPDATE SET n = n + excluded.n;
  INSERT INTO flow_run_buckets_by_flow (flow_name, bucket_start, state, n)
    SELECT flow_name, ${HOUR_OF_CREATED} AS hour, state, -COUNT(*) FROM flow_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow')
    GROUP BY flow_name, hour, state
    ON CONFLICT (flow_name, bucket_start, state) DO UPDATE SET n = n + excluded.n;`;
export const PURGE_EVENTS_SQL =
  "DELETE FROM events WHERE run_id IN (SELECT id FROM temp.purge_runs)";
export const PURGE_LOGS_SQL =
  "DELETE FROM logs WHERE flow_run_id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow')";
export const PURGE_TASK_RUNS_SQL =
  "DELETE FROM task_runs WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'task')";
export const PURGE_FLOW_RUNS_SQL =
  "DELETE FROM flow_runs WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow')";
// The partial ref index is named: the planner would otherwise walk the whole collection.
export const PURGE_DOCUMENTS_BY_REF_SQL = `DELETE FROM documents INDEXED BY documents_by_ref
  WHERE collection = ? AND ref IS NOT NULL AND ref IN (SELECT id FROM temp.purge_runs)`;
export const PURGE_DOCUMENTS_BY_KEY_SQL = `DELETE FROM documents
  WHERE collection = ? AND key IN (SELECT id FROM temp.purge_runs)`;
