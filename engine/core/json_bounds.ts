/**
 * Bounds on JSON values: what an input may hold (nesting depth, well-formed
 * text), and how readers show or export a value an older database holds
 * beyond those bounds without failing.
 *
 * @example Check a request body
 * ```ts
 * import { checkJsonInput } from "./json_bounds.ts";
 * console.log(checkJsonInput({ name: "etl" })); // undefined
 * console.log(checkJsonInput({ name: "\ud800" })?.code); // "invalid_unicode"
 * ```
 *
 * @module
 */
import type { Json } from "./model.ts";

/** Deepest nesting of arrays and objects an input may have (the top value is level 1). */
export const MAX_JSON_DEPTH = 64;

/** Why an input value was refused: `code`, where (`a.b[2]`) and a sentence. */
export interface JsonProblem {
  code: "json_too_deep" | "invalid_unicode";
  path: string;
  message: string;
}

/**
 * Whether `text` is well-formed Unicode without NUL characters: no lone
 * surrogate (which `encodeURIComponent` and UTF-8 encoders refuse) and no
 * `\u0000` (which C-string APIs cut at).
 */
export function isCleanText(text: string): boolean {
  return text.isWellFormed() && !text.includes("\u0000");
}

/**
 * The first problem of `value` as an input, or `undefined` when it is fine:
 * nesting deeper than `maxDepth`, or a string or key that is not clean text
 * (see {@linkcode isCleanText}). Walks iteratively, so any depth is safe.
 */
export function checkJsonInput(
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): JsonProblem | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: "" }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === "string") {
      if (!isCleanText(item.value)) return unclean(item.path, "value");
      continue;
    }
    if (item.value === null || typeof item.value !== "object") continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      return {
        code: "json_too_deep",
        path: item.path,
        message: `JSON nesting exceeds ${maxDepth} levels${at(item.path)}`,
      };
    }
    if (Array.isArray(item.value)) {
      item.value.forEach((child, i) =>
        stack.push({ value: child, depth, path: `${item.path}[${i}]` })
      );
      continue;
    }
    for (const [key, child] of Object.entries(item.value)) {
      const path = item.path ? `${item.path}.${key}` : key;
      if (!isCleanText(key)) return unclean(item.path, "key");
      stack.push({ value: child, depth, path });
    }
  }
  return undefined;
}

function unclean(path: string, what: "value" | "key"): JsonProblem {
  return {
    code: "invalid_unicode",
    path,
    message: `A text ${what}${
      at(path)
    } is not well-formed Unicode (a lone surrogate or a NUL character)`,
  };
}

function at(path: string): string {
  if (!path) return "";
  const clean = path.toWellFormed();
  return ` at "${clean.length > 80 ? `${clean.slice(0, 79)}…` : clean}"`;
}

/** What a reader shows in place of a part nested deeper than it shows. */
export const TOO_DEEP_MARKER = "[nested too deeply to show]";

/**
 * `value` with every part nested deeper than `maxDepth` replaced by
 * {@linkcode TOO_DEEP_MARKER}, for readers (API, SSE, pages) of values an
 * older database may hold. Returns `value` itself when nothing is cut.
 */
export function boundJsonDepth<T extends Json | null | undefined>(
  value: T,
  maxDepth: number = MAX_JSON_DEPTH,
): T {
  return cut(value, maxDepth) as T;
}

function cut(value: unknown, levelsLeft: number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (levelsLeft <= 0) return TOO_DEEP_MARKER;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((child, i) => {
      const bounded = cut(child, levelsLeft - 1);
      if (bounded !== child) (copy ??= [...value])[i] = bounded;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(value)) {
    const bounded = cut(child, levelsLeft - 1);
    if (bounded !== child) (copy ??= { ...value })[key] = bounded;
  }
  return copy ?? value;
}

/**
 * `JSON.stringify(value)`, also for values nested deeper than the call stack
 * allows: then an iterative writer produces the same text. For exports,
 * which must carry every value faithfully.
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return stringifyIteratively(value);
  }
}

type Frame =
  | { kind: "text"; text: string }
  | { kind: "value"; value: unknown; key: string | number | undefined };

function stringifyIteratively(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [{ kind: "value", value: root, key: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.kind === "text") {
      out.push(frame.text);
      continue;
    }
    let value = frame.value;
    const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, String(frame.key ?? ""));
    if (value === null || typeof value !== "object") {
      // Primitives (and what JSON.stringify drops) are written by JSON.stringify itself.
      out.push(JSON.stringify(value) ?? "null");
      continue;
    }
    const parts: Frame[] = [];
    if (Array.isArray(value)) {
      parts.push({ kind: "text", text: "[" });
      value.forEach((child, i) => {
        if (i > 0) parts.push({ kind: "text", text: "," });
        parts.push({ kind: "value", value: child, key: i });
      });
      parts.push({ kind: "text", text: "]" });
    } else {
      parts.push({ kind: "text", text: "{" });
      let first = true;
      for (const [key, child] of Object.entries(value)) {
        if (child === undefined || typeof child === "function" || typeof child === "symbol") {
          continue;
        }
        parts.push({ kind: "text", text: `${first ? "" : ","}${JSON.stringify(key)}:` });
        parts.push({ kind: "value", value: child, key });
        first = false;
      }
      parts.push({ kind: "text", text: "}" });
    }
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]!);
  }
  return out.join("");
}
