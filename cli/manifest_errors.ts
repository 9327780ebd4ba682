/**
 * Where a problem of `ironflow.yaml` is: the line and column of a YAML syntax
 * error (the place to fix, reported once, with the line it is on) and of a
 * schema problem (the value of the wrong type, the unknown key).
 *
 * @module
 */
import { isMap, isNode, isPair, isScalar, type LineCounter, type YAMLError } from "npm:yaml@^2.9.1";
import type { Document } from "npm:yaml@^2.9.1";

/** `line L, column C` of `offset` (1-based). */
function at(lines: LineCounter, offset: number): { line: number; col: number } {
  return lines.linePos(offset);
}

/** The source line `line` (1-based) with a caret under `col`. */
function excerpt(text: string, line: number, col: number): string {
  const source = text.split(/\r?\n/)[line - 1] ?? "";
  const gutter = String(line);
  const pad = " ".repeat(gutter.length);
  // Tabs keep their width under the caret.
  const lead = source.slice(0, col - 1).replace(/[^\t]/g, " ");
  return `  ${gutter} | ${source}\n  ${pad} | ${lead}^`;
}

// The place to fix for errors the parser notices only later: an unclosed
// quote or bracket is reported where the file or the block ends.
function placeOf(error: YAMLError, text: string): number {
  const offset = error.pos[0];
  const quote = error.message.match(/^Missing closing (["'])quote/)?.[1];
  if (quote) {
    const opening = text.lastIndexOf(quote, offset - 1);
    if (opening >= 0) return opening;
  }
  const bracket = error.message.match(/end with an? ([\]}])/)?.[1];
  if (bracket) {
    const open = bracket === "]" ? "[" : "{";
    const opening = text.lastIndexOf(open, offset - 1);
    if (opening >= 0) return opening;
  }
  // An indentation problem is at the line's first character, not before it.
  if (error.code === "BAD_INDENT" || error.code === "MISSING_CHAR") {
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    if (offset === lineStart) {
      const first = text.slice(lineStart).search(/[^ ]/);
      if (first > 0) return lineStart + first;
    }
  }
  return offset;
}

/**
 * The one message of a manifest that does not parse: its first error (later
 * ones follow from it), at the place to fix, with that line.
 */
export function syntaxErrorMessage(
  file: string,
  text: string,
  errors: readonly YAMLError[],
  lines: LineCounter,
): string {
  const error = errors[0]!;
  // The parser's own text repeats the place and a context: keep the sentence.
  const sentence = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?\s*$/, "");
  const { line, col } = at(lines, placeOf(error, text));
  return `Cannot parse ${file}: line ${line}, column ${col}: ${sentence}\n${
    excerpt(text, line, col)
  }`;
}

/**
 * `line L, column C: ` of the value at `path` of `document` (for a key that
 * should not be there, of that key), or of the nearest enclosing value that
 * exists; "" when none has a place.
 */
export function placeOfPath(
  document: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth) as unknown[], true);
    if (!isNode(node)) continue;
    let offset = node.range?.[0];
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) =>
        isPair(item) && isScalar(item.key) && item.key.value === key
      );
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
    }
    if (offset === undefined) continue;
    const { line, col } = at(lines, offset);
    return `line ${line}, column ${col}: `;
  }
  return "";
}

interface Issue {
  code: string;
  message: string;
  path: PropertyKey[];
  errors?: Issue[][];
  expected?: string;
}

/** A schema issue as one clause that names what was expected and quotes what was given. */
export function issueMessage(issue: Issue, data: unknown): string {
  const value = issue.path.reduce<unknown>(
    (node, key) => (node as Record<PropertyKey, unknown> | null | undefined)?.[key],
    data,
  );
  const given = value === undefined
    ? ""
    : ` (got ${JSON.stringify(value)?.slice(0, 80) ?? String(value)})`;
  if (issue.code === "invalid_union" && issue.errors) {
    // Each branch's own complaint about the value itself, e.g. "expected number".
    const expected = [
      ...new Set(
        issue.errors.flatMap((branch) =>
          branch.filter((i) => i.path.length === 0 && i.code === "invalid_type")
            .map((i) => i.expected!)
        ),
      ),
    ];
    if (expected.length > 0) return `expected ${expected.join(" or ")}${given}`;
  }
  if (issue.code === "invalid_type" && value === undefined) return "missing (required)";
  if (issue.code === "invalid_type" || issue.code === "invalid_value") {
    return `${issue.message.replace(/^Invalid input: /, "")}${given}`;
  }
  return issue.message;
}
