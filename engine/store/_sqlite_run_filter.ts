/**
 * A run query's filters and sort as SQL: the WHERE clauses of `listRuns` and
 * `countRuns`, matching what `matchesQuery` keeps in memory.
 *
 * @module
 */
import type { SQLInputValue } from "node:sqlite";
import type { RunQuery, RunSortKey } from "../core/mod.ts";

/** The column expression each sort key orders by; nulls order as 0, like the cursor's value. */
export const SORT_COLUMNS: Readonly<Record<RunSortKey, string>> = {
  created: "created_at",
  updated: "updated_at",
  start: "IFNULL(start_time, 0)",
  end: "IFNULL(end_time, 0)",
  name: "run_name",
  expected: "IFNULL(expected_start_time, 0)",
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
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (clause: string, ...values: SQLInputValue[]) => {
    where.push(clause);
    params.push(...values);
  };
  // First, so listRuns can split it per state.
  const states = [...new Set(query.states ?? [])];
  if (states.length) add(`state IN (${states.map(() => "?").join(", ")})`, ...states);
  if (query.flowName !== undefined) add("flow_name = ?", query.flowName);
  if (query.name !== undefined) add("name = ?", query.name);
  if (query.parentId !== undefined) add("parent_id = ?", query.parentId);
  if (query.rootId !== undefined) add("root_id = ?", query.rootId);
  if (query.lineageId !== undefined) add("lineage_id = ?", query.lineageId);
  if (query.deploymentId !== undefined) add("deployment_id = ?", query.deploymentId);
  if (query.createdAfter !== undefined) add("created_at >= ?", query.createdAfter);
  if (query.createdBefore !== undefined) add("created_at < ?", query.createdBefore);
  if (query.expectedStartBefore !== undefined) {
    // The expression of the flow_runs_by_expected index: a due scan is one index range.
    add(
      "IFNULL(expected_start_time, 0) < ? AND expected_start_time IS NOT NULL",
      query.expectedStartBefore,
    );
  }
  const tags = [...new Set(query.tags ?? [])];
  if (tags.length === 1) add("EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)", tags[0]!);
  else if (tags.length > 1) {
    // One clause for any number of tags: an AND per tag overflows SQLite's expression depth.
    add(
      "(SELECT COUNT(DISTINCT value) FROM json_each(tags) WHERE value IN " +
        "(SELECT value FROM json_each(?))) = ?",
      JSON.stringify(tags),
      tags.length,
    );
  }
  if (query.text) {
    const like = `%${escapeLike(query.text)}%`;
    add(
      "(run_name LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')",
      like,
      like,
      like,
    );
  }
  return { table, where, params };
}

/** `text` with LIKE's wildcards and its escape character escaped by `\`. */
export function escapeLike(text: string): string {
  return text.replaceAll(/[\\%_]/g, (c) => `\\${c}`);
}

/** `WHERE a AND b`, or nothing without clauses. */
export function whereSql(where: readonly string[]): string {
  return where.length ? `WHERE ${where.join(" AND ")}` : "";
}
