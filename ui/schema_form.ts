/**
 * Form fields from a JSON Schema, and back: which input each property gets
 * (number, text, choice, yes/no, a nested group, or JSON text for anything
 * else), and how posted field values become the JSON they stand for. The
 * values are never judged here: the server checks the result with the same
 * validator as the API, so the form and the API cannot disagree.
 *
 * @module
 */
import type { Json } from "../engine/mod.ts";

/** Prefix of every field name a schema form posts (`p.pages`, `p.db.host`). */
export const FIELD_PREFIX = "p.";

/** One input of a schema form. */
export type SchemaField =
  | {
    kind: "number" | "integer" | "text" | "choice" | "boolean" | "json";
    name: string;
    path: string;
    label: string;
    description: string | null;
    required: boolean;
    choices: readonly string[];
    /** The schema's `default`, if it has one. */
    fallback: Json | undefined;
  }
  | {
    kind: "group";
    name: string;
    path: string;
    label: string;
    description: string | null;
    required: boolean;
    fields: readonly SchemaField[];
  };

type Schema = { [key: string]: Json };

function asSchema(value: Json | undefined): Schema | null {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? value as Schema
    : null;
}

function propertiesOf(schema: Schema): [string, Schema][] {
  const properties = asSchema(schema["properties"]);
  if (properties === null) return [];
  return Object.entries(properties).flatMap(([name, sub]) => {
    const s = asSchema(sub);
    return s === null ? [] : [[name, s] as [string, Schema]];
  });
}

/** Whether a schema describes an object with named properties (so it can become a form). */
export function hasFields(schema: Json | null | undefined): boolean {
  const s = asSchema(schema ?? null);
  return s !== null && propertiesOf(s).length > 0;
}

function kindOf(schema: Schema): Exclude<SchemaField["kind"], "group"> {
  if (Array.isArray(schema["enum"]) && schema["enum"].every((v) => typeof v === "string")) {
    return "choice";
  }
  switch (schema["type"]) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "string":
      return "text";
    default:
      return "json";
  }
}

/** The fields of an object schema, nested objects as groups. */
export function schemaFields(schema: Json | null | undefined, prefix = ""): SchemaField[] {
  const s = asSchema(schema ?? null);
  if (s === null) return [];
  const required = new Set(
    Array.isArray(s["required"]) ? s["required"].filter((r) => typeof r === "string") : [],
  );
  return propertiesOf(s).map(([key, sub]) => {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const common = {
      name: FIELD_PREFIX + path,
      path,
      label: typeof sub["title"] === "string" ? sub["title"] : key,
      description: typeof sub["description"] === "string" ? sub["description"] : null,
      required: required.has(key),
    };
    if (sub["type"] === "object" && hasFields(sub)) {
      return { kind: "group", ...common, fields: schemaFields(sub, path) };
    }
    const kind = kindOf(sub);
    const choices = kind === "choice" ? (sub["enum"] as string[]) : [];
    return { kind, ...common, choices, fallback: sub["default"] };
  });
}

/** A field's starting text from a JSON value (the defaults, or what was posted). */
export function fieldText(kind: SchemaField["kind"], value: Json | undefined): string {
  if (value === undefined || value === null) return "";
  if (kind === "json") return JSON.stringify(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The starting text of every field: `values` where set, else the schema's default. */
export function fieldTexts(
  fields: readonly SchemaField[],
  values: Json | undefined,
): Record<string, string> {
  const texts: Record<string, string> = {};
  const walk = (fs: readonly SchemaField[]) => {
    for (const f of fs) {
      if (f.kind === "group") walk(f.fields);
      else texts[f.path] = fieldText(f.kind, valueAt(values, f.path) ?? f.fallback);
    }
  };
  walk(fields);
  return texts;
}

/** The posted text of every field, by path. */
export function postedTexts(
  fields: readonly SchemaField[],
  form: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const texts: Record<string, string> = {};
  const walk = (fs: readonly SchemaField[]) => {
    for (const f of fs) {
      if (f.kind === "group") walk(f.fields);
      else texts[f.path] = typeof form[f.name] === "string" ? form[f.name] as string : "";
    }
  };
  walk(fields);
  return texts;
}

/** The value at a dot path of a JSON object, if any. */
export function valueAt(root: Json | undefined, path: string): Json | undefined {
  let here: Json | undefined = root;
  for (const key of path.split(".")) {
    const o = asSchema(here ?? null);
    if (o === null) return undefined;
    here = o[key];
  }
  return here;
}

/** What posting a schema form gave: the JSON object, and per-field problems of the text. */
export interface FormValues {
  value: { [name: string]: Json };
  problems: Map<string, string>;
}

/**
 * Turns posted fields into the JSON object they describe. A blank field is
 * left out (the defaults apply); a number that is not a number, or JSON
 * text that does not parse, is a problem of its field.
 */
export function valuesFromForm(
  schema: Json | null | undefined,
  form: Readonly<Record<string, unknown>>,
): FormValues {
  const problems = new Map<string, string>();
  const collect = (fields: readonly SchemaField[]) => {
    const out: { [name: string]: Json } = {};
    for (const field of fields) {
      if (field.kind === "group") {
        const inner = collect(field.fields);
        if (Object.keys(inner).length > 0) out[field.path.split(".").pop()!] = inner;
        continue;
      }
      const raw = form[field.name];
      const text = typeof raw === "string" ? raw.trim() : "";
      if (text === "") continue;
      const key = field.path.split(".").pop()!;
      if (field.kind === "integer" || field.kind === "number") {
        const n = Number(text);
        if (Number.isFinite(n)) out[key] = n;
        else problems.set(field.path, `"${text}" is not a number`);
      } else if (field.kind === "boolean") {
        out[key] = text === "true";
      } else if (field.kind === "json") {
        try {
          out[key] = JSON.parse(text) as Json;
        } catch (error) {
          problems.set(field.path, `Not valid JSON: ${(error as Error).message}`);
        }
      } else {
        out[key] = text;
      }
    }
    return out;
  };
  return { value: collect(schemaFields(schema)), problems };
}

/**
 * Splits `path: message` problem lines (the validator's) into the field each
 * names; lines naming no field of the form stay general.
 */
export function problemsByField(
  fields: readonly SchemaField[],
  lines: readonly string[],
): { byField: Map<string, string>; general: string[] } {
  const paths = new Set<string>();
  const walk = (fs: readonly SchemaField[]) => {
    for (const f of fs) f.kind === "group" ? walk(f.fields) : paths.add(f.path);
  };
  walk(fields);
  const byField = new Map<string, string>();
  const general: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(": ");
    const path = colon > 0 ? line.slice(0, colon) : "";
    // A problem inside a JSON field (`tags.0: …`) belongs to that field.
    const owner = [...paths].find((p) => path === p || path.startsWith(`${p}.`));
    if (owner === undefined) general.push(line);
    else byField.set(owner, byField.has(owner) ? `${byField.get(owner)}; ${line}` : line);
  }
  return { byField, general };
}
