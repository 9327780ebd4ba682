/**
 * Background task runs (`task.delay()` in the SDK): task runs of no flow,
 * SCHEDULED until a task worker claims one with a proposal SCHEDULED →
 * PENDING at the version it read.
 *
 * @module
 */
import type { Page, RunQuery, RunRecord } from "./core/mod.ts";

/** The task key that marks a task run waiting for a task worker. */
export const BACKGROUND_TASK_KEY = "background";

/** The SCHEDULED background task runs of `taskNames`, oldest first, at most `limit`. */
export function dueBackgroundTaskRuns(
  reader: { listRuns(query: RunQuery): Page<RunRecord> },
  taskNames: readonly string[],
  limit: number,
): RunRecord[] {
  const due = taskNames.flatMap((name) =>
    reader.listRuns({
      kind: "task",
      name,
      states: ["SCHEDULED"],
      rootsOnly: true,
      sort: "created",
      order: "asc",
      limit,
    }).items.filter((run) => run.taskKey === BACKGROUND_TASK_KEY)
  );
  // Ids (uuidv7, made by the caller) order runs created in the same millisecond.
  return due
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit);
}
