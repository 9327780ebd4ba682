/**
 * A run query's filters and sort as SQL: the WHERE clauses of `listRuns` and
 * `countRuns`, matching what `matchesQuery` keeps in memory.
 *
 * @module
 */
import type { SQLInputValue } from "node:sqlite";
import type { RunQuery, RunSortKey } from "../core/mod.ts";
import { escapeLike, SqlWhere } from "./_sqlite_where.ts";

/** The column expression each sort key orders by; nulls order as 0, like the cursor's value. */
export const SORT_COLUMNS: Readonly<Record<RunSortKey, string>> = {
  created: "created_at",
  updated: "updated_at",
  start: "IFNULL(start_time, 0)",
  end: "IFNULL(end_time, 0)",
  name: "run_name",
  expected: "IFNULL(expected_start_time, 0)",
  state: "state",
  duration: "total_run_time_ms",
};

// Flow and task runs in one listing; `run_kind` tells them apart.
const ALL_RUNS_SQL = `(SELECT *, 'flow' AS run_kind FROM flow_runs
  UNION ALL SELECT *, 'task' AS run_kind FROM task_runs)`;

/** The table and WHERE clauses of a run query's filters (cursor and paging aside). */
export interface RunFilter {
  table: string;
  /** The states clause comes first when the query names states (see `listRuns`). */
  where: string[];
  params: SQLInputValue[];
}

/** The table and WHERE clauses of a run query's filters (cursor and paging aside). */
export function runFilter(query: RunQuery): RunFilter {
  // Without a kind, both tables are listed, like the memory store does.
  const table = query.kind === undefined
    ? ALL_RUNS_SQL
    : query.kind === "flow"
    ? "flow_runs"
    : "task_runs";
  const where = new SqlWhere();
  // First, so listRuns can split it per state.
  const states = [...new Set(query.states ?? [])];
  if (states.length) where.add(`state IN (${states.map(() => "?").join(", ")})`, ...states);
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
    // The expression of the flow_runs_by_expected index: a due scan is one index range.
    .addIf(
      "IFNULL(expected_start_time, 0) < ? AND expected_start_time IS NOT NULL",
      query.expectedStartBefore,
    );
  if (query.deploymentIds !== undefined) {
    const ids = [...new Set(query.deploymentIds)];
    where.add(
      ids.length === 0 ? "0" : `deployment_id IN (${ids.map(() => "?").join(", ")})`,
      ...ids,
    );
  }
  where
    .addIf(
      "IFNULL(expected_start_time, 0) >= ? AND expected_start_time IS NOT NULL",
      query.expectedStartFrom,
    )
    .addIf(
      "NOT (state = 'SCHEDULED' AND IFNULL(expected_start_time, 0) >= ?)",
      query.hideUpcomingFrom,
    );
  const tags = [...new Set(query.tags ?? [])];
  if (tags.length === 1) {
    where.add("EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)", tags[0]!);
  } else if (tags.length > 1) {
    // One clause for any number of tags: an AND per tag overflows SQLite's expression depth.
    where.add(
      "(SELECT COUNT(DISTINCT value) FROM json_each(tags) WHERE value IN " +
        "(SELECT value FROM json_each(?))) = ?",
      JSON.stringify(tags),
      tags.length,
    );
  }
  if (query.text) {
    const like = `%${escapeLike(query.text)}%`;
    where.add(
      "(run_name LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')",
      like,
      like,
      like,
    );
  }
  return { table, where: where.clauses, params: where.params };
}
