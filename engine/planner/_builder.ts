/**
 * Records planned nodes, edges and diagnostics while the flow body is walked,
 * and tracks whether the walk is inside a region it cannot bound.
 *
 * @module
 */

import type { AstNode, NodeOf } from "./_ast.ts";
import { spanOf } from "./_ast.ts";
import type { Deps, Scope } from "./_scope.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";
import type { Diagnostic, NodeOp, PlannedEdge, PlannedNode, Span } from "./types.ts";

/** Loops and literal-array callbacks are unrolled up to this many iterations in total. */
export const MAX_UNROLL = 1000;

const TASK_OPS: ReadonlySet<NodeOp> = new Set(["call", "submit", "map"]);

/**
 * How a statement completed: fell through, returned, threw, or left a loop.
 * A throw is a failure path, so it never makes what follows conditional.
 */
export type Completion = "normal" | "return" | "throw" | "break";

/** A function body as the walker sees it. */
export type FunctionNode = AstNode & { params: AstNode[]; body: AstNode };

/**
 * The walker's mutually recursive steps. Each lives in its own file; they
 * reach one another through the builder (`b.walk`) so that those files do
 * not import one another in a circle. `_walk.ts` fills the table.
 */
export interface Walk {
  evaluate(b: PlanBuilder, node: AstNode, scope: Scope): Deps;
  evaluateCall(b: PlanBuilder, call: NodeOf<"CallExpression">, scope: Scope): Deps;
  evaluateElements(b: PlanBuilder, node: AstNode, scope: Scope): Deps[] | undefined;
  walkArrayCallback(
    b: PlanBuilder,
    call: NodeOf<"CallExpression">,
    scope: Scope,
  ): Deps[] | undefined;
  walkFunction(b: PlanBuilder, fn: FunctionNode, scope: Scope, args: readonly Deps[]): Deps;
  walkStatements(b: PlanBuilder, statements: readonly AstNode[], scope: Scope): Completion;
  walkStatement(b: PlanBuilder, statement: AstNode, scope: Scope): Completion;
  declareVariables(b: PlanBuilder, statement: NodeOf<"VariableDeclaration">, scope: Scope): void;
}

/** Extra facts of a node being added. */
export interface NodeExtras {
  fanOut?: boolean;
  deploymentName?: string;
  /** Plan the node as dynamic even outside a dynamic region. */
  dynamic?: boolean;
}

interface Frame {
  /** A conditional `return`/`throw` ran earlier in this function. */
  exitSpan: Span | undefined;
  exitWarned: boolean;
  /** Deps of the values the function returns. */
  returned: Deps[];
}

/** Mutable plan under construction. */
export class PlanBuilder {
  /** The recursive steps of the walk; see {@linkcode Walk}. */
  readonly walk: Walk;
  readonly nodes: PlannedNode[] = [];
  readonly edges: PlannedEdge[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Product of the iteration counts of the loops being unrolled. */
  unrollFactor = 1;
  /** Counts tasks and flows used as values, so a binding can remember it holds one. */
  escapes = 0;
  readonly #occurrences = new Map<string, number>();
  readonly #edgeIndex = new Map<string, number>();
  readonly #frames: Frame[] = [];
  readonly #warned = new Set<string>();
  #dynamicDepth = 0;

  constructor(walk: Walk) {
    this.walk = walk;
  }

  /** True when nodes added now may run zero or many times. */
  get inDynamic(): boolean {
    return this.#dynamicDepth > 0 || this.#frames.some((frame) => frame.exitSpan !== undefined);
  }

  /**
   * Adds a node with the next occurrence index of its name; returns its id.
   * Task nodes are `name#n`, the SDK's task run key; subflow, gate and
   * deployment nodes count apart, under an `op:` prefix, so they never shift
   * task ids.
   */
  addNode(taskName: string, op: NodeOp, at: AstNode, extras: NodeExtras = {}): string {
    const prefix = TASK_OPS.has(op) ? "" : `${op}:`;
    const occurrence = this.#occurrences.get(prefix + taskName) ?? 0;
    this.#occurrences.set(prefix + taskName, occurrence + 1);
    const id = `${prefix}${taskName}#${occurrence}`;
    const node: PlannedNode = { id, taskName, op, span: spanOf(at), occurrence };
    if (extras.fanOut) node.fanOut = true;
    if (extras.deploymentName !== undefined) node.deploymentName = extras.deploymentName;
    if (extras.dynamic || this.inDynamic) node.dynamic = true;
    this.#warnPendingExit();
    this.nodes.push(node);
    return id;
  }

  /** Adds an edge from each of `deps` to `to`; a data edge wins over a waitFor edge. */
  addEdges(deps: Deps, to: string, kind: PlannedEdge["kind"]): void {
    for (const from of deps) {
      if (from === to) continue;
      const key = `${from}\u0000${to}`;
      const index = this.#edgeIndex.get(key);
      if (index === undefined) {
        this.#edgeIndex.set(key, this.edges.length);
        this.edges.push({ from, to, kind });
      } else if (kind === "data") {
        this.edges[index]!.kind = "data";
      }
    }
  }

  /** Records a fallback warning. */
  warn(code: DiagnosticCode, message: string, at: AstNode | Span): void {
    const span = "type" in at ? spanOf(at) : at;
    // Unrolled loops walk the same code many times; report each place once.
    const key = `${code}\u0000${span.start}\u0000${message}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.diagnostics.push({ severity: "warning", code, message, span });
  }

  /**
   * Runs `walk` as a region that may run zero or many times. Nodes added in it
   * are dynamic; the outermost such region that adds nodes is reported.
   */
  region<T>(code: DiagnosticCode, message: string, at: AstNode, walk: () => T): T {
    const outermost = this.#dynamicDepth === 0;
    const before = this.nodes.length;
    this.#dynamicDepth++;
    try {
      return walk();
    } finally {
      this.#dynamicDepth--;
      if (outermost && this.nodes.length > before) this.warn(code, message, at);
    }
  }

  /** Enters a function body (the flow's or a callback's). */
  enterFunction(): void {
    this.#frames.push({ exitSpan: undefined, exitWarned: false, returned: [] });
  }

  /** Leaves the current function body; returns the deps of what it returned. */
  leaveFunction(): Deps[] {
    return this.#frames.pop()?.returned ?? [];
  }

  /** Records the deps of a `return` in the current function. */
  addReturn(deps: Deps): void {
    this.#frames.at(-1)?.returned.push(deps);
  }

  /** Notes a `return`/`throw` that may or may not run: what follows becomes dynamic. */
  conditionalExit(at: AstNode): void {
    const frame = this.#frames.at(-1);
    if (frame && frame.exitSpan === undefined) frame.exitSpan = spanOf(at);
  }

  #warnPendingExit(): void {
    const frame = this.#frames.find((f) => f.exitSpan !== undefined && !f.exitWarned);
    if (!frame?.exitSpan || this.#dynamicDepth > 0) return;
    frame.exitWarned = true;
    const { line, column } = frame.exitSpan;
    this.warn(
      DiagnosticCode.ConditionalExit,
      `A conditional exit at ${line}:${column} may end the function early; later invocations are planned as dynamic`,
      frame.exitSpan,
    );
  }
}

/** `line:column` of a node, for messages. */
export function where(at: AstNode): string {
  const { line, column } = spanOf(at);
  return `${line}:${column}`;
}
