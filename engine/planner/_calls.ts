/**
 * Calls in the flow body: task, subflow, gate and deployment invocations,
 * callbacks over literal arrays, and calls the planner only looks through.
 *
 * @module
 */

import {
  type AstNode,
  is,
  isFunction,
  keyName,
  type NodeOf,
  propertyValue,
  stringValue,
  unwrap,
} from "./_ast.ts";
import { MAX_UNROLL, type NodeExtras, type PlanBuilder, where } from "./_builder.ts";
import { opaque, rootIdentifier } from "./_expressions.ts";
import { sdkCallee } from "./_module.ts";
import { type Deps, NO_DEPS, type Scope, union } from "./_scope.ts";
import { resolveTask } from "./_tasks.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";
import type { NodeOp } from "./types.ts";

type Call = NodeOf<"CallExpression">;

const ARRAY_WALKERS = new Set(["map", "forEach", "flatMap"]);
const MUTATORS = new Set(["push", "unshift", "splice", "fill", "pop", "shift", "set", "add"]);

/** Evaluates a call: adds the node it invokes, if any, and returns its deps. */
export function evaluateCall(b: PlanBuilder, call: Call, scope: Scope): Deps {
  const callee = unwrap(call.callee);
  const target = resolveTask(callee, scope);
  if (target) {
    const { task, op } = target;
    if (task.nameDynamic) dynamicName(b, `Task name of "${task.name}"`, call);
    const options = op === "submit" || op === "map"
      ? callOptionsIndex(call.arguments, scope)
      : undefined;
    return invoke(b, call, scope, task.name, op, {
      fanOut: op === "map",
      dynamic: task.nameDynamic,
    }, options);
  }
  const binding = is(callee, "Identifier") ? scope.lookup(callee.name) : undefined;
  if (binding?.kind === "flow") return invoke(b, call, scope, binding.name, "subflow");
  if (binding?.kind === "helper" && binding.usesTasks) {
    opaque(b, binding.name, call);
    return evaluateArguments(b, call.arguments, scope);
  }
  const sdk = sdkCallee(callee, scope);
  if (sdk === "task" || sdk === "flow") return NO_DEPS; // an inline definition: its body is not flow code
  if (sdk === "gate") return gate(b, call, scope);
  if (sdk === "runDeployment") return deployment(b, call, scope);
  const unknownTask = unknownTaskReason(callee, scope);
  if (unknownTask) {
    b.escapes++;
    b.warn(
      DiagnosticCode.DynamicTaskReference,
      `Call at ${where(call)} ${unknownTask}; it cannot be planned`,
      call,
    );
    return evaluateArguments(b, call.arguments, scope);
  }
  const perElement = walkArrayCallback(b, call, scope);
  return perElement ? union(...perElement) : opaqueCall(b, call, scope);
}

function invoke(
  b: PlanBuilder,
  call: Call,
  scope: Scope,
  taskName: string,
  op: NodeOp,
  extras: NodeExtras = {},
  optionsIndex?: number,
): Deps {
  const data: Deps[] = [];
  let waitFor = NO_DEPS;
  call.arguments.forEach((arg, i) => {
    const wrapped = i === optionsIndex ? unwrap(arg) : undefined;
    const options = is(wrapped, "CallExpression") && wrapped.arguments[0]
      ? unwrap(wrapped.arguments[0])
      : undefined;
    if (!is(options, "ObjectExpression")) {
      return void data.push(b.walk.evaluate(b, arg, scope));
    }
    for (const property of options.properties) {
      const isWaitFor = is(property, "ObjectProperty") && keyName(property) === "waitFor";
      if (isWaitFor) waitFor = b.walk.evaluate(b, property.value, scope);
      else b.walk.evaluate(b, property, scope);
    }
  });
  const id = b.addNode(taskName, op, call, extras);
  b.addEdges(union(...data), id, "data");
  b.addEdges(waitFor, id, "waitFor");
  return new Set([id]);
}

/**
 * Index of the call options argument, by the SDK's rule: a last argument
 * `callOptions({ ... })` (a plain object is always an argument of the task).
 */
function callOptionsIndex(args: readonly AstNode[], scope: Scope): number | undefined {
  const last = args.at(-1) && unwrap(args.at(-1)!);
  if (!is(last, "CallExpression")) return undefined;
  return sdkCallee(last.callee, scope) === "callOptions" ? args.length - 1 : undefined;
}

function gate(b: PlanBuilder, call: Call, scope: Scope): Deps {
  const options = call.arguments[0] && unwrap(call.arguments[0]);
  const nameNode = options ? propertyValue(options, "name") : undefined;
  const opaqueOptions = options !== undefined && !is(options, "ObjectExpression");
  const name = opaqueOptions ? undefined : nameNode ? stringValue(nameNode) : "gate";
  if (name === undefined) dynamicName(b, "Gate name", call);
  return invoke(b, call, scope, name ?? "gate", "gate", { dynamic: name === undefined });
}

function deployment(b: PlanBuilder, call: Call, scope: Scope): Deps {
  const name = stringValue(call.arguments[0]);
  if (name === undefined) dynamicName(b, "Deployment name", call);
  const extras: NodeExtras = name === undefined ? { dynamic: true } : { deploymentName: name };
  return invoke(b, call, scope, name ?? "runDeployment", "deployment", extras);
}

function dynamicName(b: PlanBuilder, what: string, call: Call): void {
  b.warn(
    DiagnosticCode.DynamicName,
    `${what} at ${where(call)} is not a string literal; the node is planned as dynamic`,
    call,
  );
}

/**
 * Why `callee` invokes a task the planner cannot name (`tasks[i]()`,
 * `inc[method]()`, `pick().submit()`, an imported task), if it does.
 */
function unknownTaskReason(callee: AstNode, scope: Scope): string | undefined {
  const root = rootIdentifier(callee);
  const rootBinding = root === undefined ? undefined : scope.lookup(root);
  if (rootBinding?.kind === "value" && rootBinding.holdsTasks) {
    return "invokes a task chosen at run time";
  }
  if (!is(callee, "MemberExpression")) return undefined;
  const object = unwrap(callee.object);
  const binding = is(object, "Identifier") ? scope.lookup(object.name) : undefined;
  if (binding?.kind === "task" || binding?.kind === "flow") {
    return "invokes a task chosen at run time";
  }
  const method = !callee.computed && is(callee.property, "Identifier") ? callee.property.name : "";
  if (method !== "submit" && !(method === "map" && binding?.kind === "imported")) return undefined;
  return binding?.kind === "imported"
    ? `submits "${binding.name}", imported from "${binding.source}" (the planner reads one module)`
    : "submits a task chosen at run time";
}

/**
 * `[a, b].map((x) => t.submit(x))`: the callback is unrolled once per element.
 * Returns each element's result, or `undefined`, evaluating nothing, when the
 * call is not a callback over an array of known length.
 */
export function walkArrayCallback(b: PlanBuilder, call: Call, scope: Scope): Deps[] | undefined {
  const callee = unwrap(call.callee);
  if (!is(callee, "MemberExpression") || callee.computed || !is(callee.property, "Identifier")) {
    return undefined;
  }
  const fn = call.arguments[0] && unwrap(call.arguments[0]);
  if (!ARRAY_WALKERS.has(callee.property.name) || !isFunction(fn)) return undefined;
  const elements = b.walk.evaluateElements(b, callee.object, scope);
  if (!elements) return undefined;
  const rest = evaluateArguments(b, call.arguments.slice(1), scope);
  if (elements.length * b.unrollFactor > MAX_UNROLL) {
    const message = `Callback over ${elements.length} elements at ${
      where(call)
    } exceeds the unroll cap of ${MAX_UNROLL}; its invocations are planned once as dynamic`;
    const once = b.region(
      DiagnosticCode.LoopTooLarge,
      message,
      call,
      () => b.walk.walkFunction(b, fn, scope, []),
    );
    return elements.map((element) => union(rest, element, once));
  }
  const factor = Math.max(elements.length, 1);
  b.unrollFactor *= factor;
  try {
    return elements.map((element) =>
      union(rest, b.walk.walkFunction(b, fn, scope, [element, NO_DEPS]))
    );
  } finally {
    b.unrollFactor /= factor;
  }
}

/** A call the planner does not model: its value derives from the callee and arguments. */
function opaqueCall(b: PlanBuilder, call: Call, scope: Scope): Deps {
  const callee = unwrap(call.callee);
  const target = b.walk.evaluate(b, callee, scope);
  const args = evaluateArguments(b, call.arguments, scope);
  if (is(callee, "MemberExpression") && !callee.computed && is(callee.property, "Identifier")) {
    const root = rootIdentifier(callee);
    // `acc.push(future)`: the receiver now holds what was passed in.
    if (root && (args.size > 0 || MUTATORS.has(callee.property.name))) {
      scope.assign(root, args, true);
    }
  }
  return union(target, args);
}

function evaluateArguments(b: PlanBuilder, args: readonly AstNode[], scope: Scope): Deps {
  return union(...args.map((arg) => b.walk.evaluate(b, arg, scope)));
}
