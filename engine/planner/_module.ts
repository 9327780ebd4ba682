/**
 * Module-level resolution: SDK imports, task and flow definitions, helpers and
 * constants, gathered into the scope the flow body is walked in.
 *
 * @module
 */

import {
  type AstNode,
  is,
  isFunction,
  type NodeOf,
  patternNames,
  someReference,
  unwrap,
} from "./_ast.ts";
import { definitionBinding, readDefinition } from "./_definition.ts";
import { constNumber } from "./_const_number.ts";
import {
  NO_DEPS,
  plainValue,
  Scope,
  SDK_NAMES,
  type SdkName,
  type ValueBinding,
} from "./_scope.ts";

/** A flow defined at module level. */
export interface FlowDefinition {
  /** `options.name` or the variable name. */
  name: string;
  /** The variable it is bound to (`default` for a default export). */
  variableName: string;
  /** The flow's function, if it can be found in the module. */
  fn: AstNode | undefined;
}

/** What the module defines. */
export interface ModuleInfo {
  /** The module scope, parent of the flow body's scope. */
  scope: Scope;
  /** Flows in source order. */
  flows: FlowDefinition[];
}

/** True for import specifiers that denote the IronFlow SDK. */
function isSdkSpecifier(specifier: string): boolean {
  return /(?:^|\/)sdk(?:\/mod\.ts)?$/.test(specifier) ||
    /^(?:npm:|jsr:)?@?ironflow(?:[/@]|$)/.test(specifier);
}

/** Resolves the module's top-level statements. */
export function analyzeModule(body: readonly AstNode[]): ModuleInfo {
  const scope = new Scope();
  const statements = body.map(unexport);
  const functions = new Map<string, AstNode>();
  for (const statement of statements) declareImports(statement, scope);
  const declared = new Set(statements.flatMap(declaredNames));
  // Snippets without imports still plan: a free `task` or `flow` means the SDK's.
  for (const name of SDK_NAMES) {
    if (!scope.declares(name) && !declared.has(name)) scope.declare(name, { kind: "sdk", name });
  }
  const flows: FlowDefinition[] = [];
  const helpers: { name: string; fn: AstNode }[] = [];
  const values: { name: string; init: AstNode }[] = [];
  for (const statement of statements) {
    if (is(statement, "FunctionDeclaration") && is(statement.id, "Identifier")) {
      functions.set(statement.id.name, statement);
      helpers.push({ name: statement.id.name, fn: statement });
      continue;
    }
    for (const [name, init] of declarators(statement)) {
      const value = unwrap(init);
      const callee = is(value, "CallExpression") ? sdkCallee(value.callee, scope) : undefined;
      if (is(value, "CallExpression") && (callee === "task" || callee === "flow")) {
        const definition = readDefinition(
          value.arguments,
          name === "default" ? undefined : name,
          callee,
        );
        scope.declare(name, definitionBinding(callee, definition));
        if (callee === "flow") {
          flows.push({ name: definition.name, variableName: name, fn: definition.fn });
        }
      } else if (is(value, "Identifier") && scope.lookup(value.name)?.kind !== "value") {
        const alias = scope.lookup(value.name);
        scope.declare(name, alias ?? plainValue());
      } else if (isFunction(value)) {
        functions.set(name, value);
        helpers.push({ name, fn: value });
      } else {
        scope.declare(name, constantValue(value, scope));
        values.push({ name, init: value });
      }
    }
  }
  markTaskUsers(scope, helpers, values);
  for (const flow of flows) {
    if (is(flow.fn, "Identifier")) flow.fn = functions.get(flow.fn.name);
  }
  return { scope, flows };
}

function constantValue(value: AstNode, scope: Scope): ValueBinding {
  const known = constNumber(value, scope);
  if (known !== undefined) return { ...plainValue(), constNumber: known };
  if (
    is(value, "ArrayExpression") && value.elements.every((e) => e && e.type !== "SpreadElement")
  ) {
    return { ...plainValue(), elements: value.elements.map(() => NO_DEPS) };
  }
  return plainValue();
}

function unexport(statement: AstNode): AstNode {
  if (is(statement, "ExportNamedDeclaration") && statement.declaration) {
    return statement.declaration;
  }
  return statement;
}

function declareImports(statement: AstNode, scope: Scope): void {
  if (!is(statement, "ImportDeclaration") || statement.importKind === "type") return;
  const specifier = (statement.source as NodeOf<"StringLiteral">).value;
  const sdk = isSdkSpecifier(specifier);
  for (const spec of statement.specifiers) {
    const local = (spec.local as NodeOf<"Identifier">).name;
    if (!sdk || spec.importKind === "type") {
      if (spec.importKind !== "type") {
        scope.declare(local, { kind: "imported", name: local, source: specifier });
      }
    } else if (spec.type === "ImportNamespaceSpecifier") {
      scope.declare(local, { kind: "sdkNamespace" });
    } else if (is(spec, "ImportSpecifier")) {
      const imported = is(spec.imported, "Identifier")
        ? spec.imported.name
        : (spec.imported as NodeOf<"StringLiteral">).value;
      const known = (SDK_NAMES as readonly string[]).includes(imported);
      scope.declare(local, known ? { kind: "sdk", name: imported as SdkName } : plainValue());
    }
  }
}

function declaredNames(statement: AstNode): string[] {
  if (is(statement, "FunctionDeclaration")) {
    return is(statement.id, "Identifier") ? [statement.id.name] : [];
  }
  if (statement.type === "ClassDeclaration" && is(statement.id as AstNode, "Identifier")) {
    return [(statement.id as NodeOf<"Identifier">).name];
  }
  if (!is(statement, "VariableDeclaration")) return [];
  return statement.declarations.flatMap((d) => patternNames(d.id as AstNode));
}

function declarators(statement: AstNode): [string, AstNode][] {
  if (is(statement, "ExportDefaultDeclaration")) {
    const declaration = statement.declaration;
    return declaration.type.endsWith("Expression") ? [["default", declaration]] : [];
  }
  if (!is(statement, "VariableDeclaration")) return [];
  return statement.declarations.flatMap((d): [string, AstNode][] => {
    const id = d.id as AstNode;
    const init = d.init as AstNode | null;
    return is(id, "Identifier") && init ? [[id.name, init]] : [];
  });
}

/** The SDK export a callee refers to (`task`, `t` aliasing `task`, `sdk.task`). */
export function sdkCallee(callee: AstNode, scope: Scope): SdkName | undefined {
  const at = unwrap(callee);
  if (is(at, "Identifier")) {
    const binding = scope.lookup(at.name);
    return binding?.kind === "sdk" ? binding.name : undefined;
  }
  if (is(at, "MemberExpression") && !at.computed && is(at.object, "Identifier")) {
    if (scope.lookup(at.object.name)?.kind !== "sdkNamespace") return undefined;
    const name = is(at.property, "Identifier") ? at.property.name : "";
    return (SDK_NAMES as readonly string[]).includes(name) ? name as SdkName : undefined;
  }
  return undefined;
}

/** SDK functions that build values: calling one does not make a helper a task user. */
const VALUE_HELPERS: ReadonlySet<string> = new Set(["wait", "unmapped", "callOptions"]);

function markTaskUsers(
  scope: Scope,
  helpers: { name: string; fn: AstNode }[],
  values: { name: string; init: AstNode }[],
): void {
  const users = new Set<string>();
  const isUser = (name: string): boolean => {
    const binding = scope.lookup(name);
    return binding?.kind === "task" || binding?.kind === "flow" ||
      binding?.kind === "sdkNamespace" || users.has(name) ||
      (binding?.kind === "sdk" && !VALUE_HELPERS.has(binding.name));
  };
  const mentions = (node: AstNode): boolean => someReference(node, isUser);
  // A helper that calls a helper that uses tasks uses tasks too: iterate to a fixpoint.
  for (let changed = true; changed;) {
    changed = false;
    for (const helper of helpers) {
      if (users.has(helper.name) || !mentions(helper.fn)) continue;
      users.add(helper.name);
      changed = true;
    }
  }
  for (const helper of helpers) {
    scope.declare(helper.name, {
      kind: "helper",
      name: helper.name,
      usesTasks: users.has(helper.name),
    });
  }
  for (const { name, init } of values) {
    const binding = scope.lookup(name);
    if (binding?.kind === "value" && mentions(init)) {
      scope.declare(name, { ...binding, holdsTasks: true });
    }
  }
}
