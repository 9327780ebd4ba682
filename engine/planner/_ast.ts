/**
 * A narrow, parser-neutral view of the Babel AST: only the fields the planner
 * reads are typed, so the rest of the planner never imports parser types.
 *
 * @module
 */

import type { Span } from "./types.ts";

/** Any syntax node. */
export interface AstNode {
  readonly type: string;
  readonly start?: number | null;
  readonly end?: number | null;
  readonly loc?: { readonly start: { readonly line: number; readonly column: number } } | null;
  readonly [key: string]: unknown;
}

interface Fields {
  Identifier: { name: string };
  StringLiteral: { value: string };
  NumericLiteral: { value: number };
  TemplateLiteral: { quasis: AstNode[]; expressions: AstNode[] };
  CallExpression: { callee: AstNode; arguments: AstNode[] };
  NewExpression: { callee: AstNode; arguments: AstNode[] };
  MemberExpression: { object: AstNode; property: AstNode; computed: boolean };
  ObjectExpression: { properties: AstNode[] };
  ObjectProperty: { key: AstNode; value: AstNode; computed: boolean };
  ArrayExpression: { elements: (AstNode | null)[] };
  ArrayPattern: { elements: (AstNode | null)[] };
  SpreadElement: { argument: AstNode };
  UnaryExpression: { operator: string; argument: AstNode };
  BinaryExpression: { operator: string; left: AstNode; right: AstNode };
  LogicalExpression: { operator: string; left: AstNode; right: AstNode };
  ConditionalExpression: { test: AstNode; consequent: AstNode; alternate: AstNode };
  AssignmentExpression: { operator: string; left: AstNode; right: AstNode };
  UpdateExpression: { operator: string; argument: AstNode };
  VariableDeclaration: { kind: string; declarations: AstNode[] };
  VariableDeclarator: { id: AstNode; init: AstNode | null };
  ExportNamedDeclaration: { declaration: AstNode | null };
  ExportDefaultDeclaration: { declaration: AstNode };
  ImportDeclaration: { source: AstNode; specifiers: AstNode[]; importKind?: string };
  ImportSpecifier: { imported: AstNode; local: AstNode; importKind?: string };
  FunctionDeclaration: { id: AstNode | null; params: AstNode[]; body: AstNode };
  BlockStatement: { body: AstNode[] };
  ExpressionStatement: { expression: AstNode };
  ReturnStatement: { argument: AstNode | null };
  ThrowStatement: { argument: AstNode };
  IfStatement: { test: AstNode; consequent: AstNode; alternate: AstNode | null };
  SwitchStatement: { discriminant: AstNode; cases: AstNode[] };
  SwitchCase: { test: AstNode | null; consequent: AstNode[] };
  ForStatement: {
    init: AstNode | null;
    test: AstNode | null;
    update: AstNode | null;
    body: AstNode;
  };
  ForOfStatement: { left: AstNode; right: AstNode; body: AstNode };
  TryStatement: { block: AstNode; handler: AstNode | null; finalizer: AstNode | null };
  CatchClause: { param: AstNode | null; body: AstNode };
  LabeledStatement: { body: AstNode };
}

/** A node of type `K` with its typed fields. */
export type NodeOf<K extends keyof Fields> = AstNode & Fields[K] & { type: K };

/** Narrows `node` to the node type `type`. */
export function is<K extends keyof Fields>(
  node: AstNode | null | undefined,
  type: K,
): node is NodeOf<K> {
  return node?.type === type;
}

/** True for arrow functions, function expressions and object methods. */
export function isFunction(node: AstNode | null | undefined): node is AstNode & {
  params: AstNode[];
  body: AstNode;
} {
  return node?.type === "ArrowFunctionExpression" || node?.type === "FunctionExpression" ||
    node?.type === "FunctionDeclaration" || node?.type === "ObjectMethod";
}

const wrappers = new Set([
  "TSAsExpression",
  "TSSatisfiesExpression",
  "TSNonNullExpression",
  "TSTypeAssertion",
  "TSInstantiationExpression",
  "ParenthesizedExpression",
]);

/** Strips type-only wrappers (`as`, `satisfies`, `!`, `<T>x`) and parentheses. */
export function unwrap(node: AstNode): AstNode {
  let at = node;
  while (wrappers.has(at.type) && isNode(at.expression)) at = at.expression;
  return at;
}

/** True for values that look like syntax nodes. */
function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null &&
    typeof (value as { type?: unknown }).type === "string";
}

const skippedKeys = new Set([
  "loc",
  "extra",
  "leadingComments",
  "trailingComments",
  "innerComments",
  "typeAnnotation",
  "typeParameters",
  "typeArguments",
  "returnType",
]);

/** The direct child nodes of `node`, type annotations excluded, in source order. */
export function childNodes(node: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const key in node) {
    if (skippedKeys.has(key)) continue;
    const value = node[key];
    if (Array.isArray(value)) { for (const item of value) isNode(item) && out.push(item); }
    else if (isNode(value)) out.push(value);
  }
  return out;
}

/** True when some node under `node` (itself included) satisfies `test`. */
export function someNode(node: AstNode, test: (node: AstNode) => boolean): boolean {
  if (test(node)) return true;
  return childNodes(node).some((child) => someNode(child, test));
}

/**
 * True when an identifier under `node` that reads a variable satisfies `test`;
 * property names (`a.name`, `{ name: 1 }`) are not reads.
 */
export function someReference(node: AstNode, test: (name: string) => boolean): boolean {
  if (is(node, "Identifier")) return test(node.name);
  for (const child of childNodes(node)) {
    const isName = (child === node.property || child === node.key) && child !== node.value;
    if (isName && node.computed !== true) continue;
    if (someReference(child, test)) return true;
  }
  return false;
}

/** The span of `node`, with 1-based line and column. */
export function spanOf(node: AstNode): Span {
  const loc = node.loc?.start;
  return {
    start: node.start ?? 0,
    end: node.end ?? 0,
    line: loc?.line ?? 1,
    column: (loc?.column ?? 0) + 1,
  };
}

/** The literal string of a string literal or a template without holes. */
export function stringValue(node: AstNode | null | undefined): string | undefined {
  if (!node) return undefined;
  const at = unwrap(node);
  if (is(at, "StringLiteral")) return at.value;
  if (is(at, "TemplateLiteral") && at.expressions.length === 0) {
    const cooked = (at.quasis[0]?.value as { cooked?: unknown } | undefined)?.cooked;
    return typeof cooked === "string" ? cooked : undefined;
  }
  return undefined;
}

/** The name of a non-computed property key (`name`, `"name"`). */
export function keyName(property: AstNode): string | undefined {
  if (property.computed === true) return stringValue(property.key as AstNode);
  const key = property.key;
  if (is(key as AstNode, "Identifier")) return (key as NodeOf<"Identifier">).name;
  return stringValue(key as AstNode);
}

/** The value of the property `name` of an object literal, if it is written plainly. */
export function propertyValue(object: AstNode, name: string): AstNode | undefined {
  const at = unwrap(object);
  if (!is(at, "ObjectExpression")) return undefined;
  for (const property of at.properties) {
    if (is(property, "ObjectProperty") && keyName(property) === name) return property.value;
  }
  return undefined;
}

/** The identifiers a binding pattern declares (`a`, `{ a, b: [c] }`, `...d`). */
export function patternNames(pattern: AstNode | null | undefined): string[] {
  if (!pattern) return [];
  if (is(pattern, "Identifier")) return [pattern.name];
  switch (pattern.type) {
    case "ObjectPattern":
      return (pattern.properties as AstNode[]).flatMap((p) =>
        patternNames((p.type === "RestElement" ? p.argument : p.value) as AstNode)
      );
    case "ArrayPattern":
      return (pattern.elements as (AstNode | null)[]).flatMap((e) => patternNames(e));
    case "RestElement":
      return patternNames(pattern.argument as AstNode);
    case "AssignmentPattern":
      return patternNames(pattern.left as AstNode);
    case "TSParameterProperty":
      return patternNames(pattern.parameter as AstNode);
    default:
      return [];
  }
}
