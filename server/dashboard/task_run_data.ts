/**
 * The task run page's data: the task run, its flow run, its state history,
 * its attempts with the error each ended with, its log lines, inputs,
 * upstream task runs, result and cache key.
 *
 * @module
 */
import type { Engine, EngineEvent, RunRecord } from "../../engine/mod.ts";
import type { TaskAttempt, TaskRunPageProps } from "../../ui/mod.ts";
import { resultViewOf } from "./result_views.ts";

/** Log lines shown on a task run's page. */
const TASK_LOGS = 500;

/** Everything the task run page shows except the page context. */
export function taskRunPageData(
  engine: Engine,
  task: RunRecord,
): Omit<TaskRunPageProps, "ctx"> {
  const events = engine.events({ runId: task.id });
  const flowRunId = task.parentId ?? task.rootId;
  const upstream = task.upstream.map((edge) => ({
    kind: edge.kind,
    run: engine.getRun(edge.runId) ?? null,
    runId: edge.runId,
  }));
  return {
    task,
    flowRun: engine.getRun(flowRunId) ?? null,
    events,
    attempts: attemptsOf(events),
    logs: engine.logs({ flowRunId, taskRunId: task.id, limit: TASK_LOGS }),
    upstream,
    result: resultViewOf(engine, task),
    cacheKey: cacheKeyOf(events),
  };
}

/**
 * Each stay in RUNNING is an attempt; it ends with the next transition out
 * of RUNNING, whose message (or error) says why.
 */
export function attemptsOf(events: readonly EngineEvent[]): TaskAttempt[] {
  const attempts: TaskAttempt[] = [];
  for (const event of events) {
    if (event.to === "RUNNING" && event.from !== "RUNNING") {
      attempts.push({
        start: event.at,
        end: null,
        state: "RUNNING",
        stateName: "Running",
        error: null,
      });
      continue;
    }
    const open = attempts.at(-1);
    if (event.from !== "RUNNING" || !open || open.end !== null) continue;
    open.end = event.at;
    open.state = event.to;
    open.stateName = event.stateName;
    open.error = errorText(event);
  }
  return attempts;
}

function errorText(event: EngineEvent): string | null {
  const error = event.data?.["error"];
  if (error && typeof error === "object" && !Array.isArray(error)) {
    const stack = error["stack"];
    if (typeof stack === "string" && stack !== "") return stack;
  }
  const message = event.data?.["message"];
  return typeof message === "string" ? message : null;
}

function cacheKeyOf(events: readonly EngineEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const key = events[i]!.data?.["cacheKey"];
    if (typeof key === "string") return key;
  }
  return null;
}
