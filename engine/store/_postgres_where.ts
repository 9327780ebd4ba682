/**
 * WHERE clauses of the PostgreSQL store: filters numbered `$1, $2…` in the
 * order they are added, and a run query's filters and sort as SQL (matching
 * what `matchesQuery` keeps in memory).
 *
 * @module
 */
import type { RunQuery, RunSortKey } from "../core/mod.ts";
import { escapeLike } from "./_sqlite_where.ts";

/** Clauses joined by AND, with `?` placeholders numbered as they are added. */
export class PgWhere {
  readonly clauses: string[] = [];
  readonly params: unknown[] = [];

  /** Adds `clause`, its `?`s standing for `values` in order. */
  add(clause: string, ...values: unknown[]): this {
    this.clauses.push(clause.replace(/\?/g, () => `$${this.params.push(values.shift()!)}`));
    return this;
  }

  /** Adds `clause` with `value` unless the filter is absent (`value` undefined). */
  addIf(clause: string, value: unknown): this {
    return value === undefined ? this : this.add(clause, value);
  }

  /** The placeholder of one more parameter. */
  param(value: unknown): string {
    return `$${this.params.push(value)}`;
  }

  /** `WHERE a AND b`, or nothing without clauses. */
  sql(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(" AND ")}` : "";
  }
}

/** The column expression each sort key orders by; nulls order as 0, like the cursor's value. */
export const PG_SORT_COLUMNS: Readonly<Record<RunSortKey, string>> = {
  created: "created_at",
  updated: "updated_at",
  start: "COALESCE(start_time, 0)",
  end: "COALESCE(end_time, 0)",
  name: "run_name",
  expected: "COALESCE(expected_start_time, 0)",
  state: "state",
  duration: "total_run_time_ms",
};

// Flow and task runs in one listing; `run_kind` tells them apart.
const ALL_RUNS_SQL = `(SELECT *, 'flow' AS run_kind FROM flow_runs
  UNION ALL SELECT *, 'task' AS run_kind FROM task_runs) AS runs`;

/** The table and WHERE clauses of a run query's filters (cursor and paging aside). */
export function pgRunFilter(query: RunQuery): { table: string; where: PgWhere } {
  const table = query.kind === undefined
    ? ALL_RUNS_SQL
    : query.kind === "flow"
    ? "flow_runs"
    : "task_runs";
  const where = new PgWhere();
  const states = [...new Set(query.states ?? [])];
  if (states.length) where.add("state = ANY(?::text[])", states);
  if (query.rootsOnly === true) where.add("parent_id IS NULL");
  where
    .addIf("flow_name = ?", query.flowName)
    .addIf("name = ?", query.name)
    .addIf("parent_id = ?", query.parentId)
    .addIf("root_id = ?", query.rootId)
    .addIf("lineage_id = ?", query.lineageId)
    .addIf("deployment_id = ?", query.deploymentId)
    .addIf("created_at >= ?", query.createdAfter)
    .addIf("created_at < ?", query.createdBefore)
    .addIf(
      "COALESCE(expected_start_time, 0) < ? AND expected_start_time IS NOT NULL",
      query.expectedStartBefore,
    );
  if (query.deploymentIds !== undefined) {
    where.add("deployment_id = ANY(?::text[])", [...new Set(query.deploymentIds)]);
  }
  where
    .addIf(
      "COALESCE(expected_start_time, 0) >= ? AND expected_start_time IS NOT NULL",
      query.expectedStartFrom,
    )
    .addIf(
      "NOT (state = 'SCHEDULED' AND COALESCE(expected_start_time, 0) >= ?)",
      query.hideUpcomingFrom,
    );
  const tags = [...new Set(query.tags ?? [])];
  if (tags.length > 0) where.add("tags::jsonb @> ?::jsonb", tags);
  if (query.text) {
    const like = `%${escapeLike(query.text)}%`;
    where.add(
      "(run_name ILIKE ? ESCAPE '\\' OR name ILIKE ? ESCAPE '\\' OR id ILIKE ? ESCAPE '\\')",
      like,
      like,
      like,
    );
  }
  return { table, where };
}
