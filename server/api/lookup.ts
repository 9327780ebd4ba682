/**
 * Finding the run a route names, or answering 404.
 *
 * @module
 */
import {
  type Engine,
  NotFoundError,
  type RunKind,
  type RunQuery,
  type RunRecord,
} from "../../engine/mod.ts";

const KIND_LABEL: Record<RunKind, string> = { flow: "Flow run", task: "Task run" };

/** The run `id` of `kind`; throws a 404 `NotFoundError` when there is none. */
export function runOfKind(engine: Engine, id: string, kind: RunKind): RunRecord {
  const run = engine.getRun(id);
  if (!run || run.kind !== kind) {
    throw new NotFoundError(`${KIND_LABEL[kind]} "${id}" does not exist`, {
      code: `${kind}_run_not_found`,
    });
  }
  return run;
}

/** Every run matching `query`, up to `max`; `truncated` tells whether more exist. */
export function collectRuns(
  engine: Engine,
  query: Omit<RunQuery, "cursor" | "limit">,
  max: number,
): { runs: RunRecord[]; truncated: boolean } {
  const runs: RunRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = engine.listRuns({
      ...query,
      limit: Math.min(1000, max - runs.length + 1),
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && runs.length <= max);
  return { runs: runs.slice(0, max), truncated: runs.length > max };
}
