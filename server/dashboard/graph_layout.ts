/**
 * Builds and lays out the run graph on the server with dagre (a layered,
 * Sugiyama-style layout), so the page ships finished SVG coordinates.
 *
 * @module
 */
import dagre from "@dagrejs/dagre";
import {
  type Engine,
  isTerminal,
  MAX_PAGE_SIZE,
  type Page,
  type RunRecord,
  type StateType,
  type TaskGraph,
} from "../../engine/mod.ts";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import {
  formatCount,
  type GraphLayout,
  type GraphNode,
  type GraphPlanInfo,
  runHref,
  type StateCounts,
} from "../../ui/mod.ts";
import {
  childPlacements,
  missingCount,
  place,
  type Placement,
  planOverlay,
  runPlan,
  stoppedCounts,
  stoppedState,
  type UsablePlan,
} from "./plan_overlay.ts";
import { denseGraph, MAX_DENSE_NODES } from "./dense_graph.ts";

/** Most nodes drawn one per task key before groups fold further, by task name. */
export const MAX_LOGICAL_NODES = 200;
/** Most task runs drawn as a box each in expanded mode; more are drawn as squares (dense_graph.ts). */
export const MAX_EXPANDED_NODES = 300;

const NODE_W = 180;
const NODE_H = 50;

interface PlainNode {
  id: string;
  kind: GraphNode["kind"];
  label: string;
  detail: string;
  counts: Partial<Record<StateType, number>>;
  href: string | null;
  runId: string | null;
  plan?: "planned" | "unreachable";
  title?: string;
}

interface PlainEdge {
  from: string;
  to: string;
  kind: "data" | "waitFor";
  count: number;
  planned?: true;
}

/**
 * The graph of a flow run: task groups (logical) or task runs (expanded,
 * when there are few enough), plus its subflow runs as nodes linking to
 * their own pages. When the run recorded the flow's static plan (and the
 * flow's latest plan is still that one), planned nodes with no run yet join
 * the graph, as `planned` or, downstream of a failure, `unreachable`.
 */
export function runGraph(
  engine: Engine,
  run: RunRecord,
  subflows: readonly RunRecord[],
  options: { expanded: boolean },
): { graph: GraphLayout; taskCounts: StateCounts } {
  let notice: string | null = null;
  let mode: GraphLayout["mode"] = "logical";
  let nodes: PlainNode[];
  let edges: PlainEdge[];
  const taskCounts: StateCounts = {};
  const keyOfTask = new Map<string, string>();
  const recorded = runPlan(engine, run);
  const plan = recorded.status === "used" ? recorded.plan : null;
  // Planned node id -> the graph nodes that ran for it.
  const placed = plan
    ? childPlacements(plan, subflows, (name) => new DeploymentService(engine).find(name)?.id)
    : new Map<string, Placement>();
  const childKeys = new Set(placed.keys());
  const tasks = options.expanded ? taskRunsUpTo(engine, run.id, MAX_DENSE_NODES + 1) : [];
  if (options.expanded && tasks.length > MAX_EXPANDED_NODES && tasks.length <= MAX_DENSE_NODES) {
    for (const task of tasks) taskCounts[task.state] = (taskCounts[task.state] ?? 0) + 1;
    const notice = `${formatCount(tasks.length)} task runs: one square each, a block per task ` +
      "call; completed squares are plain, the others link to their task run." +
      (plan ? " The flow's planned nodes are not drawn at this size." : "");
    return {
      graph: { ...denseGraph(run.id, tasks, subflows), mode: "expanded", notice },
      taskCounts,
    };
  }
  const expandable = options.expanded && tasks.length <= MAX_EXPANDED_NODES &&
    tasks.length + plannedMissing(plan, tasks.map((task) => task.taskKey ?? task.id), childKeys) <=
      MAX_EXPANDED_NODES;
  if (expandable) {
    mode = "expanded";
    ({ nodes, edges } = expandedGraph(run.id, tasks));
    for (const task of tasks) {
      keyOfTask.set(task.id, task.id);
      taskCounts[task.state] = (taskCounts[task.state] ?? 0) + 1;
      if (plan) place(placed, task.taskKey ?? task.id, task.id, stoppedState(task.state));
    }
  } else {
    if (options.expanded) {
      notice = tasks.length > MAX_DENSE_NODES
        ? `More than ${
          formatCount(MAX_DENSE_NODES)
        } task runs are too many to draw one by one; mapped tasks stay folded.`
        : `More than ${MAX_EXPANDED_NODES} task runs and planned nodes are too many to draw one by one; mapped tasks stay folded.`;
    }
    const calls = engine.reader.taskGraph(run.id);
    let graph = calls;
    // The header's counts come from the same grouped scan.
    for (const node of graph.nodes) {
      for (const [state, n] of Object.entries(node.states) as [StateType, number][]) {
        taskCounts[state] = (taskCounts[state] ?? 0) + n;
      }
    }
    const missing = plannedMissing(plan, graph.nodes.map((node) => node.key), childKeys);
    if (graph.nodes.length + missing > MAX_LOGICAL_NODES) {
      graph = foldByName(graph);
      mode = "by-name";
      const folded = calls.nodes.length > MAX_LOGICAL_NODES
        ? `More than ${MAX_LOGICAL_NODES} task calls: grouped by task name.`
        : `More than ${MAX_LOGICAL_NODES} task calls and planned nodes: grouped by task name.`;
      notice = notice === null ? folded : `${notice} ${folded}`;
    }
    ({ nodes, edges } = logicalGraph(run.id, graph));
    for (const node of graph.nodes) keyOfTask.set(node.firstRunId, node.key);
    if (plan) {
      for (const node of calls.nodes) {
        place(
          placed,
          node.key,
          mode === "by-name" ? node.name : node.key,
          stoppedCounts(node.states),
        );
      }
    }
  }
  for (const sub of subflows) {
    nodes.push({
      id: `subflow:${sub.id}`,
      kind: "subflow",
      label: sub.runName,
      detail: `subflow · ${sub.stateName}`,
      counts: { [sub.state]: 1 },
      href: runHref(sub.id),
      runId: sub.id,
    });
    // A subflow called inside a task hangs off that task's node.
    const caller = sub.parentTaskRunId === null
      ? undefined
      : keyOfTask.get(sub.parentTaskRunId) ?? taskKeyOf(engine, sub.parentTaskRunId);
    if (caller !== undefined && nodes.some((n) => n.id === caller)) {
      edges.push({ from: caller, to: `subflow:${sub.id}`, kind: "waitFor", count: 1 });
    }
  }
  let planInfo: GraphPlanInfo | undefined;
  if (plan) {
    const overlay = planOverlay(plan, placed, {
      byName: mode === "by-name",
      ended: isTerminal(run.state),
      taken: new Set(nodes.map((node) => node.id)),
    });
    nodes.push(...overlay.nodes);
    edges.push(...overlay.edges);
    planInfo = overlay.info;
  } else if (recorded.status === "stale") {
    planInfo = { status: "stale", planned: 0, unreachable: 0, dynamic: false };
  }
  return {
    graph: { ...layout(nodes, edges), mode, notice, ...(planInfo ? { plan: planInfo } : {}) },
    taskCounts,
  };
}

/** The first `max` task runs of a flow run, in creation order (pages of the store's largest). */
function taskRunsUpTo(engine: Engine, flowRunId: string, max: number): RunRecord[] {
  const runs: RunRecord[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<RunRecord> = engine.listRuns({
      kind: "task",
      parentId: flowRunId,
      sort: "created",
      order: "asc",
      limit: Math.min(MAX_PAGE_SIZE, max - runs.length),
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && runs.length < max);
  return runs;
}

/** Planned nodes with no run among `keys` and `childKeys`; 0 without a plan. */
function plannedMissing(
  plan: UsablePlan | null,
  keys: readonly string[],
  childKeys: ReadonlySet<string>,
): number {
  if (!plan) return 0;
  const ran = new Set(keys);
  return missingCount(plan, (key) => ran.has(key) || childKeys.has(key));
}

function taskKeyOf(engine: Engine, taskRunId: string): string | undefined {
  const task = engine.getRun(taskRunId);
  return task ? task.taskKey ?? task.id : undefined;
}

function logicalGraph(flowRunId: string, graph: TaskGraph) {
  const nodes: PlainNode[] = graph.nodes.map((node) => ({
    id: node.key,
    kind: node.runs > 1 ? "map" : "task",
    label: node.name,
    detail: node.runs > 1 ? `×${formatCount(node.runs)} runs` : node.key,
    counts: node.states,
    href: runHref(flowRunId, "tasks", { name: node.name }),
    runId: node.runs === 1 ? node.firstRunId : null,
  }));
  return { nodes, edges: graph.edges.map((edge) => ({ ...edge })) };
}

function expandedGraph(flowRunId: string, tasks: readonly RunRecord[]) {
  const ids = new Set(tasks.map((task) => task.id));
  const nodes: PlainNode[] = tasks.map((task) => ({
    id: task.id,
    kind: "task",
    label: task.runName,
    detail: task.stateName,
    counts: { [task.state]: 1 },
    href: runHref(flowRunId, "events", { task: task.id }),
    runId: task.id,
  }));
  const edges: PlainEdge[] = [];
  for (const task of tasks) {
    for (const up of task.upstream) {
      if (ids.has(up.runId)) edges.push({ from: up.runId, to: task.id, kind: up.kind, count: 1 });
    }
  }
  return { nodes, edges };
}

/** Folds groups of the same task name together (for flows with very many call sites). */
function foldByName(graph: TaskGraph): TaskGraph {
  const byName = new Map<string, TaskGraph["nodes"][number]>();
  const nameOf = new Map<string, string>();
  for (const node of graph.nodes) {
    nameOf.set(node.key, node.name);
    const group = byName.get(node.name);
    if (!group) {
      byName.set(node.name, { ...node, key: node.name, states: { ...node.states } });
      continue;
    }
    group.runs += node.runs;
    for (const [state, n] of Object.entries(node.states) as [StateType, number][]) {
      group.states[state] = (group.states[state] ?? 0) + n;
    }
  }
  const edges = new Map<string, TaskGraph["edges"][number]>();
  for (const edge of graph.edges) {
    const from = nameOf.get(edge.from)!;
    const to = nameOf.get(edge.to)!;
    if (from === to) continue;
    const id = `${from}\u0000${to}\u0000${edge.kind}`;
    const known = edges.get(id);
    if (known) known.count += edge.count;
    else edges.set(id, { from, to, kind: edge.kind, count: edge.count });
  }
  return { nodes: [...byName.values()], edges: [...edges.values()] };
}

function layout(
  nodes: readonly PlainNode[],
  edges: readonly PlainEdge[],
): Omit<GraphLayout, "mode" | "notice"> {
  if (nodes.length === 0) return { width: 0, height: 0, nodes: [], edges: [] };
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 56, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { width: NODE_W, height: NODE_H });
  for (const edge of edges) g.setEdge(edge.from, edge.to, {}, `${edge.kind}`);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: nodes.map((node) => {
      const placed = g.node(node.id);
      return { ...node, x: placed.x, y: placed.y, width: NODE_W, height: NODE_H };
    }),
    edges: edges.map((edge) => ({
      ...edge,
      points: (g.edge({ v: edge.from, w: edge.to, name: edge.kind })?.points ?? []).map((
        p: { x: number; y: number },
      ) => ({
        x: p.x,
        y: p.y,
      })),
    })),
  };
}
