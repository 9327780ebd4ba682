/**
 * The query side of the PostgreSQL store: runs, counts, activity, flow
 * stats, task graphs, events and logs. Nothing here writes.
 *
 * @module
 */
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
import type { PostgresConnection } from "./_postgres_connection.ts";
import { PG_SORT_COLUMNS, pgRunFilter, PgWhere } from "./_postgres_where.ts";
import { escapeLike } from "./_sqlite_where.ts";
import { type Row, rowToEvent, rowToLog, rowToRun } from "./_sqlite_rows.ts";
import { type RunCount, summarize } from "./_store_summary.ts";

const GET_RUN_SQL = `SELECT *, 'flow' AS run_kind FROM flow_runs WHERE id = $1
  UNION ALL SELECT *, 'task' AS run_kind FROM task_runs WHERE id = $1`;
const LAST_SEQ_SQL = "SELECT COALESCE(MAX(seq), 0) AS seq FROM events";
const RUN_COUNTS_SQL = "SELECT kind, state, n FROM run_counts WHERE n > 0";
// Each flow's count with its newest run: one index seek per flow.
const FLOW_STATS_SQL = `SELECT c.flow_name, c.runs, l.id, l.state, l.created_at
  FROM flow_counts c CROSS JOIN LATERAL (SELECT id, state, created_at FROM flow_runs
    WHERE flow_name = c.flow_name ORDER BY created_at DESC, id DESC LIMIT 1) l
  WHERE c.runs > 0 ORDER BY c.flow_name`;
const FLOW_NAMES_SQL = `SELECT flow_name AS name FROM flow_counts WHERE runs > 0
  ORDER BY flow_name LIMIT $1`;
// `first` sorts by creation time, then id: zero-padded time, then the id.
const TASK_GROUPS_SQL = `SELECT COALESCE(task_key, id) AS key, state, COUNT(*) AS runs,
    MIN(lpad(created_at::text, 20, '0') || id) AS first
  FROM task_runs WHERE parent_id = $1 GROUP BY 1, state`;
const TASK_EDGES_SQL = `SELECT COALESCE(up.task_key, up.id) AS "from",
    COALESCE(t.task_key, t.id) AS "to", e.value->>'kind' AS kind, COUNT(*) AS count
  FROM task_runs t CROSS JOIN LATERAL json_array_elements(t.upstream::json) AS e(value)
  JOIN task_runs up ON up.id = e.value->>'runId'
  WHERE t.parent_id = $1 AND t.upstream IS NOT NULL AND up.parent_id = t.parent_id
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
const TASK_NAME_SQL = "SELECT name FROM task_runs WHERE id = $1";

type StateCounts = Partial<Record<StateType, number>>;

/** Reads of committed data; the store queues what its open write kept before each. */
export class PostgresQueries implements StoreQueries {
  readonly #conn: PostgresConnection;

  constructor(conn: PostgresConnection) {
    this.#conn = conn;
  }

  getRun(runId: string): RunRecord | undefined {
    const [row] = this.#conn.query<Row>(GET_RUN_SQL, [runId]);
    return row ? rowToRun(row, row["run_kind"] as RunKind) : undefined;
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    const { sort, order, limit } = queryShape(query);
    const { table, where } = pgRunFilter(query);
    const column = PG_SORT_COLUMNS[sort];
    const direction = order === "asc" ? "ASC" : "DESC";
    const cmp = order === "asc" ? ">" : "<";
    if (query.cursor) {
      const after = decodeCursor(query.cursor, sort, order);
      const value = after.value ?? 0;
      const v = where.param(value);
      const id = where.param(after.id);
      // The first bound is one an index on the sort column can seek to.
      where.clauses.push(`${column} ${cmp}= ${v} AND (${column} ${cmp} ${v} OR id ${cmp} ${id})`);
    }
    const sql = `SELECT * FROM ${table} ${where.sql()}
      ORDER BY ${column} ${direction}, id ${direction} LIMIT ${where.param(limit + 1)}`;
    const rows = this.#conn.query<Row>(sql, where.params);
    const items = rows.slice(0, limit).map((row) =>
      rowToRun(row, query.kind ?? (row["run_kind"] as RunKind))
    );
    const last = items.at(-1);
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
    const { table, where } = pgRunFilter(query);
    const rows = this.#conn.query<{ state: StateType; n: number }>(
      `SELECT state, COUNT(*) AS n FROM ${table} ${where.sql()} GROUP BY state`,
      where.params,
    );
    const counts: StateCounts = {};
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    checkActivityQuery(query);
    const where = new PgWhere();
    const width = where.param(query.bucketMs);
    let table = "flow_run_buckets";
    if (query.flowName !== undefined) {
      table = "flow_run_buckets_by_flow";
      where.add("flow_name = ?", query.flowName);
    }
    const states = [...new Set(query.states ?? [])];
    if (states.length > 0) where.add("state = ANY(?::text[])", states);
    where.add("bucket_start >= ? AND bucket_start < ?", query.since, query.until);
    const rows = this.#conn.query<{ start: number; state: StateType; n: number }>(
      `SELECT bucket_start - bucket_start % ${width} AS start, state, SUM(n) AS n
      FROM ${table} ${where.sql()}
      GROUP BY 1, state HAVING SUM(n) <> 0 ORDER BY 1, state`,
      where.params,
    );
    const buckets: ActivityBucket[] = [];
    for (const row of rows) {
      let last = buckets.at(-1);
      if (last?.start !== row.start) buckets.push(last = { start: row.start, counts: {} });
      last.counts[row.state] = row.n;
    }
    return buckets;
  }

  flowStats(): FlowStat[] {
    const rows = this.#conn.query<{
      flow_name: string;
      runs: number;
      id: string;
      state: StateType;
      created_at: number;
    }>(FLOW_STATS_SQL);
    return rows.map((row) => ({
      flowName: row.flow_name,
      runs: row.runs,
      lastRunId: row.id,
      lastRunState: row.state,
      lastRunCreatedAt: row.created_at,
    }));
  }

  flowNames(limit = 1000): string[] {
    return this.#conn.query<{ name: string }>(FLOW_NAMES_SQL, [limit]).map((r) => r.name);
  }

  taskGraph(flowRunId: string): TaskGraph {
    const groups = new Map<string, { first: string; runs: number; states: StateCounts }>();
    const rows = this.#conn.query<{ key: string; state: StateType; runs: number; first: string }>(
      TASK_GROUPS_SQL,
      [flowRunId],
    );
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
    const nodes = [...groups.entries()]
      .sort((a, b) => a[1].first < b[1].first ? -1 : 1)
      .map(([key, group]) => {
        const firstRunId = group.first.slice(20);
        const [{ name }] = this.#conn.query<{ name: string }>(TASK_NAME_SQL, [firstRunId]) as [
          { name: string },
        ];
        return { key, name, runs: group.runs, states: group.states, firstRunId };
      });
    const edges = this.#conn.query<TaskGraphEdge>(TASK_EDGES_SQL, [flowRunId]);
    return { nodes, edges: edges.map((e) => ({ ...e })) };
  }

  events(query: EventQuery = {}): EngineEvent[] {
    const where = new PgWhere()
      .add("seq > ?", query.afterSeq ?? 0)
      .addIf("run_id = ?", query.runId);
    const limit = query.limit !== undefined ? ` LIMIT ${where.param(query.limit)}` : "";
    const rows = this.#conn.query<Row>(
      `SELECT * FROM events ${where.sql()} ORDER BY seq${limit}`,
      where.params,
    );
    return rows.map(rowToEvent);
  }

  logs(query: LogQuery): LogRecord[] {
    const where = new PgWhere()
      .add("id > ?", query.afterId ?? 0)
      .addIf("flow_run_id = ?", query.flowRunId)
      .addIf("task_run_id = ?", query.taskRunId)
      .addIf("level >= ?", query.minLevel);
    if (query.text) where.add("message ILIKE ? ESCAPE '\\'", `%${escapeLike(query.text)}%`);
    const limit = where.param(query.limit ?? 1000);
    const rows = this.#conn.query<Row>(
      `SELECT * FROM logs ${where.sql()} ORDER BY id LIMIT ${limit}`,
      where.params,
    );
    return rows.map(rowToLog);
  }

  lastSeq(): number {
    return this.#conn.query<{ seq: number }>(LAST_SEQ_SQL)[0]!.seq;
  }

  summary(): StoreSummary {
    const events = this.lastSeq();
    const counts = this.#conn.query<RunCount>(RUN_COUNTS_SQL);
    return summarize(events, counts);
  }
}
