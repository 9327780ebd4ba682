/**
 * Walks a function body (the flow's, or a callback's) with its parameters
 * bound to the deps of the arguments.
 *
 * @module
 */

import { type AstNode, is, patternNames } from "./_ast.ts";
import type { PlanBuilder } from "./_builder.ts";
import { type Deps, NO_DEPS, plainValue, Scope, union } from "./_scope.ts";

/** Walks `fn` once; returns the deps of the values it returns. */
export function walkFunction(
  b: PlanBuilder,
  fn: AstNode & { params: AstNode[]; body: AstNode },
  scope: Scope,
  args: readonly Deps[],
): Deps {
  const inner = new Scope(scope);
  fn.params.forEach((param, i) => {
    for (const name of patternNames(param)) inner.declare(name, plainValue(args[i] ?? NO_DEPS));
  });
  b.enterFunction();
  if (is(fn.body, "BlockStatement")) b.walk.walkStatements(b, fn.body.body, inner);
  else b.addReturn(b.walk.evaluate(b, fn.body, inner));
  return union(...b.leaveFunction());
}
