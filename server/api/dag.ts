/**
 * The DAG of a flow run: its task runs and subflow runs as nodes, upstream
 * dependencies as edges. The logical view folds the children of one `map()`
 * call (same task key) into one node with counts by state.
 *
 * @module
 */
import { z } from "zod";
import { DEFAULT_STATE_NAME, type RunRecord, type StateType } from "../../engine/mod.ts";
import { toApiRun } from "../../wire/mod.ts";
import { StateCountsSchema, StateSchema } from "../../wire/schemas.ts";

/** One node of the DAG. */
export const DagNodeSchema = z.object({
  id: z.string(),
  kind: z.enum(["task", "map", "subflow"]),
  name: z.string(),
  task_key: z.string().nullable(),
  run_id: z.string().nullable(),
  parent_task_run_id: z.string().nullable(),
  state: StateSchema,
  state_name: z.string(),
  map_count: z.number().int().nullable(),
  counts: StateCountsSchema.nullable(),
  start_time: z.string().nullable(),
  end_time: z.string().nullable(),
}).meta({ id: "DagNode" });

/** One dependency: `from` must finish (or feed data) before `to`. */
export const DagEdgeSchema = z.object({
  from: z.string(),
  to: z.string(),
  kind: z.enum(["data", "waitFor"]),
}).meta({ id: "DagEdge" });

export type DagNode = z.infer<typeof DagNodeSchema>;
export type DagEdge = z.infer<typeof DagEdgeSchema>;

// The state shown for a folded map: in progress first, then failures, then done.
const STATE_PRIORITY: readonly StateType[] = [
  "RUNNING",
  "CANCELLING",
  "PAUSED",
  "PENDING",
  "SCHEDULED",
  "CRASHED",
  "FAILED",
  "CANCELLED",
  "COMPLETED",
];

/** Builds the nodes and edges of a flow run from its task runs and subflow runs. */
export function buildDag(
  taskRuns: readonly RunRecord[],
  subflows: readonly RunRecord[],
  mode: "logical" | "expanded",
): { nodes: DagNode[]; edges: DagEdge[] } {
  const nodes: DagNode[] = [];
  const nodeOf = new Map<string, string>();
  const groups = new Map<string, RunRecord[]>();
  for (const run of taskRuns) {
    if (mode === "logical" && run.mapIndex !== null && run.taskKey !== null) {
      const group = groups.get(run.taskKey);
      if (group) group.push(run);
      else {
        groups.set(run.taskKey, [run]);
        nodes.push(placeholder(`map:${run.taskKey}`));
      }
      nodeOf.set(run.id, `map:${run.taskKey}`);
      continue;
    }
    nodes.push(runNode(run, "task"));
    nodeOf.set(run.id, run.id);
  }
  for (const [i, node] of nodes.entries()) {
    if (node.kind !== "map") continue;
    nodes[i] = mapNode(node.id, groups.get(node.id.slice(4))!);
  }
  for (const run of subflows) nodes.push(runNode(run, "subflow"));

  const edges: DagEdge[] = [];
  const seen = new Set<string>();
  for (const run of taskRuns) {
    const to = nodeOf.get(run.id)!;
    for (const edge of run.upstream) {
      const from = nodeOf.get(edge.runId);
      const key = `${from}\u0000${to}\u0000${edge.kind}`;
      if (from === undefined || from === to || seen.has(key)) continue;
      seen.add(key);
      edges.push({ from, to, kind: edge.kind });
    }
  }
  return { nodes, edges };
}

function placeholder(id: string): DagNode {
  return { id, kind: "map" } as DagNode;
}

function runNode(run: RunRecord, kind: "task" | "subflow"): DagNode {
  const api = toApiRun(run);
  return {
    id: run.id,
    kind,
    name: run.name,
    task_key: run.taskKey,
    run_id: run.id,
    parent_task_run_id: run.parentTaskRunId,
    state: run.state,
    state_name: run.stateName,
    map_count: null,
    counts: null,
    start_time: api.start_time,
    end_time: api.end_time,
  };
}

function mapNode(id: string, runs: readonly RunRecord[]): DagNode {
  const counts: Partial<Record<StateType, number>> = {};
  for (const run of runs) counts[run.state] = (counts[run.state] ?? 0) + 1;
  const state = STATE_PRIORITY.find((s) => counts[s] !== undefined)!;
  let start = Infinity;
  let end = -Infinity;
  let allEnded = true;
  for (const run of runs) {
    if (run.startTime !== null) start = Math.min(start, run.startTime);
    if (run.endTime === null) allEnded = false;
    else end = Math.max(end, run.endTime);
  }
  return {
    id,
    kind: "map",
    name: runs[0]!.name,
    task_key: runs[0]!.taskKey,
    run_id: null,
    parent_task_run_id: runs[0]!.parentTaskRunId,
    state,
    state_name: DEFAULT_STATE_NAME[state],
    map_count: runs.length,
    counts,
    start_time: start === Infinity ? null : new Date(start).toISOString(),
    end_time: allEnded ? new Date(end).toISOString() : null,
  };
}
