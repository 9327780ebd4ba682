/**
 * Reads a `task(...)` or `flow(...)` definition call, in either argument order.
 *
 * @module
 */

import { type AstNode, is, isFunction, propertyValue, stringValue, unwrap } from "./_ast.ts";
import type { Binding } from "./_scope.ts";

/** What a `task()`/`flow()` call defines. */
export interface Definition {
  /** `options.name` when it is a literal, else the variable name (as the SDK names it). */
  name: string;
  /** True when `options.name` exists but is not a literal. */
  nameDynamic: boolean;
  /** The function argument: a function literal or an identifier naming one. */
  fn: AstNode | undefined;
  /** The function's `length` (parameters before the first default or rest), when known. */
  arity: number | undefined;
}

/**
 * Reads `task(fn)`, `task(options, fn)` and `task(fn, options)` (same for
 * `flow`). Without `options.name` the SDK names the definition after the
 * variable it is assigned to, else after the function, else `task`/`flow`.
 */
export function readDefinition(
  args: readonly AstNode[],
  variableName: string | undefined,
  kind: "task" | "flow",
): Definition {
  let options: AstNode | undefined;
  let fn: AstNode | undefined;
  for (const arg of args.map(unwrap)) {
    if (is(arg, "ObjectExpression")) options ??= arg;
    else if (isFunction(arg) || is(arg, "Identifier")) fn ??= arg;
  }
  const nameNode = options ? propertyValue(options, "name") : undefined;
  const literal = stringValue(nameNode);
  const fnName = isFunction(fn) && is(fn.id as AstNode, "Identifier")
    ? (fn.id as AstNode & { name: string }).name
    : undefined;
  return {
    name: literal ?? variableName ?? fnName ?? kind,
    nameDynamic: nameNode !== undefined && literal === undefined,
    fn,
    arity: isFunction(fn) ? arityOf(fn.params) : undefined,
  };
}

/** The binding a definition gives its variable. */
export function definitionBinding(kind: "task" | "flow", definition: Definition): Binding {
  if (kind === "flow") return { kind: "flow", name: definition.name };
  const { name, nameDynamic, arity } = definition;
  return arity === undefined
    ? { kind: "task", name, nameDynamic }
    : { kind: "task", name, nameDynamic, arity };
}

function arityOf(params: readonly AstNode[]): number {
  const firstOptional = params.findIndex((p) =>
    p.type === "AssignmentPattern" || p.type === "RestElement"
  );
  return firstOptional === -1 ? params.length : firstOptional;
}
