/**
 * `{{ variables.name }}` placeholders in JSON templates (deployment files,
 * automation actions). A string that is only a placeholder becomes the
 * variable's JSON value (a number stays a number); a placeholder inside a
 * longer string is replaced by the value's text. Resolution is synchronous
 * over a lookup, so callers fetch the named variables first
 * ({@linkcode variableNamesIn}) from wherever they live.
 *
 * @module
 */
import { type Json, NotFoundError } from "../core/mod.ts";

const PLACEHOLDER = /\{\{\s*variables\.([A-Za-z0-9_.-]+)\s*\}\}/g;
const WHOLE = /^\{\{\s*variables\.([A-Za-z0-9_.-]+)\s*\}\}$/;

/** The variable names a template refers to, each once, in order of appearance. */
export function variableNamesIn(template: unknown): string[] {
  const names = new Set<string>();
  walkStrings(template, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]!);
  });
  return [...names];
}

/**
 * Replaces every `{{ variables.name }}` in the strings of `template` (at any
 * depth; object keys stay as they are) with the variable's value from
 * `lookup`. A name `lookup` does not know is refused with a
 * {@linkcode NotFoundError} (code `variable_not_found`): a template never
 * quietly keeps a placeholder.
 *
 * @example
 * ```ts
 * import { resolveVariableTemplate } from "./template.ts";
 * const values = new Map<string, string | number>([["region", "eu-west-1"], ["batch", 500]]);
 * const out = resolveVariableTemplate(
 *   { batch: "{{ variables.batch }}", url: "s3://{{ variables.region }}/in" },
 *   (name) => values.get(name),
 * );
 * console.assert(JSON.stringify(out) === '{"batch":500,"url":"s3://eu-west-1/in"}');
 * ```
 */
export function resolveVariableTemplate(
  template: Json,
  lookup: (name: string) => Json | undefined,
): Json {
  const valueOf = (name: string): Json => {
    const value = lookup(name);
    if (value === undefined) {
      throw new NotFoundError(
        `Variable "${name}" does not exist (used as {{ variables.${name} }})`,
        {
          code: "variable_not_found",
        },
      );
    }
    return value;
  };
  const resolve = (node: Json): Json => {
    if (typeof node === "string") {
      const whole = node.match(WHOLE);
      if (whole) return valueOf(whole[1]!);
      return node.replace(PLACEHOLDER, (_all, name: string) => {
        const value = valueOf(name);
        return typeof value === "string" ? value : JSON.stringify(value);
      });
    }
    if (Array.isArray(node)) return node.map(resolve);
    if (node !== null && typeof node === "object") {
      const out: { [key: string]: Json } = {};
      for (const [key, value] of Object.entries(node)) {
        if (value !== undefined) out[key] = resolve(value);
      }
      return out;
    }
    return node;
  };
  return resolve(template);
}

function walkStrings(node: unknown, visit: (text: string) => void): void {
  if (typeof node === "string") visit(node);
  else if (Array.isArray(node)) { for (const item of node) walkStrings(item, visit); }
  else if (node !== null && typeof node === "object") {
    for (const value of Object.values(node)) walkStrings(value, visit);
  }
}
