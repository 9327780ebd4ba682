/**
 * Task run detail, logs and artifacts.
 *
 * @module
 */
import { z } from "zod";
import { dueBackgroundTaskRuns } from "../../engine/mod.ts";
import { toApiEvent, toApiRun } from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import { artifactItems, ArtifactList } from "./artifacts.ts";
import { runOfKind } from "./lookup.ts";
import { LogPage, logPage, TaskRunLogQuery } from "./logs.ts";
import type { ApiRouter } from "./router.ts";
import { ApiEventSchema, ApiRunSchema } from "../../wire/run_schemas.ts";
import { LimitParam, listParam } from "../../wire/schemas.ts";

const TaskRunDetail = z.object({
  run: ApiRunSchema,
  flow_run: ApiRunSchema.nullable(),
  upstream: z.array(ApiRunSchema),
  events: z.array(ApiEventSchema),
}).meta({ id: "TaskRunDetail" });

const ID = { id: "Task run id" };

/** Query of `GET /api/background-task-runs`. */
const BackgroundTaskRunQuery = z.strictObject({
  task: listParam(z.string().min(1), "Names of the tasks the worker serves"),
  limit: LimitParam.optional(),
});

/** Registers the routes under `/task-runs/:id` and the background task runs' queue. */
export function taskRunRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  router.add({
    method: "get",
    path: "/background-task-runs",
    tag: "Task runs",
    summary:
      "SCHEDULED background task runs (task.delay()) of these tasks, oldest first: what a task worker claims",
    query: BackgroundTaskRunQuery,
    response: z.object({ items: z.array(ApiRunSchema) }),
  }, (c, { query }) => {
    const due = dueBackgroundTaskRuns(engine, query.task, query.limit ?? 10);
    return c.json({ items: due.map(toApiRun) });
  });

  router.add({
    method: "get",
    path: "/task-runs/:id",
    tag: "Task runs",
    summary: "A task run with its flow run, upstream task runs and state history",
    params: ID,
    response: TaskRunDetail,
  }, (c, { params }) => {
    const run = runOfKind(engine, params.id!, "task");
    const flowRun = run.parentId ? engine.getRun(run.parentId) : undefined;
    const upstream = run.upstream
      .map((edge) => engine.getRun(edge.runId))
      .filter((up) => up !== undefined);
    return c.json({
      run: toApiRun(run),
      flow_run: flowRun ? toApiRun(flowRun) : null,
      upstream: upstream.map(toApiRun),
      events: engine.events({ runId: run.id }).map(toApiEvent),
    });
  });

  router.add({
    method: "get",
    path: "/task-runs/:id/logs",
    tag: "Task runs",
    summary: "List a task run's log lines, oldest first",
    params: ID,
    query: TaskRunLogQuery,
    response: LogPage,
  }, (c, { params, query }) => {
    const run = runOfKind(engine, params.id!, "task");
    const flowRunId = run.parentId ?? run.rootId;
    return c.json(logPage(engine, { flowRunId, taskRunId: run.id }, query));
  });

  router.add({
    method: "get",
    path: "/task-runs/:id/artifacts",
    tag: "Task runs",
    summary: "A task run's artifacts, oldest first",
    params: ID,
    response: ArtifactList,
  }, (c, { params }) => {
    const run = runOfKind(engine, params.id!, "task");
    return c.json(artifactItems(deps, run.parentId ?? run.rootId, run.id));
  });
}
