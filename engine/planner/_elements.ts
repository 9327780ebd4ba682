/**
 * Arrays of known length: array literals, `const` bindings of them,
 * `.map()` over them and `await Promise.all([...])` over them.
 *
 * @module
 */

import { type AstNode, is, unwrap } from "./_ast.ts";
import type { PlanBuilder } from "./_builder.ts";
import type { Deps, Scope } from "./_scope.ts";

const COMBINATORS = new Set(["all", "allSettled"]);

/**
 * Evaluates `node` element by element when it is an array of known length and
 * returns each element's deps; returns `undefined`, evaluating nothing, otherwise.
 */
export function evaluateElements(b: PlanBuilder, node: AstNode, scope: Scope): Deps[] | undefined {
  const at = unwrap(node);
  if (is(at, "ArrayExpression")) {
    if (at.elements.some((e) => e === null || e.type === "SpreadElement")) return undefined;
    return (at.elements as AstNode[]).map((element) => b.walk.evaluate(b, element, scope));
  }
  if (at.type === "AwaitExpression") return evaluateElements(b, at.argument as AstNode, scope);
  if (is(at, "Identifier")) {
    const binding = scope.lookup(at.name);
    return binding?.kind === "value" && binding.elements ? [...binding.elements] : undefined;
  }
  if (!is(at, "CallExpression")) return undefined;
  if (at.arguments.length === 1 && isPromiseCombinator(at.callee, scope)) {
    return evaluateElements(b, at.arguments[0]!, scope);
  }
  const callee = unwrap(at.callee);
  if (
    is(callee, "MemberExpression") && is(callee.property, "Identifier") &&
    callee.property.name === "map"
  ) {
    return b.walk.walkArrayCallback(b, at, scope);
  }
  return undefined;
}

function isPromiseCombinator(callee: AstNode, scope: Scope): boolean {
  const at = unwrap(callee);
  return is(at, "MemberExpression") && !at.computed && is(at.object, "Identifier") &&
    at.object.name === "Promise" && scope.lookup("Promise") === undefined &&
    is(at.property, "Identifier") && COMBINATORS.has(at.property.name);
}
