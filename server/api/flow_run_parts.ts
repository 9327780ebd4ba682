/**
 * What belongs to one flow run: its task runs, logs and events.
 *
 * @module
 */
import { z } from "zod";
import { toApiEvent, toApiRun } from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import { FlowRunLogQuery, LogPage, logPage } from "./logs.ts";
import { collectRuns, runOfKind } from "./lookup.ts";
import type { ApiRouter } from "./router.ts";
import {
  CursorParam,
  LimitParam,
  listParam,
  OrderParam,
  pageOf,
  SeqParam,
  SortParam,
  StateSchema,
} from "../../wire/schemas.ts";
import { ApiEventSchema, ApiRunSchema } from "../../wire/run_schemas.ts";

const TaskRunListQuery = z.strictObject({
  state: listParam(StateSchema, "Only task runs in these states").optional(),
  name: z.string().min(1).optional().meta({ description: "Task name, exact" }),
  q: z.string().optional().meta({ description: "Substring of the run name, task name or id" }),
  sort: SortParam.optional(),
  order: OrderParam.optional().meta({ description: "Default asc (execution order)" }),
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
});

const EventListQuery = z.strictObject({
  after_seq: SeqParam.optional().meta({ description: "Only events with a greater seq" }),
  cursor: z.string().regex(/^\d+$/, { error: "must be an event seq" }).transform(Number)
    .optional().meta({ description: "`next_cursor` of the previous page" }),
  limit: LimitParam.optional(),
  include_task_runs: z.enum(["true", "false"]).transform((v) => v === "true").optional().meta({
    description: "Also the transitions of the run's task runs, in seq order (default false)",
  }),
}).refine((q) => q.after_seq === undefined || q.cursor === undefined, {
  error: "give after_seq or cursor, not both",
  path: ["cursor"],
});

const ID = { id: "Flow run id" };

/** Registers the routes under `/flow-runs/:id/`. */
export function flowRunPartRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  router.add({
    method: "get",
    path: "/flow-runs/:id/task-runs",
    tag: "Flow runs",
    summary: "List a flow run's task runs",
    params: ID,
    query: TaskRunListQuery,
    response: pageOf(ApiRunSchema),
  }, (c, { query, params }) => {
    const run = runOfKind(engine, params.id!, "flow");
    const page = engine.listRuns({
      kind: "task",
      parentId: run.id,
      order: query.order ?? "asc",
      ...(query.state ? { states: query.state } : {}),
      ...(query.name !== undefined ? { name: query.name } : {}),
      ...(query.q ? { text: query.q } : {}),
      ...(query.sort ? { sort: query.sort } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return c.json({ items: page.items.map(toApiRun), next_cursor: page.nextCursor });
  });

  router.add({
    method: "get",
    path: "/flow-runs/:id/logs",
    tag: "Flow runs",
    summary: "List a flow run's log lines, oldest first",
    params: ID,
    query: FlowRunLogQuery,
    response: LogPage,
  }, (c, { query, params }) => {
    const run = runOfKind(engine, params.id!, "flow");
    return c.json(logPage(engine, { flowRunId: run.id }, query));
  });

  router.add({
    method: "get",
    path: "/flow-runs/:id/events",
    tag: "Flow runs",
    summary: "List a flow run's state transitions, oldest first",
    params: ID,
    query: EventListQuery,
    response: pageOf(ApiEventSchema),
  }, (c, { query, params }) => {
    const run = runOfKind(engine, params.id!, "flow");
    const limit = query.limit ?? 200;
    const afterSeq = query.cursor ?? query.after_seq ?? 0;
    const runIds = query.include_task_runs
      ? [
        run.id,
        ...collectRuns(engine, { kind: "task", parentId: run.id }, 10_000).runs.map((t) => t.id),
      ]
      : [run.id];
    // Each run's next events, merged by seq: the page is the lowest `limit + 1`.
    const events = runIds
      .flatMap((runId) => engine.events({ runId, afterSeq, limit: limit + 1 }))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit + 1);
    const items = events.slice(0, limit);
    const last = items.at(-1);
    return c.json({
      items: items.map(toApiEvent),
      next_cursor: events.length > limit && last ? String(last.seq) : null,
    });
  });
}
