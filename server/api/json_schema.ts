/**
 * Zod schemas to JSON Schema for an OpenAPI document: named schemas (zod
 * `meta({ id })`) become `#/components/schemas/<id>`, unused helper
 * definitions are dropped.
 *
 * @module
 */
import { z } from "zod";
import { JsonSchema } from "../../wire/run_schemas.ts";

type JsonObject = Record<string, unknown>;

/** Converts schemas and collects the named ones as components. */
export class SchemaCollector {
  readonly components: Record<string, JsonObject> = {};
  #anonymous = 0;

  /** The JSON Schema of `schema` as accepted (`input`) or as answered (`output`). */
  convert(schema: z.ZodType, io: "input" | "output"): JsonObject {
    const json = z.toJSONSchema(schema, {
      io,
      unrepresentable: "any",
      override(ctx) {
        // Any JSON value: the recursive definition adds nothing for readers.
        if (ctx.zodSchema === JsonSchema) {
          for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
          ctx.jsonSchema.description = "Any JSON value";
        }
      },
    }) as JsonObject;
    delete json["$schema"];
    const defs = (json["$defs"] ?? {}) as Record<string, JsonObject>;
    delete json["$defs"];
    const names = new Map<string, string>();
    for (const name of reachable(json, defs)) {
      names.set(name, name.startsWith("__schema") ? `Schema${++this.#anonymous}` : name);
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== "object") return value;
      const out: JsonObject = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = key === "$ref" && typeof inner === "string" && inner.startsWith("#/$defs/")
          ? `#/components/schemas/${names.get(inner.slice(8)) ?? inner.slice(8)}`
          : rewrite(inner);
      }
      return out;
    };
    for (const [name, renamed] of names) {
      this.components[renamed] = rewrite(defs[name]) as JsonObject;
    }
    return rewrite(json) as JsonObject;
  }
}

// Names of the definitions reachable from `root` through `$ref`s.
function reachable(root: JsonObject, defs: Record<string, JsonObject>): Set<string> {
  const seen = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== "object") return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string" && inner.startsWith("#/$defs/")) {
        const name = inner.slice(8);
        if (!seen.has(name) && defs[name]) {
          seen.add(name);
          visit(defs[name]);
        }
      } else visit(inner);
    }
  };
  visit(root);
  return seen;
}
