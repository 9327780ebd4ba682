/**
 * Typing `--param k=v` by the flow: its parameter schema (`flow({ parameters
 * })`) says a parameter's JSON type, else a literal default in its signature
 * (`pages = 3`) does; a value that cannot be that type is refused before the
 * run starts instead of running with a wrong value.
 *
 * @module
 */
import type { Flow } from "../sdk/mod.ts";
import { UsageError } from "./format.ts";

type Kind = "number" | "integer" | "boolean" | "string";

/** The JSON type each named parameter must have, where the flow says. */
export function parameterKinds(flow: Flow<unknown[], unknown>): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const [name, value] of defaults(flow.fn as (...args: never[]) => unknown)) {
    if (/^-?\d+(\.\d+)?$/.test(value)) kinds.set(name, "number");
    else if (value === "true" || value === "false") kinds.set(name, "boolean");
    else if (/^(["'`]).*\1$/.test(value)) kinds.set(name, "string");
  }
  const properties =
    (flow.options.parameters as { properties?: Record<string, unknown> } | undefined)
      ?.properties ?? {};
  for (const [name, schema] of Object.entries(properties)) {
    const type = (schema as { type?: unknown } | null)?.type;
    if (type === "number" || type === "integer" || type === "boolean" || type === "string") {
      kinds.set(name, type);
    }
  }
  return kinds;
}

/** `--param` pairs as values of the flow's types; a value that cannot be one is an error. */
export function typedParameters(
  pairs: readonly string[],
  kinds: ReadonlyMap<string, Kind>,
): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue; // parseParameters reports it
    const name = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const kind = kinds.get(name);
    if (kind === undefined) continue;
    typed[name] = coerce(name, raw, kind);
  }
  return typed;
}

function coerce(name: string, raw: string, kind: Kind): unknown {
  if (kind === "string") return raw;
  if (kind === "boolean") {
    if (raw === "true" || raw === "false") return raw === "true";
    throw new UsageError(`--param ${name}=${raw}: "${name}" must be true or false`);
  }
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new UsageError(`--param ${name}=${raw}: "${name}" must be a number, got "${raw}"`);
  }
  if (kind === "integer" && !Number.isInteger(value)) {
    throw new UsageError(`--param ${name}=${raw}: "${name}" must be a whole number`);
  }
  return value;
}

// `name = literal` parameters of a function's source (types are gone at run time).
function defaults(fn: (...args: never[]) => unknown): Array<[string, string]> {
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf("(");
  if (open < 0) return [];
  let depth = 0;
  let end = -1;
  for (let i = open; i < source.length && end < 0; i++) {
    if ("([{".includes(source[i]!)) depth++;
    if (")]}".includes(source[i]!) && --depth === 0) end = i;
  }
  if (end < 0) return [];
  const found: Array<[string, string]> = [];
  for (const part of source.slice(open + 1, end).split(",")) {
    const match = part.match(/^\s*([A-Za-z_$][\w$]*)\s*=\s*(.+?)\s*$/);
    if (match) found.push([match[1]!, match[2]!]);
  }
  return found;
}
