/**
 * Resolves expressions that denote a task: `inc`, an alias of it, and
 * `inc.with({ name })`, plus the invocation form (`call`, `.submit`, `.map`).
 *
 * @module
 */

import { type AstNode, is, propertyValue, stringValue, unwrap } from "./_ast.ts";
import type { Binding, Scope } from "./_scope.ts";

/** A task binding. */
export type TaskBinding = Extract<Binding, { kind: "task" }>;

/** A resolved task and how it is invoked. */
export interface TaskTarget {
  /** The task. */
  task: TaskBinding;
  /** Invocation form when the expression is used as a callee. */
  op: "call" | "submit" | "map";
}

/** `Task.with(options)` returns a copy of the task with more options (the SDK's name). */
export const WITH_OPTIONS = "with";

/** The task invoked when `callee` is called, if it is one. */
export function resolveTask(callee: AstNode, scope: Scope): TaskTarget | undefined {
  const at = unwrap(callee);
  const direct = taskRef(at, scope);
  if (direct) return { task: direct, op: "call" };
  if (!is(at, "MemberExpression") || at.computed || !is(at.property, "Identifier")) {
    return undefined;
  }
  const method = at.property.name;
  if (method !== "submit" && method !== "map") return undefined;
  const task = taskRef(unwrap(at.object), scope);
  return task ? { task, op: method } : undefined;
}

/** The task `node` evaluates to: a task binding or a `.with()` copy of one. */
export function taskRef(node: AstNode, scope: Scope): TaskBinding | undefined {
  if (is(node, "Identifier")) {
    const binding = scope.lookup(node.name);
    return binding?.kind === "task" ? binding : undefined;
  }
  if (!is(node, "CallExpression")) return undefined;
  const callee = unwrap(node.callee);
  if (!is(callee, "MemberExpression") || callee.computed || !is(callee.property, "Identifier")) {
    return undefined;
  }
  if (callee.property.name !== WITH_OPTIONS) return undefined;
  const base = taskRef(unwrap(callee.object), scope);
  const options = node.arguments[0];
  const nameNode = options ? propertyValue(options, "name") : undefined;
  if (!base || !nameNode) return base;
  const name = stringValue(nameNode);
  return name === undefined
    ? { ...base, nameDynamic: true }
    : { ...base, name, nameDynamic: false };
}
