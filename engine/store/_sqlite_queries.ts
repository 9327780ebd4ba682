/**
 * The query side of the SQLite store: runs, counts, activity, flow stats,
 * task graphs, events and logs. Nothing here writes.
 *
 * @module
 */
import type { SQLInputValue, StatementSync } from "node:sqlite";
import {
  type ActivityBucket,
  type ActivityQuery,
  checkActivityQuery,
  decodeCursor,
  encodeCursor,
  type EngineEvent,
  type EventQuery,
  type FlowStat,
  type LogQuery,
  type LogRecord,
  type Page,
  queryShape,
  type RunKind,
  type RunQuery,
  type RunRecord,
  SORT_FIELDS,
  type StateType,
  type StoreQueries,
  type StoreSummary,
  type TaskGraph,
  type TaskGraphEdge,
} from "../core/mod.ts";
import type { SqliteConnection } from "./_sqlite_connection.ts";
import { runFilter, SORT_COLUMNS } from "./_sqlite_run_filter.ts";
import { escapeLike, SqlWhere, whereSql } from "./_sqlite_where.ts";
import { type Row, rowToEvent, rowToLog, rowToRun } from "./_sqlite_rows.ts";
import { type RunCount, summarize } from "./_store_summary.ts";
import { LAST_SEQ_SQL, runSql } from "./sqlite_schema.ts";
import { RUN_COUNTS_SQL } from "./_sqlite_counts.ts";

const FLOW_COUNTS_SQL = "SELECT flow_name, runs FROM flow_counts WHERE runs > 0 ORDER BY flow_name";
const FLOW_LAST_RUN_SQL = `SELECT id, state, created_at FROM flow_runs
  WHERE flow_name = ? ORDER BY created_at DESC, id DESC LIMIT 1`;
// Skip-scan over the flow-name index: one seek per distinct name, not one step per run.
const FLOW_NAMES_SQL = `WITH RECURSIVE names(name) AS (
    SELECT MIN(flow_name) FROM flow_runs
    UNION ALL
    SELECT (SELECT MIN(flow_name) FROM flow_runs WHERE flow_name > names.name)
    FROM names WHERE names.name IS NOT NULL
  )
  SELECT name FROM names WHERE name IS NOT NULL LIMIT ?`;
// `first` sorts by creation time, then id: zero-padded time, then the id.
const TASK_GROUPS_SQL = `SELECT IFNULL(task_key, id) AS key, state, COUNT(*) AS runs,
    MIN(printf('%020d', created_at) || id) AS first
  FROM task_runs WHERE parent_id = ? GROUP BY key, state`;
// CROSS JOIN fixes the nesting order, so each upstream run is one primary-key lookup.
const TASK_EDGES_SQL = `SELECT IFNULL(up.task_key, up.id) AS "from",
    IFNULL(t.task_key, t.id) AS "to", json_extract(e.value, '$.kind') AS kind, COUNT(*) AS count
  FROM task_runs t CROSS JOIN json_each(t.upstream) e
  CROSS JOIN task_runs up ON up.id = json_extract(e.value, '$.runId')
  WHERE t.parent_id = ? AND t.upstream IS NOT NULL AND up.parent_id = t.parent_id
  GROUP BY "from", "to", kind ORDER BY "from", "to", kind`;
const TASK_NAME_SQL = "SELECT name FROM task_runs WHERE id = ?";

/**
 * Sums hours into buckets of a width aligned to the epoch; `filter` is the
 * extra WHERE of a flow name and states, `table` one of the bucket tables.
 */
function activitySql(table: string, filter: string): string {
  return `SELECT bucket_start - bucket_start % ? AS start, state, SUM(n) AS n FROM ${table}
    WHERE ${filter}bucket_start >= ? AND bucket_start < ?
    GROUP BY start, state HAVING SUM(n) <> 0 ORDER BY start`;
}

type StateCounts = Partial<Record<StateType, number>>;

/** Reads of committed data; the store flushes what its open write queued before each. */
export class SqliteQueries implements StoreQueries {
  readonly #conn: SqliteConnection;
  readonly #getRun: Record<RunKind, StatementSync>;

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
    this.#getRun = {
      flow: conn.db.prepare(runSql("flow_runs").get),
      task: conn.db.prepare(runSql("task_runs").get),
    };
  }

  getRun(runId: string): RunRecord | undefined {
    const flow = this.#getRun.flow.get(runId) as Row | undefined;
    if (flow) return rowToRun(flow, "flow");
    const task = this.#getRun.task.get(runId) as Row | undefined;
    return task ? rowToRun(task, "task") : undefined;
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    const { sort, order, limit } = queryShape(query);
    const { table, where, params } = runFilter(query);
    const column = SORT_COLUMNS[sort];
    const direction = order === "asc" ? "ASC" : "DESC";
    const cmp = order === "asc" ? ">" : "<";
    if (query.cursor) {
      const after = decodeCursor(query.cursor, sort, order);
      const value = after.value ?? 0;
      // The first bound is one an index on the sort column can seek to (the
      // OR alone makes every page scan the range from its start again).
      where.push(`${column} ${cmp}= ? AND (${column} ${cmp} ? OR (${column} = ? AND id ${cmp} ?))`);
      params.push(value, value, value, after.id);
    }
    const orderBy = `ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`;
    let rows: Row[];
    const states = [...new Set(query.states ?? [])];
    if (table === "flow_runs" && sort === "created" && states.length > 1) {
      // One ordered index range per state, merged: a single IN (...) would sort every match.
      const [, ...rest] = where;
      const restParams = params.slice(states.length);
      const one = `SELECT * FROM (SELECT * FROM flow_runs ${
        whereSql(["state = ?", ...rest])
      } ${orderBy})`;
      const sql = `SELECT * FROM (${states.map(() => one).join(" UNION ALL ")}) ${orderBy}`;
      const all = states.flatMap((state) => [state, ...restParams, limit + 1]);
      rows = this.#conn.db.prepare(sql).all(...all, limit + 1) as Row[];
    } else {
      const sql = `SELECT * FROM ${table} ${whereSql(where)} ${orderBy}`;
      rows = this.#conn.db.prepare(sql).all(...params, limit + 1) as Row[];
    }
    const items = rows.slice(0, limit).map((row) =>
      rowToRun(row, query.kind ?? (row["run_kind"] as RunKind))
    );
    const last = items.at(-1);
    // The cursor's value is what the sort column orders by: nulls as 0.
    const nextCursor = rows.length > limit && last
      ? encodeCursor({
        sort,
        order,
        value: (last[SORT_FIELDS[sort]] as number | string | null) ?? 0,
        id: last.id,
      })
      : null;
    return { items, nextCursor };
  }

  countRuns(query: RunQuery): StateCounts {
    const { table, where, params } = runFilter(query);
    const rows = this.#conn.db.prepare(
      `SELECT state, COUNT(*) AS n FROM ${table} ${whereSql(where)} GROUP BY state`,
    ).all(...params) as { state: StateType; n: number }[];
    const counts: StateCounts = {};
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    checkActivityQuery(query);
    const params: SQLInputValue[] = [query.bucketMs];
    let table = "flow_run_buckets";
    let filter = "";
    if (query.flowName !== undefined) {
      table = "flow_run_buckets_by_flow";
      filter = "flow_name = ? AND ";
      params.push(query.flowName);
    }
    const states = [...new Set(query.states ?? [])];
    if (states.length > 0) {
      filter += `state IN (${states.map(() => "?").join(", ")}) AND `;
      params.push(...states);
    }
    params.push(query.since, query.until);
    const rows = this.#conn.statement(activitySql(table, filter)).all(...params) as {
      start: number;
      state: StateType;
      n: number;
    }[];
    const buckets: ActivityBucket[] = [];
    for (const row of rows) {
      let last = buckets.at(-1);
      if (last?.start !== row.start) buckets.push(last = { start: row.start, counts: {} });
      last.counts[row.state] = row.n;
    }
    return buckets;
  }

  flowStats(): FlowStat[] {
    const last = this.#conn.db.prepare(FLOW_LAST_RUN_SQL);
    const rows = this.#conn.db.prepare(FLOW_COUNTS_SQL).all() as {
      flow_name: string;
      runs: number;
    }[];
    return rows.map((row) => {
      const run = last.get(row.flow_name) as { id: string; state: StateType; created_at: number };
      return {
        flowName: row.flow_name,
        runs: row.runs,
        lastRunId: run.id,
        lastRunState: run.state,
        lastRunCreatedAt: run.created_at,
      };
    });
  }

  flowNames(limit = 1000): string[] {
    const rows = this.#conn.db.prepare(FLOW_NAMES_SQL).all(limit) as { name: string }[];
    return rows.map((r) => r.name);
  }

  taskGraph(flowRunId: string): TaskGraph {
    const groups = new Map<string, { first: string; runs: number; states: StateCounts }>();
    const rows = this.#conn.db.prepare(TASK_GROUPS_SQL).all(flowRunId) as {
      key: string;
      state: StateType;
      runs: number;
      first: string;
    }[];
    for (const row of rows) {
      const group = groups.get(row.key);
      if (!group) {
        groups.set(row.key, {
          first: row.first,
          runs: row.runs,
          states: { [row.state]: row.runs },
        });
        continue;
      }
      group.runs += row.runs;
      group.states[row.state] = row.runs;
      if (row.first < group.first) group.first = row.first;
    }
    const nameOf = this.#conn.db.prepare(TASK_NAME_SQL);
    const nodes = [...groups.entries()]
      .sort((a, b) => a[1].first < b[1].first ? -1 : 1)
      .map(([key, group]) => {
        const firstRunId = group.first.slice(20);
        const { name } = nameOf.get(firstRunId) as { name: string };
        return { key, name, runs: group.runs, states: group.states, firstRunId };
      });
    const edges = this.#conn.db.prepare(TASK_EDGES_SQL).all(
      flowRunId,
    ) as unknown as TaskGraphEdge[];
    return { nodes, edges: edges.map((e) => ({ ...e })) };
  }

  events(query: EventQuery = {}): EngineEvent[] {
    const where = new SqlWhere()
      .add("seq > ?", query.afterSeq ?? 0)
      .addIf("run_id = ?", query.runId);
    const limit = query.limit !== undefined ? " LIMIT ?" : "";
    const params = query.limit !== undefined ? [...where.params, query.limit] : where.params;
    const rows = this.#conn.db.prepare(
      `SELECT * FROM events ${where.sql()} ORDER BY seq${limit}`,
    ).all(...params) as Row[];
    return rows.map(rowToEvent);
  }

  logs(query: LogQuery): LogRecord[] {
    const where = new SqlWhere()
      .add("id > ?", query.afterId ?? 0)
      .addIf("flow_run_id = ?", query.flowRunId)
      .addIf("task_run_id = ?", query.taskRunId)
      .addIf("level >= ?", query.minLevel);
    if (query.text) where.add("message LIKE ? ESCAPE '\\'", `%${escapeLike(query.text)}%`);
    const rows = this.#conn.db.prepare(
      `SELECT * FROM logs ${where.sql()} ORDER BY id LIMIT ?`,
    ).all(...where.params, query.limit ?? 1000) as Row[];
    return rows.map(rowToLog);
  }

  lastSeq(): number {
    return (this.#conn.statement(LAST_SEQ_SQL).get() as { seq: number }).seq;
  }

  summary(): StoreSummary {
    const events = this.lastSeq();
    // Kept counts (and the task-run moves not folded yet): no scan of the run tables.
    const counts = this.#conn.db.prepare(RUN_COUNTS_SQL).all() as unknown as RunCount[];
    return summarize(events, counts);
  }
}
