/**
 * The run graph's plan overlay: the flow's static plan (recorded when the run
 * started) laid over what ran, so planned nodes that have not run yet show up
 * (grey, dashed), and those a failure cut off show as unreachable.
 *
 * The plan is used only when its fingerprint is the one the run recorded:
 * otherwise the flow's code changed since, and its plan says nothing about
 * this run. A completed run needs no overlay: what ran is the whole story.
 *
 * @module
 */
import { type Engine, latestPlan, type RunRecord, type StateType } from "../../engine/mod.ts";
import type { GraphNode, GraphPlanInfo } from "../../ui/mod.ts";

/** Task states that stop a node's dependents from running. */
const STOPPED: readonly StateType[] = ["FAILED", "CANCELLED", "CRASHED"];

/** A planned node, as read back from the store (checked, not trusted). */
export interface PlanNode {
  id: string;
  taskName: string;
  op: string;
  fanOut: boolean;
  dynamic: boolean;
}

/** The parts of a recorded plan the overlay uses. */
export interface UsablePlan {
  nodes: PlanNode[];
  edges: { from: string; to: string; kind: "data" | "waitFor" }[];
  dynamic: boolean;
}

/** What the run's recorded plan is worth to its graph. */
export type RunPlan =
  | { status: "none" }
  | { status: "stale" }
  | { status: "used"; plan: UsablePlan };

/** Graph nodes that ran for one planned node id (a task key, `subflow:…`, `deployment:…`). */
export interface Placement {
  ids: string[];
  /** A run of it failed, was cancelled or crashed. */
  stopped: boolean;
}

/** A node or edge the overlay adds, before layout. */
export interface OverlayNode {
  id: string;
  kind: GraphNode["kind"];
  label: string;
  detail: string;
  counts: Record<string, never>;
  href: null;
  runId: null;
  plan: "planned" | "unreachable";
  title: string;
}

/** A planned edge the overlay adds. */
export interface OverlayEdge {
  from: string;
  to: string;
  kind: "data" | "waitFor";
  count: number;
  planned: true;
}

/**
 * The plan to lay over `run`'s graph: `none` when the run is completed or
 * recorded no plan, `stale` when the flow's latest plan is not the one the
 * run recorded.
 */
export function runPlan(engine: Engine, run: RunRecord): RunPlan {
  if (run.kind !== "flow" || run.state === "COMPLETED") return { status: "none" };
  let fingerprint: string | undefined;
  // A flow run has a handful of events; the latest start says which plan it ran.
  for (const event of engine.events(run.id)) {
    const value = event.data?.["planFingerprint"];
    if (typeof value === "string") fingerprint = value;
  }
  if (fingerprint === undefined) return { status: "none" };
  const recorded = latestPlan(engine.reader, run.flowName);
  if (recorded === undefined) return { status: "none" };
  const plan = readPlan(recorded);
  if (plan === null || plan.fingerprint !== fingerprint) return { status: "stale" };
  return { status: "used", plan };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The recorded plan's nodes and edges, or null when it is not plan-shaped. */
function readPlan(value: unknown): (UsablePlan & { fingerprint: string }) | null {
  if (!isRecord(value) || typeof value["fingerprint"] !== "string") return null;
  const { nodes, edges } = value;
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return null;
  const out: UsablePlan & { fingerprint: string } = {
    nodes: [],
    edges: [],
    dynamic: value["dynamic"] === true,
    fingerprint: value["fingerprint"],
  };
  const ids = new Set<string>();
  for (const node of nodes) {
    if (!isRecord(node) || typeof node["id"] !== "string" || ids.has(node["id"])) return null;
    ids.add(node["id"]);
    out.nodes.push({
      id: node["id"],
      taskName: typeof node["taskName"] === "string" ? node["taskName"] : node["id"],
      op: typeof node["op"] === "string" ? node["op"] : "call",
      fanOut: node["fanOut"] === true,
      dynamic: node["dynamic"] === true,
    });
  }
  for (const edge of edges) {
    if (!isRecord(edge)) return null;
    const { from, to } = edge;
    if (typeof from !== "string" || typeof to !== "string") return null;
    if (!ids.has(from) || !ids.has(to) || from === to) continue;
    out.edges.push({ from, to, kind: edge["kind"] === "waitFor" ? "waitFor" : "data" });
  }
  return out;
}

/** Whether a group with these counts stops its dependents. */
export function stoppedCounts(counts: Partial<Record<StateType, number>>): boolean {
  return STOPPED.some((state) => (counts[state] ?? 0) > 0);
}

/** Whether a run in this state stops its dependents. */
export function stoppedState(state: StateType): boolean {
  return STOPPED.includes(state);
}

/**
 * Which planned subflow and deployment nodes the run's child flow runs stand
 * for: a subflow run's lineage ends in `/subflow:name#n`; the runs of one
 * deployment started by this run are its `deployment:name#0, #1…` in
 * creation order.
 */
export function childPlacements(
  plan: UsablePlan,
  subflows: readonly RunRecord[],
  deploymentIdOf: (name: string) => string | undefined,
): Map<string, Placement> {
  const placed = new Map<string, Placement>();
  const byDeployment = new Map<string, RunRecord[]>();
  for (const sub of subflows) {
    const id = `subflow:${sub.id}`;
    const tail = sub.lineageId.slice(sub.lineageId.lastIndexOf("/") + 1);
    if (tail.startsWith("subflow:")) {
      place(placed, tail, id, stoppedState(sub.state));
    } else if (sub.deploymentId !== null) {
      const runs = byDeployment.get(sub.deploymentId);
      if (runs) runs.push(sub);
      else byDeployment.set(sub.deploymentId, [sub]);
    }
  }
  if (byDeployment.size === 0) return placed;
  const idOf = new Map<string, string | undefined>();
  const seen = new Map<string, number>();
  for (const node of plan.nodes) {
    if (node.op !== "deployment") continue;
    if (!idOf.has(node.taskName)) idOf.set(node.taskName, deploymentIdOf(node.taskName));
    const deploymentId = idOf.get(node.taskName);
    if (deploymentId === undefined) continue;
    const n = seen.get(deploymentId) ?? 0;
    seen.set(deploymentId, n + 1);
    const sub = byDeployment.get(deploymentId)?.[n];
    if (sub) place(placed, node.id, `subflow:${sub.id}`, stoppedState(sub.state));
  }
  return placed;
}

/** Records that graph node `graphId` ran for the planned node `key`. */
export function place(
  placed: Map<string, Placement>,
  key: string,
  graphId: string,
  stopped: boolean,
): void {
  const known = placed.get(key);
  if (!known) {
    placed.set(key, { ids: [graphId], stopped });
    return;
  }
  if (!known.ids.includes(graphId)) known.ids.push(graphId);
  known.stopped ||= stopped;
}

/** How many planned nodes have no run among `ran` (for the node budget). */
export function missingCount(plan: UsablePlan, ran: (key: string) => boolean): number {
  let n = 0;
  for (const node of plan.nodes) if (!ran(node.id)) n += 1;
  return n;
}

/**
 * The planned nodes with no run yet and the planned edges that touch them.
 * Nodes downstream (along plan edges, through other nodes that have not run)
 * of a node that failed, was cancelled or crashed are `unreachable`. With
 * `byName`, planned nodes fold by task name like the graph they join.
 */
export function planOverlay(
  plan: UsablePlan,
  placed: ReadonlyMap<string, Placement>,
  options: { byName: boolean; ended: boolean; taken: ReadonlySet<string> },
): { nodes: OverlayNode[]; edges: OverlayEdge[]; info: GraphPlanInfo } {
  const missing = plan.nodes.filter((node) => !placed.has(node.id));
  const downstream = new Map<string, string[]>();
  for (const edge of plan.edges) {
    const next = downstream.get(edge.from);
    if (next) next.push(edge.to);
    else downstream.set(edge.from, [edge.to]);
  }
  // Walk from every stopped node through the planned nodes that have not run.
  const unreachable = new Set<string>();
  const queue: string[] = [];
  for (const [key, placement] of placed) if (placement.stopped) queue.push(key);
  while (queue.length > 0) {
    for (const to of downstream.get(queue.pop()!) ?? []) {
      if (placed.has(to) || unreachable.has(to)) continue;
      unreachable.add(to);
      queue.push(to);
    }
  }

  const used = new Set(options.taken);
  const unique = (base: string) => {
    let id = base;
    while (used.has(id)) id += "~";
    used.add(id);
    return id;
  };
  // Planned node id -> its overlay node id.
  const overlayId = new Map<string, string>();
  const nodes: OverlayNode[] = [];
  const groups = new Map<string, { node: OverlayNode; members: PlanNode[] }>();
  for (const node of missing) {
    const status = unreachable.has(node.id) ? "unreachable" : "planned";
    if (options.byName) {
      const group = `${status}\u0000${
        node.op === "subflow" || node.op === "deployment" || node.op === "gate" ? `${node.op}:` : ""
      }${node.taskName}`;
      const known = groups.get(group);
      if (known) {
        known.members.push(node);
        overlayId.set(node.id, known.node.id);
        continue;
      }
      const drawn = overlayNode(
        node,
        status,
        options.ended,
        unique(`plan:${status}:${node.taskName}`),
      );
      groups.set(group, { node: drawn, members: [node] });
      overlayId.set(node.id, drawn.id);
      nodes.push(drawn);
      continue;
    }
    const drawn = overlayNode(node, status, options.ended, unique(`plan:${node.id}`));
    overlayId.set(node.id, drawn.id);
    nodes.push(drawn);
  }
  for (const { node, members } of groups.values()) {
    if (members.length < 2) continue;
    node.detail = `${node.detail} · ×${members.length}`;
    node.title = `${members.map((m) => m.id).slice(0, 20).join(", ")}${
      members.length > 20 ? "…" : ""
    }: ${node.plan === "unreachable" ? UNREACHABLE_TITLE : plannedTitle(options.ended)}`;
  }

  const edges = new Map<string, OverlayEdge>();
  for (const edge of plan.edges) {
    const from = overlayId.get(edge.from);
    const to = overlayId.get(edge.to);
    // Edges between nodes that both ran come from the runs themselves.
    if (from === undefined && to === undefined) continue;
    for (const a of from === undefined ? placed.get(edge.from)!.ids : [from]) {
      for (const b of to === undefined ? placed.get(edge.to)!.ids : [to]) {
        if (a === b) continue;
        const id = `${a}\u0000${b}\u0000${edge.kind}`;
        const known = edges.get(id);
        if (known) known.count += 1;
        else edges.set(id, { from: a, to: b, kind: edge.kind, count: 1, planned: true });
      }
    }
  }
  return {
    nodes,
    edges: [...edges.values()],
    info: {
      status: "used",
      planned: missing.length - unreachable.size,
      unreachable: unreachable.size,
      dynamic: plan.dynamic,
    },
  };
}

const UNREACHABLE_TITLE = "unreachable: a node it depends on failed or was cancelled";

function plannedTitle(ended: boolean): string {
  return ended ? "planned, did not run" : "planned, not run yet";
}

function overlayNode(
  node: PlanNode,
  status: "planned" | "unreachable",
  ended: boolean,
  id: string,
): OverlayNode {
  const kind: GraphNode["kind"] = node.op === "map" || node.fanOut
    ? "map"
    : node.op === "subflow" || node.op === "deployment"
    ? "subflow"
    : "task";
  const what = node.op === "map" || node.op === "subflow" || node.op === "deployment" ||
      node.op === "gate"
    ? ` · ${node.op}`
    : "";
  const detail = status === "unreachable"
    ? `unreachable${what}`
    : `planned${what}${node.dynamic ? " · may not run" : ""}`;
  return {
    id,
    kind,
    label: node.taskName,
    detail,
    counts: {},
    href: null,
    runId: null,
    plan: status,
    title: `${node.id}: ${status === "unreachable" ? UNREACHABLE_TITLE : plannedTitle(ended)}`,
  };
}
