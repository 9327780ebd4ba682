/**
 * Constant folding of numeric expressions, for loop bounds.
 *
 * @module
 */

import { type AstNode, is, unwrap } from "./_ast.ts";
import type { Scope } from "./_scope.ts";

/** The number `node` always evaluates to, or `undefined` when it is not a constant. */
export function constNumber(node: AstNode | null | undefined, scope: Scope): number | undefined {
  if (!node) return undefined;
  const at = unwrap(node);
  if (is(at, "NumericLiteral")) return at.value;
  if (is(at, "Identifier")) {
    const binding = scope.lookup(at.name);
    return binding?.kind === "value" ? binding.constNumber : undefined;
  }
  if (is(at, "UnaryExpression")) {
    const value = constNumber(at.argument, scope);
    if (value === undefined) return undefined;
    return at.operator === "-" ? -value : at.operator === "+" ? value : undefined;
  }
  if (is(at, "BinaryExpression")) {
    const left = constNumber(at.left, scope);
    const right = constNumber(at.right, scope);
    if (left === undefined || right === undefined) return undefined;
    const value = fold(at.operator, left, right);
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

function fold(operator: string, left: number, right: number): number | undefined {
  switch (operator) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return left / right;
    case "%":
      return left % right;
    case "**":
      return left ** right;
    default:
      return undefined;
  }
}
