/**
 * JSON templates: strings holding `{{ path }}` placeholders, resolved against
 * named sources (`body`, `event`, `variables`...). A string that is exactly
 * one placeholder takes the value with its JSON type; otherwise values are
 * written into the string.
 *
 * @module
 */
import { InvalidArgumentError, type Json } from "../core/mod.ts";

/** Named roots a template may read: `{ body, event }` for webhooks, `{ event }` for actions. */
export type TemplateSources = Readonly<Record<string, Json | undefined>>;

/** A placeholder names a root the template cannot read. */
export class TemplateError extends InvalidArgumentError {
  override name = "TemplateError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "invalid_template" });
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

/**
 * Renders `template` (any JSON; strings anywhere in it are templates).
 *
 * @example
 * ```ts
 * import { renderTemplate } from "./template.ts";
 * const out = renderTemplate(
 *   { file: "{{ body.name }}", size: "{{ body.size }}", note: "got {{ body.name }}" },
 *   { body: { name: "a.csv", size: 12 } },
 * );
 * console.log(out); // { file: "a.csv", size: 12, note: "got a.csv" }
 * ```
 */
export function renderTemplate(template: Json, sources: TemplateSources): Json {
  if (typeof template === "string") return renderString(template, sources);
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, sources));
  if (template !== null && typeof template === "object") {
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(template)) out[key] = renderTemplate(value, sources);
    return out;
  }
  return template;
}

/** The roots `template` reads that `sources` lacks (empty: it renders). */
export function templateProblems(template: Json, roots: readonly string[]): string[] {
  const problems = new Set<string>();
  const visit = (value: Json) => {
    if (typeof value === "string") {
      for (const match of value.matchAll(PLACEHOLDER)) {
        const root = match[1]!.split(".")[0]!;
        if (!roots.includes(root)) {
          problems.add(
            `placeholder "{{ ${match[1]} }}" reads "${root}": use one of ${roots.join(", ")}`,
          );
        }
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(template);
  return [...problems];
}

function renderString(text: string, sources: TemplateSources): Json {
  const whole = text.match(WHOLE);
  if (whole) return lookup(whole[1]!, sources) ?? null;
  return text.replace(PLACEHOLDER, (_all, path: string) => {
    const value = lookup(path, sources);
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

function lookup(path: string, sources: TemplateSources): Json | undefined {
  const [root, ...rest] = path.split(".");
  if (!Object.hasOwn(sources, root!)) {
    throw new TemplateError(
      `Cannot render "{{ ${path} }}": unknown source "${root}" (known: ${
        Object.keys(sources).join(", ")
      })`,
    );
  }
  let value: Json | undefined = sources[root!];
  for (const key of rest) {
    if (value === null || typeof value !== "object") return undefined;
    value = Array.isArray(value) ? value[Number(key)] : value[key];
  }
  return value;
}
