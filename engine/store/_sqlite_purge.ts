/**
 * Purging of terminal flow runs from the SQLite store (flow retention): each
 * root's whole tree with its events, log lines and documents, in one
 * transaction, with the kept counts taken down by what was deleted.
 *
 * @module
 */
import type { SQLInputValue } from "node:sqlite";
import {
  emptyPurgeResult,
  type PurgeKeptReason,
  type PurgeOptions,
  type PurgeResult,
  type RunKind,
  type StateType,
} from "../core/mod.ts";
import type { SqliteConnection } from "./_sqlite_connection.ts";
import { CountChanges, foldTaskCounts } from "./_sqlite_counts.ts";
import type { SqliteDocuments } from "./_sqlite_documents.ts";
import type { Row } from "./_sqlite_rows.ts";
import { HOUR_OF_CREATED } from "./sqlite_schema.ts";

// A connection-local temp table holds the ids of one purge transaction, so
// every delete below is one set-based statement that probes the run-id indexes.
const PURGE_TABLE_SQL = `CREATE TEMP TABLE IF NOT EXISTS purge_runs
  (id TEXT PRIMARY KEY, kind TEXT NOT NULL) WITHOUT ROWID;
  DELETE FROM temp.purge_runs;`;
const PURGE_ROOT_SQL = `SELECT id, parent_id, lineage_id, end_time, updated_at
  FROM flow_runs WHERE id = ?`;
// Attempts of a lineage: live ones, and ones that ended at or after the cutoff.
const PURGE_LINEAGE_SQL = `SELECT
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
const PURGE_TREE_CHECK_SQL = `${PURGE_TREE}
  SELECT IFNULL(SUM(state NOT IN ('COMPLETED', 'FAILED', 'CANCELLED', 'CRASHED')), 0) AS live,
    IFNULL(SUM(id IN (?, ?)), 0) AS newest
  FROM runs`;
// Marks a tree for the purge without sending its rows through JS.
const PURGE_MARK_TREE_SQL = `${PURGE_TREE}
  INSERT OR IGNORE INTO temp.purge_runs (id, kind) SELECT id, kind FROM runs`;
const PURGE_NEWEST_EVENT_SQL =
  "SELECT run_id FROM events WHERE seq = (SELECT MAX(seq) FROM events)";
const PURGE_NEWEST_LOG_SQL = "SELECT flow_run_id FROM logs WHERE id = (SELECT MAX(id) FROM logs)";
const PURGE_RUN_COUNTS_SQL = `SELECT 'flow' AS kind, state, COUNT(*) AS n FROM flow_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow') GROUP BY state
  UNION ALL
  SELECT 'task', state, COUNT(*) FROM task_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'task') GROUP BY state`;
const PURGE_FLOW_COUNTS_SQL = `SELECT flow_name, COUNT(*) AS n FROM flow_runs
  WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow') GROUP BY flow_name`;
// Takes the purged flow runs out of the activity buckets, before they are deleted.
const PURGE_BUCKETS_SQL = `INSERT INTO flow_run_buckets (bucket_start, state, n)
    SELECT ${HOUR_OF_CREATED} AS hour, state, -COUNT(*) FROM flow_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow') GROUP BY hour, state
    ON CONFLICT (bucket_start, state) DO UPDATE SET n = n + excluded.n;
  INSERT INTO flow_run_buckets_by_flow (flow_name, bucket_start, state, n)
    SELECT flow_name, ${HOUR_OF_CREATED} AS hour, state, -COUNT(*) FROM flow_runs
    WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow')
    GROUP BY flow_name, hour, state
    ON CONFLICT (flow_name, bucket_start, state) DO UPDATE SET n = n + excluded.n;`;
const PURGE_EVENTS_SQL = "DELETE FROM events WHERE run_id IN (SELECT id FROM temp.purge_runs)";
const PURGE_LOGS_SQL =
  "DELETE FROM logs WHERE flow_run_id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow')";
const PURGE_TASK_RUNS_SQL =
  "DELETE FROM task_runs WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'task')";
const PURGE_FLOW_RUNS_SQL =
  "DELETE FROM flow_runs WHERE id IN (SELECT id FROM temp.purge_runs WHERE kind = 'flow')";
// The partial ref index is named: the planner would otherwise walk the whole collection.
const PURGE_DOCUMENTS_BY_REF_SQL = `DELETE FROM documents INDEXED BY documents_by_ref
  WHERE collection = ? AND ref IS NOT NULL AND ref IN (SELECT id FROM temp.purge_runs)`;
const PURGE_DOCUMENTS_BY_KEY_SQL = `DELETE FROM documents
  WHERE collection = ? AND key IN (SELECT id FROM temp.purge_runs)`;

/** Purges of the SQLite store; the store checks that it is open before each. */
export class SqlitePurge {
  readonly #conn: SqliteConnection;
  readonly #documents: SqliteDocuments;

  constructor(conn: SqliteConnection, documents: SqliteDocuments) {
    this.#conn = conn;
    this.#documents = documents;
  }

  /** Deletes the trees of `rootIds` that may go, in one transaction (see `Store.purgeRuns`). */
  purgeRuns(rootIds: readonly string[], options: PurgeOptions): PurgeResult {
    const result = emptyPurgeResult();
    this.#conn.transaction(() => {
      this.#conn.db.exec(PURGE_TABLE_SQL);
      const newest = this.#newestRunIds();
      const endedBefore = options.endedBefore ?? Number.MAX_SAFE_INTEGER;
      for (const rootId of new Set(rootIds)) {
        const reason = this.#markTree(rootId, endedBefore, newest);
        if (reason === null) result.purged.push(rootId);
        else result.kept.push({ runId: rootId, reason });
      }
      if (result.purged.length > 0) this.#deleteMarked(result, options);
      const audit = options.record?.(result);
      if (audit) this.#documents.putDocument(audit);
    });
    return result;
  }

  // The runs of the log's newest event and newest log line: their trees stay,
  // so a seq (or log id) is never reused.
  #newestRunIds(): [string, string] {
    const event = this.#conn.statement(PURGE_NEWEST_EVENT_SQL).get() as
      | { run_id: string }
      | undefined;
    const log = this.#conn.statement(PURGE_NEWEST_LOG_SQL).get() as
      | { flow_run_id: string }
      | undefined;
    return [event?.run_id ?? "", log?.flow_run_id ?? ""];
  }

  // Marks a root's tree for purging, or says why it stays.
  #markTree(
    rootId: string,
    endedBefore: number,
    newest: readonly [string, string],
  ): PurgeKeptReason | null {
    const root = this.#conn.statement(PURGE_ROOT_SQL).get(rootId) as Row | undefined;
    if (!root) return "not_found";
    if (root["parent_id"] !== null) return "not_root";
    const lineage = this.#conn.statement(PURGE_LINEAGE_SQL).get(
      endedBefore,
      root["lineage_id"]!,
    ) as { live: number; recent: number };
    if (lineage.live > 0) return "live";
    if (lineage.recent > 0) return "recent";
    const tree = this.#conn.statement(PURGE_TREE_CHECK_SQL).get(rootId, ...newest) as {
      live: number;
      newest: number;
    };
    if (tree.live > 0) return "live";
    if (tree.newest > 0) return "newest";
    this.#conn.statement(PURGE_MARK_TREE_SQL).run(rootId);
    return null;
  }

  // Deletes the runs marked in temp.purge_runs with what belongs to them.
  #deleteMarked(result: PurgeResult, options: PurgeOptions): void {
    this.#uncount(result);
    const changes = (sql: string, ...params: SQLInputValue[]) =>
      Number(this.#conn.statement(sql).run(...params).changes);
    for (const collection of options.documentsByRef ?? []) {
      result.documents += changes(PURGE_DOCUMENTS_BY_REF_SQL, collection);
    }
    for (const collection of options.documentsByKey ?? []) {
      result.documents += changes(PURGE_DOCUMENTS_BY_KEY_SQL, collection);
    }
    result.events = changes(PURGE_EVENTS_SQL);
    result.logs = changes(PURGE_LOGS_SQL);
    changes(PURGE_TASK_RUNS_SQL);
    changes(PURGE_FLOW_RUNS_SQL);
  }

  // Takes the marked runs out of the kept counts and counts them in `result`.
  #uncount(result: PurgeResult): void {
    // The task-run moves of the events about to go are counted first.
    foldTaskCounts(this.#conn);
    const changes = new CountChanges();
    const runs = this.#conn.statement(PURGE_RUN_COUNTS_SQL).all() as {
      kind: RunKind;
      state: StateType;
      n: number;
    }[];
    for (const { kind, state, n } of runs) {
      changes.run(kind, state, -n);
      if (kind === "flow") result.flowRuns += n;
      else result.taskRuns += n;
    }
    const flows = this.#conn.statement(PURGE_FLOW_COUNTS_SQL).all() as {
      flow_name: string;
      n: number;
    }[];
    for (const { flow_name, n } of flows) changes.flow(flow_name, -n);
    changes.apply(this.#conn);
    this.#conn.db.exec(PURGE_BUCKETS_SQL);
  }
}
