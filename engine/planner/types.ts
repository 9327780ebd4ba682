/**
 * The plan IR: what the static planner reads out of a flow's source.
 *
 * These are plain data types with no parser dependency, so the engine, the
 * server and the UI can share them.
 *
 * @module
 */

/** How a planned node is invoked in the flow body. */
export const NodeOp = {
  /** `task(args)`, usually awaited. */
  Call: "call",
  /** `task.submit(args)`, returns a future. */
  Submit: "submit",
  /** `task.map(iterable)`, one node that fans out at run time. */
  Map: "map",
  /** A call of another flow defined in the module. */
  Subflow: "subflow",
  /** `gate({ name, after })`. */
  Gate: "gate",
  /** `runDeployment("flow/deployment")`. */
  Deployment: "deployment",
} as const;

/** One of the {@linkcode NodeOp} values. */
export type NodeOp = typeof NodeOp[keyof typeof NodeOp];

/** Where a construct sits in the source: offsets plus a 1-based line and column. */
export interface Span {
  /** Offset of the first character (UTF-16 code units). */
  start: number;
  /** Offset just past the last character. */
  end: number;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** One invocation the flow body makes, in source (submission) order. */
export interface PlannedNode {
  /**
   * Stable id: `${taskName}#${occurrence}` for task nodes (the SDK's task run
   * key, for example `increment#2`), `${op}:${taskName}#${occurrence}` for
   * subflow, gate and deployment nodes (for example `gate:approve#0`).
   */
  id: string;
  /** Task name (options.name or variable name), flow name, gate name or deployment name. */
  taskName: string;
  /** How the node is invoked. */
  op: NodeOp;
  /** Source location of the invocation. */
  span: Span;
  /** Set on `map` nodes: one planned node stands for many task runs. */
  fanOut?: boolean;
  /** Set when the node may run zero or many times (it sits in a region the planner cannot bound). */
  dynamic?: boolean;
  /** Literal deployment name of a `deployment` node. */
  deploymentName?: string;
  /** 0-based index among the nodes of the same name (tasks) or the same op and name (others). */
  occurrence: number;
}

/** A dependency between two planned nodes. */
export interface PlannedEdge {
  /** Upstream node id. */
  from: string;
  /** Downstream node id. */
  to: string;
  /** `data`: a future or its value flows in; `waitFor`: ordering only. */
  kind: "data" | "waitFor";
}

/** A finding of the planner; warnings mark fallbacks, errors mean no plan. */
export interface Diagnostic {
  /** `error` means the plan is empty; `warning` means the plan is partly dynamic. */
  severity: "warning" | "error";
  /** Machine-readable code, one of `DiagnosticCode`. */
  code: string;
  /** Sentence-case explanation that quotes the construct. */
  message: string;
  /** Where the construct is, when it has a place in the source. */
  span?: Span;
}

/** Shape numbers of a plan, computed by `computeForecast()`. */
export interface Forecast {
  /** Number of planned nodes (a `map` node counts once). */
  taskCount: number;
  /** Number of distinct edges between planned nodes. */
  edgeCount: number;
  /** Nodes on the longest dependency chain. */
  criticalPathLength: number;
  /** Largest number of nodes in one topological layer. */
  maxWidth: number;
  /** `taskCount / criticalPathLength`, 0 for an empty plan. */
  estimatedParallelism: number;
  /** True when the edges contain a cycle. */
  hasCycle: boolean;
}

/** The static plan of one flow. */
export interface FlowPlan {
  /** Name of the planned flow (options.name or variable name). */
  flowName: string;
  /** Planned nodes in source order. */
  nodes: PlannedNode[];
  /** Edges between planned nodes, in discovery order. */
  edges: PlannedEdge[];
  /** Warnings (fallbacks) and errors (no plan). */
  diagnostics: Diagnostic[];
  /** True when some region could not be planned statically. */
  dynamic: boolean;
  /** Shape numbers of the planned graph. */
  forecast: Forecast;
  /** FNV-1a 64 hex hash of nodes and edges (spans excluded). */
  fingerprint: string;
}

/** Options of `planFlow()`. */
export interface PlanOptions {
  /**
   * Flow to plan, by variable name or `options.name`.
   *
   * @default {undefined} the only flow of the module
   */
  flowName?: string;
  /**
   * File name, used to pick the grammar (`.tsx`, `.jsx` enable JSX).
   *
   * @default {"flow.ts"}
   */
  fileName?: string;
}
