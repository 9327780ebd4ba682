/**
 * Flows: one flow with counts and recent runs. A former name (the catalog's
 * `formerly`) resolves to the renamed flow, whose runs under every name it
 * had are counted, as a deployment's former name finds the deployment.
 *
 * @module
 */
import { z } from "zod";
import { NotFoundError, type StateType } from "../../engine/mod.ts";
import { toApiRun } from "../../wire/mod.ts";
import { findFlow, flowNames, flowRunCounts, recentFlowRuns } from "../../engine/catalog/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { LimitParam, StateCountsSchema } from "../../wire/schemas.ts";
import { ApiRunSchema } from "../../wire/run_schemas.ts";

const FlowDetail = z.object({
  id: z.string().nullable().meta({ description: "Catalog id; null until a catalog operation" }),
  name: z.string().meta({ description: "The current name, also when asked by a former name" }),
  formerly: z.array(z.string()),
  archived: z.boolean(),
  retention_days: z.number().int().nullable(),
  runs: z.number().int(),
  run_counts: StateCountsSchema,
  tasks: z.array(z.object({ name: z.string(), runs: z.number().int(), counts: StateCountsSchema }))
    .meta({ description: "Tasks run by the 10 newest flow runs, with their task run counts" }),
  recent_runs: z.array(ApiRunSchema),
}).meta({ id: "FlowDetail" });

/** Recent runs whose task runs name the tasks of a flow. */
const TASK_SAMPLE_RUNS = 10;

/** Registers `GET /flows/:name` (the list is the catalog's, in flow_catalog.ts). */
export function flowRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  router.add({
    method: "get",
    path: "/flows/:name",
    tag: "Flows",
    summary: "A flow: run counts by state, its tasks and recent runs",
    params: { name: "Flow name or former name" },
    query: z.strictObject({ limit: LimitParam.optional() }),
    response: FlowDetail,
  }, (c, { params, query }) => {
    const flow = findFlow(engine.reader, params.name!);
    const name = flow?.name ?? params.name!;
    const names = flow ? flowNames(flow) : [name];
    const recent = recentFlowRuns(engine.reader, names, query.limit ?? 20);
    if (recent.length === 0) {
      throw new NotFoundError(`Flow "${params.name}" has no runs`, { code: "flow_not_found" });
    }
    const counts = flowRunCounts(engine.reader, names);
    const tasks = new Map<string, Partial<Record<StateType, number>>>();
    for (const run of recent.slice(0, TASK_SAMPLE_RUNS)) {
      for (const task of engine.listRuns({ kind: "task", parentId: run.id, limit: 1000 }).items) {
        const entry = tasks.get(task.name) ?? {};
        entry[task.state] = (entry[task.state] ?? 0) + 1;
        tasks.set(task.name, entry);
      }
    }
    return c.json({
      id: flow?.id ?? null,
      name,
      formerly: flow?.formerly ?? [],
      archived: flow?.archived ?? false,
      retention_days: flow?.retentionDays ?? null,
      runs: Object.values(counts).reduce((sum, n) => sum + n, 0),
      run_counts: counts,
      tasks: [...tasks].map(([task, byState]) => ({
        name: task,
        runs: Object.values(byState).reduce((sum, n) => sum + n, 0),
        counts: byState,
      })).sort((a, b) => a.name.localeCompare(b.name)),
      recent_runs: recent.map(toApiRun),
    });
  });
}
