/**
 * Purging of terminal flow runs from the PostgreSQL store (flow retention):
 * each root's whole tree with its events, log lines and documents, inside
 * the caller's transaction, with the kept counts taken down by what was
 * deleted. The rules are those of the SQLite store's purge.
 *
 * @module
 */
import {
  emptyPurgeResult,
  type PurgeKeptReason,
  type PurgeOptions,
  type PurgeResult,
  type RunKind,
  type StateType,
} from "../core/mod.ts";
import { CountChanges } from "./_sqlite_counts.ts";
import type { PostgresConnection } from "./_postgres_connection.ts";
import type { PostgresDocuments } from "./_postgres_documents.ts";
import { queueCounts } from "./_postgres_rows_sql.ts";
import { PG_HOUR_OF_CREATED } from "./postgres_schema.ts";

const TERMINAL = "('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')";
const PURGE_TABLE_SQL = `CREATE TEMP TABLE IF NOT EXISTS purge_runs
  (id TEXT COLLATE "C" PRIMARY KEY, kind TEXT NOT NULL) ON COMMIT DELETE ROWS`;
const PURGE_ROOT_SQL = `SELECT id, parent_id, lineage_id FROM flow_runs WHERE id = $1`;
const PURGE_LINEAGE_SQL = `SELECT
    COUNT(*) FILTER (WHERE state NOT IN ${TERMINAL}) AS live,
    COUNT(*) FILTER (WHERE COALESCE(end_time, updated_at) >= $1) AS recent
  FROM flow_runs WHERE lineage_id = $2`;
const PURGE_TREE = `WITH RECURSIVE tree(id, state) AS (
    SELECT id, state FROM flow_runs WHERE id = $1
    UNION ALL
    SELECT f.id, f.state FROM flow_runs f JOIN tree ON f.parent_id = tree.id
  ), runs(kind, id, state) AS (
    SELECT 'flow', id, state FROM tree
    UNION ALL
    SELECT 'task', t.id, t.state FROM tree JOIN task_runs t ON t.parent_id = tree.id
  )`;
const PURGE_TREE_CHECK_SQL = `${PURGE_TREE}
  SELECT COUNT(*) FILTER (WHERE state NOT IN ${TERMINAL}) AS live,
    COUNT(*) FILTER (WHERE id IN ($2, $3)) AS newest
  FROM runs`;
const PURGE_MARK_TREE_SQL = `${PURGE_TREE}
  INSERT INTO purge_runs (id, kind) SELECT id, kind FROM runs ON CONFLICT DO NOTHING`;
const PURGE_NEWEST_SQL = `SELECT
  (SELECT run_id FROM events ORDER BY seq DESC LIMIT 1) AS event_run,
  (SELECT flow_run_id FROM logs ORDER BY id DESC LIMIT 1) AS log_run`;
const PURGE_RUN_COUNTS_SQL = `SELECT 'flow' AS kind, state, COUNT(*) AS n FROM flow_runs
    WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'flow') GROUP BY state
  UNION ALL
  SELECT 'task', state, COUNT(*) FROM task_runs
    WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'task') GROUP BY state`;
const PURGE_FLOW_COUNTS_SQL = `SELECT flow_name, COUNT(*) AS n FROM flow_runs
  WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'flow') GROUP BY flow_name`;
const PURGE_BUCKETS_SQL = [
  `INSERT INTO flow_run_buckets (bucket_start, state, n)
    SELECT ${PG_HOUR_OF_CREATED} AS hour, state, -COUNT(*) FROM flow_runs
    WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'flow') GROUP BY 1, state
    ON CONFLICT (bucket_start, state) DO UPDATE SET n = flow_run_buckets.n + excluded.n`,
  `INSERT INTO flow_run_buckets_by_flow (flow_name, bucket_start, state, n)
    SELECT flow_name, ${PG_HOUR_OF_CREATED} AS hour, state, -COUNT(*) FROM flow_runs
    WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'flow') GROUP BY flow_name, 2, state
    ON CONFLICT (flow_name, bucket_start, state)
    DO UPDATE SET n = flow_run_buckets_by_flow.n + excluded.n`,
];
const PURGE_EVENTS_SQL = "DELETE FROM events WHERE run_id IN (SELECT id FROM purge_runs)";
const PURGE_LOGS_SQL =
  "DELETE FROM logs WHERE flow_run_id IN (SELECT id FROM purge_runs WHERE kind = 'flow')";
const PURGE_TASK_RUNS_SQL =
  "DELETE FROM task_runs WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'task')";
const PURGE_FLOW_RUNS_SQL =
  "DELETE FROM flow_runs WHERE id IN (SELECT id FROM purge_runs WHERE kind = 'flow')";
const PURGE_DOCUMENTS_BY_REF_SQL = `DELETE FROM documents
  WHERE collection = $1 AND ref IS NOT NULL AND ref IN (SELECT id FROM purge_runs)`;
const PURGE_DOCUMENTS_BY_KEY_SQL = `DELETE FROM documents
  WHERE collection = $1 AND key IN (SELECT id FROM purge_runs)`;

/** Purges of the PostgreSQL store; run inside an open write transaction. */
export class PostgresPurge {
  readonly #conn: PostgresConnection;

  constructor(conn: PostgresConnection) {
    this.#conn = conn;
  }

  /** Deletes the trees of `rootIds` that may go (see `Store.purgeRuns`). */
  purgeRuns(
    rootIds: readonly string[],
    options: PurgeOptions,
    documents: PostgresDocuments,
  ): PurgeResult {
    const result = emptyPurgeResult();
    this.#conn.queue(PURGE_TABLE_SQL);
    this.#conn.queue("DELETE FROM purge_runs");
    const [newest] = this.#conn.query<{ event_run: string | null; log_run: string | null }>(
      PURGE_NEWEST_SQL,
    );
    const newestIds = [newest?.event_run ?? "", newest?.log_run ?? ""] as const;
    const endedBefore = options.endedBefore ?? Number.MAX_SAFE_INTEGER;
    for (const rootId of new Set(rootIds)) {
      const reason = this.#markTree(rootId, endedBefore, newestIds);
      if (reason === null) result.purged.push(rootId);
      else result.kept.push({ runId: rootId, reason });
    }
    if (result.purged.length > 0) this.#deleteMarked(result, options);
    const audit = options.record?.(result);
    if (audit) documents.putDocument(audit);
    return result;
  }

  #markTree(
    rootId: string,
    endedBefore: number,
    newest: readonly [string, string],
  ): PurgeKeptReason | null {
    const [root] = this.#conn.query<{ parent_id: string | null; lineage_id: string }>(
      PURGE_ROOT_SQL,
      [rootId],
    );
    if (!root) return "not_found";
    if (root.parent_id !== null) return "not_root";
    const [lineage] = this.#conn.query<{ live: number; recent: number }>(PURGE_LINEAGE_SQL, [
      endedBefore,
      root.lineage_id,
    ]);
    if (lineage!.live > 0) return "live";
    if (lineage!.recent > 0) return "recent";
    const [tree] = this.#conn.query<{ live: number; newest: number }>(PURGE_TREE_CHECK_SQL, [
      rootId,
      ...newest,
    ]);
    if (tree!.live > 0) return "live";
    if (tree!.newest > 0) return "newest";
    this.#conn.queue(PURGE_MARK_TREE_SQL, [rootId]);
    return null;
  }

  #deleteMarked(result: PurgeResult, options: PurgeOptions): void {
    this.#uncount(result);
    for (const collection of options.documentsByRef ?? []) {
      result.documents += this.#conn.execute(PURGE_DOCUMENTS_BY_REF_SQL, [collection]);
    }
    for (const collection of options.documentsByKey ?? []) {
      result.documents += this.#conn.execute(PURGE_DOCUMENTS_BY_KEY_SQL, [collection]);
    }
    result.events = this.#conn.execute(PURGE_EVENTS_SQL);
    result.logs = this.#conn.execute(PURGE_LOGS_SQL);
    this.#conn.queue(PURGE_TASK_RUNS_SQL);
    this.#conn.queue(PURGE_FLOW_RUNS_SQL);
  }

  #uncount(result: PurgeResult): void {
    const changes = new CountChanges();
    const runs = this.#conn.query<{ kind: RunKind; state: StateType; n: number }>(
      PURGE_RUN_COUNTS_SQL,
    );
    for (const { kind, state, n } of runs) {
      changes.run(kind, state, -n);
      if (kind === "flow") result.flowRuns += n;
      else result.taskRuns += n;
    }
    const flows = this.#conn.query<{ flow_name: string; n: number }>(PURGE_FLOW_COUNTS_SQL);
    for (const { flow_name, n } of flows) changes.flow(flow_name, -n);
    queueCounts(this.#conn, changes);
    for (const sql of PURGE_BUCKETS_SQL) this.#conn.queue(sql);
  }
}
