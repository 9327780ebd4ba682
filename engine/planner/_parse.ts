/**
 * The one place that talks to the parser (`@babel/parser`, TypeScript plugin).
 *
 * @module
 */

// A full npm: specifier, not the import map's bare name: flow modules import
// the SDK by path or URL from projects that do not have this import map.
import { parse, type ParserPlugin } from "npm:@babel/parser@^8.1.3";
import type { AstNode } from "./_ast.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";
import type { Diagnostic } from "./types.ts";

/** The program's top-level statements, or the syntax errors that prevented them. */
export type ParseOutcome =
  | { ok: true; body: AstNode[] }
  | { ok: false; diagnostics: Diagnostic[] };

interface BabelError {
  message?: unknown;
  pos?: unknown;
  loc?: { line?: unknown; column?: unknown };
}

/** Parses a TypeScript module; never throws on bad syntax. */
export function parseModule(source: string, fileName: string): ParseOutcome {
  const plugins: ParserPlugin[] = ["typescript", "decorators", "decoratorAutoAccessors"];
  if (/\.[jt]sx$/.test(fileName)) plugins.push("jsx");
  try {
    const file = parse(source, {
      sourceType: "module",
      sourceFilename: fileName,
      plugins,
      errorRecovery: true,
      attachComment: false,
    });
    const errors = (file.errors ?? []) as BabelError[];
    if (errors.length > 0) {
      return {
        ok: false,
        diagnostics: errors.map((e) => toDiagnostic(e, fileName)),
      };
    }
    return { ok: true, body: file.program.body as unknown as AstNode[] };
  } catch (error) {
    return { ok: false, diagnostics: [toDiagnostic(error as BabelError, fileName)] };
  }
}

function toDiagnostic(error: BabelError, fileName: string): Diagnostic {
  const reason = String(error.message ?? error).replace(/ \(\d+:\d+\)$/, "");
  const line = typeof error.loc?.line === "number" ? error.loc.line : 1;
  const column = typeof error.loc?.column === "number" ? error.loc.column + 1 : 1;
  const start = typeof error.pos === "number" ? error.pos : 0;
  return {
    severity: "error",
    code: DiagnosticCode.ParseError,
    message: `Cannot parse "${fileName}" at ${line}:${column}: ${reason}`,
    span: { start, end: start, line, column },
  };
}
