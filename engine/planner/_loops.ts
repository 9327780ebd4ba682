/**
 * Loops: `for` with constant bounds and `for...of` over arrays of known length
 * are unrolled; every other loop is walked once as a dynamic region.
 *
 * @module
 */

import { type AstNode, childNodes, isFunction, type NodeOf, patternNames, unwrap } from "./_ast.ts";
import { type Completion, MAX_UNROLL, type PlanBuilder, where } from "./_builder.ts";
import { forIterations } from "./_for_iterations.ts";
import { type Deps, plainValue, Scope, union } from "./_scope.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";

const LOOPS = new Set([
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
]);

/** `for (let i = 0; i < 3; i++)`: unrolled when its bounds are constants. */
export function walkFor(b: PlanBuilder, loop: NodeOf<"ForStatement">, scope: Scope): Completion {
  const plan = breaksOut(loop.body) ? undefined : forIterations(loop, scope);
  if (plan && fits(b, plan.count)) {
    return unroll(b, loop.body, plan.count, (i) => {
      const inner = new Scope(scope);
      inner.declare(plan.name, { ...plainValue(), constNumber: plan.start + i * plan.step });
      return inner;
    });
  }
  const inner = new Scope(scope);
  if (loop.init?.type === "VariableDeclaration") {
    b.walk.declareVariables(b, loop.init as NodeOf<"VariableDeclaration">, inner);
  } else if (loop.init) {
    b.walk.evaluate(b, loop.init, inner);
  }
  return walkDynamicLoop(b, loop, inner, plan?.count);
}

/** `for (const x of [a, b])`: unrolled once per element. */
export function walkForOf(
  b: PlanBuilder,
  loop: NodeOf<"ForOfStatement">,
  scope: Scope,
): Completion {
  const elements = b.walk.evaluateElements(b, loop.right, scope);
  const left = unwrap(loop.left);
  const names = left.type === "VariableDeclaration"
    ? (left as NodeOf<"VariableDeclaration">).declarations.flatMap((d) =>
      patternNames(d.id as AstNode)
    )
    : patternNames(left);
  const bind = (deps: Deps) => {
    const inner = new Scope(scope);
    for (const name of names) inner.declare(name, plainValue(deps));
    return inner;
  };
  if (elements && !breaksOut(loop.body) && fits(b, elements.length)) {
    return unroll(b, loop.body, elements.length, (i) => bind(elements[i]!));
  }
  const deps = elements ? union(...elements) : b.walk.evaluate(b, loop.right, scope);
  return walkDynamicLoop(b, loop, bind(deps), elements?.length);
}

/**
 * Walks a loop's test, body and update once as a dynamic region. `count` is the
 * iteration count when it is known but above the unroll cap.
 */
export function walkDynamicLoop(
  b: PlanBuilder,
  loop: AstNode,
  scope: Scope,
  count?: number,
): Completion {
  const tooLarge = count !== undefined;
  const total = Number.isFinite(count) ? `${(count ?? 0) * b.unrollFactor}` : "unbounded";
  const message = tooLarge
    ? `Loop at ${
      where(loop)
    } needs ${total} unrolled iterations, above the cap of ${MAX_UNROLL}; its invocations are planned once as dynamic`
    : `Loop at ${where(loop)} has no constant bound; its invocations are planned once as dynamic`;
  const code = tooLarge ? DiagnosticCode.LoopTooLarge : DiagnosticCode.DynamicLoop;
  const inner = new Scope(scope);
  if (loop.type === "ForInStatement") {
    b.walk.evaluate(b, loop.right as AstNode, scope);
    for (const name of patternNames(declared(loop.left as AstNode))) {
      inner.declare(name, plainValue());
    }
  }
  const completion = b.region(code, message, loop, () => {
    if (loop.test) b.walk.evaluate(b, loop.test as AstNode, inner);
    const body = b.walk.walkStatement(b, loop.body as AstNode, inner);
    if (loop.update) b.walk.evaluate(b, loop.update as AstNode, inner);
    return body;
  });
  if (completion === "return") b.conditionalExit(loop);
  return "normal";
}

function declared(left: AstNode): AstNode | null {
  if (left.type !== "VariableDeclaration") return left;
  return ((left as NodeOf<"VariableDeclaration">).declarations[0]?.id as AstNode | undefined) ??
    null;
}

function fits(b: PlanBuilder, count: number): boolean {
  return count * b.unrollFactor <= MAX_UNROLL;
}

function unroll(
  b: PlanBuilder,
  body: AstNode,
  count: number,
  scopeOf: (i: number) => Scope,
): Completion {
  const factor = Math.max(count, 1);
  b.unrollFactor *= factor;
  try {
    for (let i = 0; i < count; i++) {
      const completion = b.walk.walkStatement(b, body, scopeOf(i));
      if (completion === "return" || completion === "throw") return completion;
    }
    return "normal";
  } finally {
    b.unrollFactor /= factor;
  }
}

/** True when a `break` or `continue` in `node` targets the loop that owns `node`. */
function breaksOut(node: AstNode, ownsBreak = false, ownsContinue = false): boolean {
  if (isFunction(node)) return false;
  if (node.type === "BreakStatement" || node.type === "ContinueStatement") {
    if (node.label) return true;
    return node.type === "BreakStatement" ? !ownsBreak : !ownsContinue;
  }
  const isLoop = LOOPS.has(node.type);
  const breakOwned = ownsBreak || isLoop || node.type === "SwitchStatement";
  const continueOwned = ownsContinue || isLoop;
  return childNodes(node).some((child) => breaksOut(child, breakOwned, continueOwned));
}
