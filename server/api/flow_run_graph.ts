/**
 * A flow run's DAG and artifacts.
 *
 * @module
 */
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import { artifactItems, ArtifactList } from "./artifacts.ts";
import { buildDag, DagEdgeSchema, DagNodeSchema } from "./dag.ts";
import { collectRuns, runOfKind } from "./lookup.ts";
import type { ApiRouter } from "./router.ts";

const DagQuery = z.strictObject({
  mode: z.enum(["logical", "expanded"]).optional()
    .meta({
      description:
        "logical (default) folds each map() into one node; expanded lists every task run",
    }),
});

const Dag = z.object({
  mode: z.enum(["logical", "expanded"]),
  nodes: z.array(DagNodeSchema),
  edges: z.array(DagEdgeSchema),
  truncated: z.boolean(),
}).meta({ id: "Dag" });

/** Task runs a DAG is drawn from at most. */
const MAX_DAG_TASK_RUNS = 10_000;
const ID = { id: "Flow run id" };

/** Registers `/flow-runs/:id/dag` and `/flow-runs/:id/artifacts`. */
export function flowRunGraphRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  router.add({
    method: "get",
    path: "/flow-runs/:id/dag",
    tag: "Flow runs",
    summary: "The DAG of a flow run: task runs and subflow runs with their dependencies",
    params: ID,
    query: DagQuery,
    response: Dag,
  }, (c, { query, params }) => {
    const run = runOfKind(engine, params.id!, "flow");
    const mode = query.mode ?? "logical";
    const order = { sort: "created", order: "asc" } as const;
    const tasks = collectRuns(
      engine,
      { kind: "task", parentId: run.id, ...order },
      MAX_DAG_TASK_RUNS,
    );
    const subflows = collectRuns(engine, { kind: "flow", parentId: run.id, ...order }, 1000);
    const dag = buildDag(tasks.runs, subflows.runs, mode);
    return c.json({ mode, ...dag, truncated: tasks.truncated || subflows.truncated });
  });

  router.add({
    method: "get",
    path: "/flow-runs/:id/artifacts",
    tag: "Flow runs",
    summary: "A flow run's artifacts, oldest first",
    params: ID,
    query: z.strictObject({
      task_run_id: z.string().min(1).optional().meta({ description: "Only this task run's" }),
    }),
    response: ArtifactList,
  }, (c, { params, query }) => {
    const run = runOfKind(engine, params.id!, "flow");
    return c.json(artifactItems(deps, run.id, query.task_run_id));
  });
}
