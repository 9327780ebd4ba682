/**
 * Schema of the PostgreSQL store as migrations (TS strings, so the single
 * binary carries them), and the advisory locks its servers share. The
 * tables mirror the SQLite store's; text sorts by code point (`COLLATE "C"`)
 * as it does there, and the database enforces what several writers must not
 * break: one event per run and version, one row per run id.
 *
 * @module
 */

const TEXT = `TEXT COLLATE "C"`;

const RUN_COLUMNS = `
  id ${TEXT} PRIMARY KEY,
  name ${TEXT} NOT NULL,
  flow_name ${TEXT} NOT NULL,
  run_name ${TEXT} NOT NULL,
  parent_id ${TEXT},
  root_id ${TEXT} NOT NULL,
  parent_task_run_id ${TEXT},
  depth BIGINT NOT NULL,
  deployment_id ${TEXT},
  lineage_id ${TEXT} NOT NULL,
  attempt BIGINT NOT NULL,
  state ${TEXT} NOT NULL,
  state_name ${TEXT} NOT NULL,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expected_start_time BIGINT,
  start_time BIGINT,
  end_time BIGINT,
  run_count BIGINT NOT NULL,
  total_run_time_ms BIGINT NOT NULL,
  task_key ${TEXT},
  map_index BIGINT,
  tags ${TEXT},
  parameters TEXT,
  upstream TEXT,
  message TEXT`;

/** Width of a stored activity bucket: one hour (the port's ACTIVITY_BUCKET_MS). */
const HOUR_MS = 3_600_000;
/** The hour a flow run's creation falls in, as SQL over `flow_runs`. */
export const PG_HOUR_OF_CREATED = `(created_at - created_at % ${HOUR_MS})`;

/** Ordered migrations; index + 1 is the schema version they produce. */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    id ${TEXT} NOT NULL,
    run_id ${TEXT} NOT NULL,
    run_kind ${TEXT} NOT NULL,
    from_state ${TEXT},
    to_state ${TEXT} NOT NULL,
    state_name ${TEXT} NOT NULL,
    token ${TEXT} NOT NULL,
    version BIGINT NOT NULL,
    kind ${TEXT} NOT NULL,
    at BIGINT NOT NULL,
    rules TEXT,
    data TEXT,
    UNIQUE (run_id, version)
  );
  CREATE TABLE flow_runs (${RUN_COLUMNS});
  CREATE INDEX flow_runs_by_created ON flow_runs (created_at, id);
  CREATE INDEX flow_runs_by_state ON flow_runs (state, created_at, id);
  CREATE INDEX flow_runs_by_flow ON flow_runs (flow_name, created_at, id);
  CREATE INDEX flow_runs_by_parent ON flow_runs (parent_id) WHERE parent_id IS NOT NULL;
  CREATE INDEX flow_runs_by_lineage ON flow_runs (lineage_id);
  CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment_id, created_at, id)
    WHERE deployment_id IS NOT NULL;
  CREATE INDEX flow_runs_by_updated ON flow_runs (updated_at, id);
  CREATE INDEX flow_runs_by_start ON flow_runs ((COALESCE(start_time, 0)), id);
  CREATE INDEX flow_runs_by_end ON flow_runs ((COALESCE(end_time, 0)), id);
  CREATE INDEX flow_runs_by_name ON flow_runs (run_name, id);
  CREATE INDEX flow_runs_by_expected ON flow_runs (state, (COALESCE(expected_start_time, 0)), id);
  CREATE TABLE task_runs (${RUN_COLUMNS});
  CREATE INDEX task_runs_by_parent ON task_runs (parent_id, created_at, id);
  CREATE TABLE logs (
    id BIGINT PRIMARY KEY,
    flow_run_id ${TEXT} NOT NULL,
    task_run_id ${TEXT},
    level BIGINT NOT NULL,
    name ${TEXT} NOT NULL,
    message TEXT NOT NULL,
    at BIGINT NOT NULL
  );
  CREATE INDEX logs_by_flow_run ON logs (flow_run_id, id);
  CREATE TABLE concurrency_limits (
    name ${TEXT} PRIMARY KEY,
    slot_limit BIGINT NOT NULL,
    slot_decay_per_second DOUBLE PRECISION NOT NULL,
    active_slots BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE documents (
    collection ${TEXT} NOT NULL,
    key ${TEXT} NOT NULL,
    ref ${TEXT},
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (collection, key)
  );
  CREATE INDEX documents_by_ref ON documents (collection, ref, key) WHERE ref IS NOT NULL;
  -- Every write transaction bumps the one row: its row lock makes writers
  -- take turns (seqs are handed out, and become visible, in order) and the
  -- counter tells a server whether another one wrote since its last write.
  CREATE TABLE store_state (id INT PRIMARY KEY, writes BIGINT NOT NULL);
  INSERT INTO store_state (id, writes) VALUES (1, 0);
  CREATE TABLE run_counts (
    kind ${TEXT} NOT NULL,
    state ${TEXT} NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (kind, state)
  );
  CREATE TABLE flow_counts (flow_name ${TEXT} PRIMARY KEY, runs BIGINT NOT NULL);
  CREATE TABLE flow_run_buckets (
    bucket_start BIGINT NOT NULL,
    state ${TEXT} NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (bucket_start, state)
  );
  CREATE TABLE flow_run_buckets_by_flow (
    flow_name ${TEXT} NOT NULL,
    bucket_start BIGINT NOT NULL,
    state ${TEXT} NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (flow_name, bucket_start, state)
  );
  `,
  // Large and binary results by content address, so every server reaches
  // every run's results (the SQLite store keeps them in files beside it).
  `
  CREATE TABLE results (
    ref ${TEXT} PRIMARY KEY,
    bytes BYTEA NOT NULL,
    modified_at BIGINT NOT NULL
  );
  `,
  // What each write changed, so other servers forget only that from their
  // caches: documents by the write that changed them, and purges, imports
  // and rebuilds counted apart (after one, everything is suspect).
  `
  ALTER TABLE store_state ADD COLUMN resets BIGINT NOT NULL DEFAULT 0;
  CREATE TABLE document_changes (
    writes BIGINT NOT NULL,
    collection ${TEXT} NOT NULL,
    key ${TEXT} NOT NULL
  );
  CREATE INDEX document_changes_by_writes ON document_changes (writes);
  `,
  // A flow run's task runs by state and by start time: the run page's state
  // filter and start-time sort read one index range of the run.
  `
  CREATE INDEX IF NOT EXISTS task_runs_by_parent_state ON task_runs (parent_id, state, created_at, id);
  CREATE INDEX IF NOT EXISTS task_runs_by_parent_start ON task_runs (parent_id, (COALESCE(start_time, 0)), id);
  `,
];

/** The schema version this build writes. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/**
 * First keys of the advisory locks IronFlow takes; the second key is the
 * schema's hash, so stores in different schemas of one database never wait
 * on each other.
 */
export const PgLock = {
  /** Held while migrating: servers starting together migrate one at a time. */
  MIGRATE: 0x1f100001,
} as const;

/** The second key of IronFlow's advisory locks, as SQL. */
export const SCHEMA_LOCK_KEY = "hashtext(current_schema())";

/** Counts runs, flow runs by name and activity buckets again from the run tables. */
export const PG_RECOUNT_RUNS_SQL = `DELETE FROM run_counts;
  INSERT INTO run_counts (kind, state, n)
    SELECT 'flow', state, COUNT(*) FROM flow_runs GROUP BY state
    UNION ALL SELECT 'task', state, COUNT(*) FROM task_runs GROUP BY state;
  DELETE FROM flow_counts;
  INSERT INTO flow_counts (flow_name, runs) SELECT flow_name, COUNT(*) FROM flow_runs GROUP BY flow_name;
  DELETE FROM flow_run_buckets; DELETE FROM flow_run_buckets_by_flow;
  INSERT INTO flow_run_buckets (bucket_start, state, n)
    SELECT ${PG_HOUR_OF_CREATED} AS hour, state, COUNT(*) FROM flow_runs GROUP BY hour, state;
  INSERT INTO flow_run_buckets_by_flow (flow_name, bucket_start, state, n)
    SELECT flow_name, ${PG_HOUR_OF_CREATED} AS hour, state, COUNT(*) FROM flow_runs
    GROUP BY flow_name, hour, state;`;
