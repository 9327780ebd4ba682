/**
 * Flows: the distinct flow names seen in flow runs, with counts and recent
 * runs.
 *
 * @module
 */
import { z } from "zod";
import { NotFoundError, type StateType, toApiRun } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { LimitParam, StateCountsSchema } from "./schemas.ts";
import { ApiRunSchema } from "./wire_schemas.ts";

const FlowDetail = z.object({
  name: z.string(),
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
    params: { name: "Flow name" },
    query: z.strictObject({ limit: LimitParam.optional() }),
    response: FlowDetail,
  }, (c, { params, query }) => {
    const name = params.name!;
    const recent = engine.listRuns({ kind: "flow", flowName: name, limit: query.limit ?? 20 });
    if (recent.items.length === 0) {
      throw new NotFoundError(`Flow "${name}" has no runs`, { code: "flow_not_found" });
    }
    const counts = engine.store.countRuns({ kind: "flow", flowName: name });
    const tasks = new Map<string, Partial<Record<StateType, number>>>();
    for (const run of recent.items.slice(0, TASK_SAMPLE_RUNS)) {
      for (const task of engine.listRuns({ kind: "task", parentId: run.id, limit: 1000 }).items) {
        const entry = tasks.get(task.name) ?? {};
        entry[task.state] = (entry[task.state] ?? 0) + 1;
        tasks.set(task.name, entry);
      }
    }
    return c.json({
      name,
      runs: Object.values(counts).reduce((sum, n) => sum + n, 0),
      run_counts: counts,
      tasks: [...tasks].map(([task, byState]) => ({
        name: task,
        runs: Object.values(byState).reduce((sum, n) => sum + n, 0),
        counts: byState,
      })).sort((a, b) => a.name.localeCompare(b.name)),
      recent_runs: recent.items.map(toApiRun),
    });
  });
}
