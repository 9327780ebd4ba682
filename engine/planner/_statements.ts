/**
 * Statements of the flow body: blocks, declarations, branches, `try`, exits.
 *
 * @module
 */

import { type AstNode, is, type NodeOf, patternNames } from "./_ast.ts";
import type { Completion, PlanBuilder } from "./_builder.ts";
import { branchMessage, callbackRegion } from "./_expressions.ts";
import { walkDynamicLoop, walkFor, walkForOf } from "./_loops.ts";
import { NO_DEPS, plainValue, Scope } from "./_scope.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";

/** Walks statements in order until one of them leaves unconditionally. */
export function walkStatements(
  b: PlanBuilder,
  statements: readonly AstNode[],
  scope: Scope,
): Completion {
  for (const statement of statements) {
    const completion = walkStatement(b, statement, scope);
    if (completion !== "normal") return completion;
  }
  return "normal";
}

/** Walks one statement. */
export function walkStatement(b: PlanBuilder, statement: AstNode, scope: Scope): Completion {
  switch (statement.type) {
    case "ExpressionStatement":
      b.walk.evaluate(b, (statement as NodeOf<"ExpressionStatement">).expression, scope);
      return "normal";
    case "VariableDeclaration":
      b.walk.declareVariables(b, statement as NodeOf<"VariableDeclaration">, scope);
      return "normal";
    case "BlockStatement":
      return walkStatements(b, (statement as NodeOf<"BlockStatement">).body, new Scope(scope));
    case "ReturnStatement": {
      const argument = (statement as NodeOf<"ReturnStatement">).argument;
      b.addReturn(argument ? b.walk.evaluate(b, argument, scope) : NO_DEPS);
      return "return";
    }
    case "ThrowStatement":
      b.walk.evaluate(b, (statement as NodeOf<"ThrowStatement">).argument, scope);
      return "throw";
    case "BreakStatement":
    case "ContinueStatement":
      return "break";
    case "IfStatement":
      return walkIf(b, statement as NodeOf<"IfStatement">, scope);
    case "SwitchStatement":
      return walkSwitch(b, statement as NodeOf<"SwitchStatement">, scope);
    case "TryStatement":
      return walkTry(b, statement as NodeOf<"TryStatement">, scope);
    case "ForStatement":
      return walkFor(b, statement as NodeOf<"ForStatement">, scope);
    case "ForOfStatement":
      return walkForOf(b, statement as NodeOf<"ForOfStatement">, scope);
    case "ForInStatement":
    case "WhileStatement":
    case "DoWhileStatement":
      return walkDynamicLoop(b, statement, scope);
    case "LabeledStatement": {
      const completion = walkStatement(b, (statement as NodeOf<"LabeledStatement">).body, scope);
      return completion === "break" ? "normal" : completion;
    }
    case "FunctionDeclaration": {
      const fn = statement as NodeOf<"FunctionDeclaration">;
      const deps = callbackRegion(b, fn, scope);
      if (is(fn.id, "Identifier")) scope.declare(fn.id.name, plainValue(deps));
      return "normal";
    }
    case "ClassDeclaration":
      b.walk.evaluate(b, { ...statement, type: "ClassExpression" }, scope);
      return "normal";
    default:
      return "normal"; // type declarations, empty statements, `debugger`
  }
}

/** Combines the completions of a branch's paths; a `return` on some path makes the rest conditional. */
function joinBranches(b: PlanBuilder, at: AstNode, completions: Completion[]): Completion {
  const leaves = (c: Completion) => c === "return" || c === "throw";
  if (completions.length > 0 && completions.every(leaves)) {
    return completions.includes("return") ? "return" : "throw";
  }
  if (completions.includes("return")) b.conditionalExit(at);
  return "normal";
}

function walkIf(b: PlanBuilder, statement: NodeOf<"IfStatement">, scope: Scope): Completion {
  b.walk.evaluate(b, statement.test, scope);
  const completions = b.region(
    DiagnosticCode.DynamicConditional,
    branchMessage("if", statement),
    statement,
    () => [
      walkStatement(b, statement.consequent, new Scope(scope)),
      statement.alternate ? walkStatement(b, statement.alternate, new Scope(scope)) : "normal",
    ],
  );
  return joinBranches(b, statement, completions);
}

function walkSwitch(
  b: PlanBuilder,
  statement: NodeOf<"SwitchStatement">,
  scope: Scope,
): Completion {
  b.walk.evaluate(b, statement.discriminant, scope);
  const inner = new Scope(scope);
  const completions = b.region(
    DiagnosticCode.DynamicConditional,
    branchMessage("switch", statement),
    statement,
    () =>
      statement.cases.map((c) => {
        const switchCase = c as NodeOf<"SwitchCase">;
        if (switchCase.test) b.walk.evaluate(b, switchCase.test, inner);
        return walkStatements(b, switchCase.consequent, inner);
      }),
  );
  const hasDefault = statement.cases.some((c) => (c as NodeOf<"SwitchCase">).test === null);
  return joinBranches(b, statement, hasDefault ? completions : [...completions, "normal"]);
}

function walkTry(b: PlanBuilder, statement: NodeOf<"TryStatement">, scope: Scope): Completion {
  const block = walkStatement(b, statement.block, scope);
  const clause = statement.handler as NodeOf<"CatchClause"> | null;
  let completion = block;
  if (clause) {
    const handler = b.region(
      DiagnosticCode.DynamicConditional,
      branchMessage("catch", clause),
      clause,
      () => {
        const inner = new Scope(scope);
        for (const name of patternNames(clause.param)) inner.declare(name, plainValue());
        return walkStatement(b, clause.body, inner);
      },
    );
    // The catch path runs when the block throws: always if it throws unconditionally.
    completion = block === "throw" ? handler : joinBranches(b, clause, [block, handler]);
  }
  const finalizer = statement.finalizer ? walkStatement(b, statement.finalizer, scope) : "normal";
  return finalizer === "normal" ? completion : finalizer;
}
