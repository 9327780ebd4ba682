/**
 * Flow run listing and detail.
 *
 * @module
 */
import { z } from "zod";
import { type EngineEvent } from "../../engine/mod.ts";
import { toApiRun } from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import { collectRuns, runOfKind } from "./lookup.ts";
import type { ApiRouter } from "./router.ts";
import {
  CursorParam,
  IsoTimeParam,
  LimitParam,
  listParam,
  OrderParam,
  pageOf,
  SortParam,
  StateCountsSchema,
  StateSchema,
} from "../../wire/schemas.ts";
import { ApiRunSchema, JsonSchema } from "../../wire/run_schemas.ts";

/** Query of `GET /api/flow-runs`. */
export const FlowRunListQuery = z.strictObject({
  state: listParam(StateSchema, "Only runs in these states").optional(),
  flow_name: z.string().min(1).optional(),
  deployment_id: z.string().min(1).optional(),
  q: z.string().optional().meta({ description: "Substring of the run name, flow name or id" }),
  tags: listParam(z.string(), "Only runs carrying all of these tags").optional(),
  created_after: IsoTimeParam.optional().meta({ description: "Created at or after" }),
  created_before: IsoTimeParam.optional().meta({ description: "Created before" }),
  sort: SortParam.optional(),
  order: OrderParam.optional(),
  limit: LimitParam.optional(),
  cursor: CursorParam.optional(),
});

const HistoryItem = z.object({
  seq: z.number().int(),
  from: StateSchema.nullable(),
  to: StateSchema,
  state_name: z.string(),
  kind: z.string(),
  at: z.string(),
  message: z.string().nullable(),
  duration_ms: z.number().nullable(),
});

const FlowRunDetail = z.object({
  run: ApiRunSchema,
  parameters: JsonSchema,
  lineage: z.array(ApiRunSchema),
  parent: ApiRunSchema.nullable(),
  children: z.array(ApiRunSchema),
  children_truncated: z.boolean(),
  task_run_counts: StateCountsSchema,
  task_runs_total: z.number().int(),
  history: z.array(HistoryItem),
}).meta({ id: "FlowRunDetail" });

const MAX_CHILDREN = 200;

/** Registers `GET /flow-runs` and `GET /flow-runs/:id`. */
export function flowRunRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  router.add({
    method: "get",
    path: "/flow-runs",
    tag: "Flow runs",
    summary: "List flow runs",
    query: FlowRunListQuery,
    response: pageOf(ApiRunSchema),
  }, (c, { query }) => {
    const page = engine.listRuns({
      kind: "flow",
      ...(query.state ? { states: query.state } : {}),
      ...(query.flow_name !== undefined ? { flowName: query.flow_name } : {}),
      ...(query.deployment_id !== undefined ? { deploymentId: query.deployment_id } : {}),
      ...(query.q ? { text: query.q } : {}),
      ...(query.tags?.length ? { tags: query.tags } : {}),
      ...(query.created_after !== undefined ? { createdAfter: query.created_after } : {}),
      ...(query.created_before !== undefined ? { createdBefore: query.created_before } : {}),
      ...(query.sort ? { sort: query.sort } : {}),
      ...(query.order ? { order: query.order } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return c.json({ items: page.items.map(toApiRun), next_cursor: page.nextCursor });
  });

  router.add({
    method: "get",
    path: "/flow-runs/:id",
    tag: "Flow runs",
    summary: "A flow run with its lineage, parent, subflows, task counts and state history",
    params: { id: "Flow run id" },
    response: FlowRunDetail,
  }, (c, { params }) => {
    const run = runOfKind(engine, params.id!, "flow");
    const lineage = engine.listRuns({
      kind: "flow",
      lineageId: run.lineageId,
      sort: "created",
      order: "asc",
      limit: 1000,
    }).items.filter((other) => other.id !== run.id);
    const parent = run.parentId ? engine.getRun(run.parentId) : undefined;
    const children = collectRuns(
      engine,
      { kind: "flow", parentId: run.id, sort: "created", order: "asc" },
      MAX_CHILDREN,
    );
    const counts = engine.reader.countRuns({ kind: "task", parentId: run.id });
    return c.json({
      run: toApiRun(run),
      parameters: run.parameters,
      lineage: lineage.map(toApiRun),
      parent: parent ? toApiRun(parent) : null,
      children: children.runs.map(toApiRun),
      children_truncated: children.truncated,
      task_run_counts: counts,
      task_runs_total: Object.values(counts).reduce((sum, n) => sum + n, 0),
      history: history(engine.events({ runId: run.id })),
    });
  });
}

function history(events: EngineEvent[]): z.infer<typeof HistoryItem>[] {
  return events.map((event, i) => {
    const next = events[i + 1];
    const message = event.data?.["message"];
    return {
      seq: event.seq,
      from: event.from,
      to: event.to,
      state_name: event.stateName,
      kind: event.kind,
      at: new Date(event.at).toISOString(),
      message: typeof message === "string" ? message : null,
      duration_ms: next ? next.at - event.at : null,
    };
  });
}
