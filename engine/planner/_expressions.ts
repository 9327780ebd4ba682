/**
 * Evaluates expressions of the flow body: adds the nodes they invoke, in
 * evaluation order, and returns the planned nodes their value depends on.
 *
 * @module
 */

import {
  type AstNode,
  childNodes,
  is,
  isFunction,
  type NodeOf,
  patternNames,
  unwrap,
} from "./_ast.ts";
import { type PlanBuilder, where } from "./_builder.ts";
import { type Deps, NO_DEPS, type Scope, union } from "./_scope.ts";
import { WITH_OPTIONS } from "./_tasks.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";

const TASK_METHODS = new Set(["submit", "map", WITH_OPTIONS]);

/** Evaluates `node`; returns the ids of the planned nodes its value derives from. */
export function evaluate(b: PlanBuilder, node: AstNode, scope: Scope): Deps {
  const at = unwrap(node);
  switch (at.type) {
    case "Identifier":
      return identifier(b, at as NodeOf<"Identifier">, scope);
    case "CallExpression":
    case "OptionalCallExpression":
    case "NewExpression":
      return b.walk.evaluateCall(b, at as NodeOf<"CallExpression">, scope);
    case "MemberExpression":
    case "OptionalMemberExpression":
      return member(b, at as NodeOf<"MemberExpression">, scope);
    case "ConditionalExpression": {
      const node = at as NodeOf<"ConditionalExpression">;
      const test = evaluate(b, node.test, scope);
      const branches = b.region(
        DiagnosticCode.DynamicConditional,
        branchMessage("?:", at),
        at,
        () => union(evaluate(b, node.consequent, scope), evaluate(b, node.alternate, scope)),
      );
      return union(test, branches);
    }
    case "LogicalExpression": {
      const node = at as NodeOf<"LogicalExpression">;
      const left = evaluate(b, node.left, scope);
      const right = b.region(
        DiagnosticCode.DynamicConditional,
        branchMessage(node.operator, at),
        at,
        () => evaluate(b, node.right, scope),
      );
      return union(left, right);
    }
    case "AssignmentExpression":
      return assignment(b, at as NodeOf<"AssignmentExpression">, scope);
    case "SequenceExpression": {
      const all = (at.expressions as AstNode[]).map((e) => evaluate(b, e, scope));
      return all.at(-1) ?? NO_DEPS;
    }
    case "ObjectProperty":
    case "ClassProperty":
    case "ClassAccessorProperty":
    case "ClassPrivateProperty": {
      const key = at.computed === true ? evaluate(b, at.key as AstNode, scope) : NO_DEPS;
      const value = at.value as AstNode | null | undefined;
      return union(key, value ? evaluate(b, value, scope) : NO_DEPS);
    }
    default:
      if (isFunction(at) || at.type === "ClassMethod" || at.type === "ClassPrivateMethod") {
        return callbackRegion(b, at as AstNode & { params: AstNode[]; body: AstNode }, scope);
      }
      return union(...childNodes(at).map((child) => evaluate(b, child, scope)));
  }
}

/** Walks a function whose call count is unknown, as a dynamic region. */
export function callbackRegion(
  b: PlanBuilder,
  fn: AstNode & { params: AstNode[]; body: AstNode },
  scope: Scope,
): Deps {
  const message = `Invocations in the function at ${
    where(fn)
  } run an unknown number of times; they are planned once as dynamic`;
  return b.region(
    DiagnosticCode.DynamicCallback,
    message,
    fn,
    () => b.walk.walkFunction(b, fn, scope, []),
  );
}

/** The message of a conditional region introduced by `construct`. */
export function branchMessage(construct: string, at: AstNode): string {
  return `Invocations under "${construct}" at ${
    where(at)
  } run only when its branch is taken; they are planned as dynamic`;
}

/** The identifier at the root of `a.b[c].d`, if any. */
export function rootIdentifier(node: AstNode): string | undefined {
  let at = unwrap(node);
  while (is(at, "MemberExpression") || at.type === "OptionalMemberExpression") {
    at = unwrap(at.object as AstNode);
  }
  return is(at, "Identifier") ? at.name : undefined;
}

/** Records that a task or flow escaped into a value, so invocations through it are unknown. */
export function escape(b: PlanBuilder, name: string, at: AstNode): void {
  b.escapes++;
  b.warn(
    DiagnosticCode.DynamicTaskReference,
    `"${name}" is used as a value at ${where(at)}; invocations through it cannot be planned`,
    at,
  );
}

function identifier(b: PlanBuilder, at: NodeOf<"Identifier">, scope: Scope): Deps {
  const binding = scope.lookup(at.name);
  if (binding?.kind === "value") return binding.deps;
  if (binding?.kind === "task" || binding?.kind === "flow") escape(b, at.name, at);
  if (binding?.kind === "helper" && binding.usesTasks) opaque(b, binding.name, at);
  return NO_DEPS;
}

/** Warns about a module function that uses tasks and is called or passed on. */
export function opaque(b: PlanBuilder, name: string, at: AstNode): void {
  b.warn(
    DiagnosticCode.OpaqueCall,
    `Function "${name}" used at ${
      where(at)
    } invokes tasks or flows; its invocations cannot be planned`,
    at,
  );
}

function member(b: PlanBuilder, at: NodeOf<"MemberExpression">, scope: Scope): Deps {
  const object = unwrap(at.object);
  if (!at.computed && is(object, "Identifier")) {
    const kind = scope.lookup(object.name)?.kind;
    if (kind === "task" || kind === "flow") {
      const name = is(at.property, "Identifier") ? at.property.name : "";
      if (TASK_METHODS.has(name)) escape(b, `${object.name}.${name}`, at);
      return NO_DEPS;
    }
  }
  return union(
    evaluate(b, at.object, scope),
    at.computed ? evaluate(b, at.property, scope) : NO_DEPS,
  );
}

function assignment(b: PlanBuilder, at: NodeOf<"AssignmentExpression">, scope: Scope): Deps {
  const deps = evaluate(b, at.right, scope);
  const left = unwrap(at.left);
  const merge = b.inDynamic || at.operator !== "=";
  if (is(left, "Identifier")) {
    scope.assign(left.name, deps, merge);
  } else if (is(left, "MemberExpression") || left.type === "OptionalMemberExpression") {
    if (left.computed === true) evaluate(b, left.property as AstNode, scope);
    const root = rootIdentifier(left);
    if (root) scope.assign(root, deps, true);
  } else {
    for (const name of patternNames(left)) scope.assign(name, deps, merge);
  }
  return deps;
}
