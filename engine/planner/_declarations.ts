/**
 * `const`/`let`/`var` in the flow body: futures, aliases of tasks, local task
 * definitions, constants and arrays of known length.
 *
 * @module
 */

import { type AstNode, is, type NodeOf, patternNames, unwrap } from "./_ast.ts";
import type { PlanBuilder } from "./_builder.ts";
import { constNumber } from "./_const_number.ts";
import { definitionBinding, readDefinition } from "./_definition.ts";
import { sdkCallee } from "./_module.ts";
import { type Deps, NO_DEPS, type Scope, union, type ValueBinding } from "./_scope.ts";
import { taskRef } from "./_tasks.ts";

/** Declares the names of a variable declaration, evaluating the initialisers in order. */
export function declareVariables(
  b: PlanBuilder,
  statement: NodeOf<"VariableDeclaration">,
  scope: Scope,
): void {
  for (const declarator of statement.declarations as NodeOf<"VariableDeclarator">[]) {
    const id = declarator.id;
    const init = declarator.init ? unwrap(declarator.init) : undefined;
    if (init && is(id, "Identifier") && declareDefinition(id.name, init, scope)) continue;
    const escapesBefore = b.escapes;
    const elements = init ? b.walk.evaluateElements(b, init, scope) : undefined;
    const deps = elements ? union(...elements) : init ? b.walk.evaluate(b, init, scope) : NO_DEPS;
    const value: ValueBinding = { kind: "value", deps, holdsTasks: b.escapes > escapesBefore };
    if (is(id, "Identifier")) {
      const known = statement.kind === "const" ? constNumber(init, scope) : undefined;
      if (known !== undefined) value.constNumber = known;
      if (elements) value.elements = elements;
      scope.declare(id.name, value);
    } else if (is(id, "ArrayPattern") && elements) {
      declarePositions(id.elements as (AstNode | null)[], elements, value, scope);
    } else {
      for (const name of patternNames(id)) scope.declare(name, value);
    }
  }
}

/** `const t = task(...)`, `const f = inc`, `const fast = inc.with({...})`. */
function declareDefinition(name: string, init: AstNode, scope: Scope): boolean {
  if (is(init, "CallExpression")) {
    const sdk = sdkCallee(init.callee, scope);
    if (sdk === "task" || sdk === "flow") {
      scope.declare(name, definitionBinding(sdk, readDefinition(init.arguments, name, sdk)));
      return true;
    }
  }
  const task = taskRef(init, scope);
  if (task) {
    scope.declare(name, task);
    return true;
  }
  const alias = is(init, "Identifier") ? scope.lookup(init.name) : undefined;
  if (!alias || alias.kind === "value") return false;
  scope.declare(name, alias);
  return true;
}

/** `const [x, y] = [a, b]`: each name gets its own element's deps. */
function declarePositions(
  pattern: (AstNode | null)[],
  elements: readonly Deps[],
  whole: ValueBinding,
  scope: Scope,
): void {
  pattern.forEach((element, i) => {
    if (is(element, "Identifier")) {
      scope.declare(element.name, {
        kind: "value",
        deps: elements[i] ?? NO_DEPS,
        holdsTasks: whole.holdsTasks,
      });
    } else {
      for (const name of patternNames(element)) scope.declare(name, whole);
    }
  });
}
