/**
 * Checking a run's parameters against a deployment's JSON schema, with zod's
 * JSON Schema support (zod is already the server's validator).
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { Json } from "../core/mod.ts";

const compiled = new Map<string, z.ZodType>();

function schemaOf(schema: Json): z.ZodType {
  const key = JSON.stringify(schema);
  let hit = compiled.get(key);
  if (!hit) {
    if (compiled.size > 1000) compiled.clear();
    hit = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    compiled.set(key, hit);
  }
  return hit;
}

/** Problems of `schema` as a JSON schema (empty when it compiles). */
export function schemaProblems(schema: Json): string[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return ["parameter schema must be a JSON schema object"];
  }
  try {
    schemaOf(schema);
    return [];
  } catch (error) {
    return [`parameter schema is not a usable JSON schema: ${(error as Error).message}`];
  }
}

/** Problems of `parameters` under `schema`, as `path: message` lines (empty when valid). */
export function parameterProblems(schema: Json, parameters: Json): string[] {
  const parsed = schemaOf(schema).safeParse(parameters);
  if (parsed.success) return [];
  return issueProblems(parsed.error.issues);
}

/** Validation issues (zod's, or any with a path and a message) as `path: message` lines. */
export function issueProblems(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
}
