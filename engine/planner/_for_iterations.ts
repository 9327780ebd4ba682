/**
 * Iteration count of a `for` loop with constant bounds.
 *
 * @module
 */

import { type AstNode, is, type NodeOf, someNode, unwrap } from "./_ast.ts";
import { constNumber } from "./_const_number.ts";
import type { Scope } from "./_scope.ts";

/** A counted loop: `name` takes `start + i * step` for `i` below `count`. */
export interface ForIterations {
  name: string;
  start: number;
  step: number;
  /** Iterations; `Infinity` when the loop does not end within the search limit. */
  count: number;
}

const SEARCH_LIMIT = 1_000_000;

/** Reads `for (let i = A; i < B; i += C)` with constant `A`, `B`, `C`; `undefined` otherwise. */
export function forIterations(
  loop: NodeOf<"ForStatement">,
  scope: Scope,
): ForIterations | undefined {
  const init = loop.init;
  if (!is(init, "VariableDeclaration") || init.declarations.length !== 1) return undefined;
  const declarator = init.declarations[0] as NodeOf<"VariableDeclarator">;
  if (!is(declarator.id, "Identifier")) return undefined;
  const name = declarator.id.name;
  const start = constNumber(declarator.init, scope);
  const test = readTest(loop.test, name, scope);
  const step = readStep(loop.update, name, scope);
  if (start === undefined || !test || step === undefined || writes(loop.body, name)) {
    return undefined;
  }
  let count = 0;
  for (let value = start; test(value); value += step) {
    if (++count > SEARCH_LIMIT) return { name, start, step, count: Infinity };
  }
  return { name, start, step, count };
}

const FLIPPED: Record<string, string> = {
  "<": ">",
  "<=": ">=",
  ">": "<",
  ">=": "<=",
  "!=": "!=",
  "!==": "!==",
};

function readTest(
  test: AstNode | null,
  name: string,
  scope: Scope,
): ((v: number) => boolean) | undefined {
  const at = test && unwrap(test);
  if (!is(at, "BinaryExpression")) return undefined;
  let operator = at.operator;
  let bound: number | undefined;
  if (isName(at.left, name)) bound = constNumber(at.right, scope);
  else if (isName(at.right, name)) {
    [bound, operator] = [constNumber(at.left, scope), FLIPPED[operator] ?? ""];
  }
  if (bound === undefined) return undefined;
  const limit = bound;
  switch (operator) {
    case "<":
      return (v) => v < limit;
    case "<=":
      return (v) => v <= limit;
    case ">":
      return (v) => v > limit;
    case ">=":
      return (v) => v >= limit;
    case "!=":
    case "!==":
      return (v) => v !== limit;
    default:
      return undefined;
  }
}

function readStep(update: AstNode | null, name: string, scope: Scope): number | undefined {
  const at = update && unwrap(update);
  if (is(at, "UpdateExpression") && isName(at.argument, name)) return at.operator === "++" ? 1 : -1;
  if (!is(at, "AssignmentExpression") || !isName(at.left, name)) return undefined;
  if (at.operator === "+=" || at.operator === "-=") {
    const step = constNumber(at.right, scope);
    return step === undefined ? undefined : at.operator === "+=" ? step : -step;
  }
  const right = unwrap(at.right);
  if (at.operator !== "=" || !is(right, "BinaryExpression") || !isName(right.left, name)) {
    return undefined;
  }
  const step = constNumber(right.right, scope);
  if (step === undefined) return undefined;
  return right.operator === "+" ? step : right.operator === "-" ? -step : undefined;
}

function isName(node: AstNode, name: string): boolean {
  const at = unwrap(node);
  return is(at, "Identifier") && at.name === name;
}

/** True when `body` may assign the loop variable (shadowing is ignored, to stay safe). */
function writes(body: AstNode, name: string): boolean {
  return someNode(body, (n) =>
    (is(n, "AssignmentExpression") && isName(n.left, name)) ||
    (is(n, "UpdateExpression") && isName(n.argument, name)));
}
