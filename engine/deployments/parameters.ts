/**
 * Checking parameters (and resume input) against a JSON schema, with zod's
 * JSON Schema support (zod is already the server's validator).
 *
 * zod is loaded when first needed, not with the engine: importing it costs a
 * process about a sixth of its start-up CPU and 10 MB, and most processes (a
 * worker's run process, a flow script) never check a schema. The checks are
 * synchronous because they run inside transactions; every asynchronous entry
 * point that can reach them awaits {@linkcode loadSchemaSupport} first.
 *
 * @module
 */
import type { z as Zod } from "npm:zod@^4.6.7";
import type { Json } from "../core/mod.ts";
import { detached } from "../detached.ts";

let zod: typeof Zod | undefined;
let loading: Promise<void> | undefined;

/** Loads the JSON Schema support once; the checks below need it. */
export function loadSchemaSupport(): Promise<void> {
  // Often first called inside a flow run: its context must not ride along.
  loading ??= detached(() => import("npm:zod@^4.6.7")).then(
    (module) => {
      zod = module.z;
    },
    (error) => {
      loading = undefined; // a later call tries again
      throw error;
    },
  );
  return loading;
}

/** Whether {@linkcode loadSchemaSupport} has finished (the checks can run now). */
export function schemaSupportLoaded(): boolean {
  return zod !== undefined;
}

function loaded(): typeof Zod {
  if (zod === undefined) {
    throw new Error(
      "Internal error: JSON Schema support is not loaded; await loadSchemaSupport() first",
    );
  }
  return zod;
}

const compiled = new Map<string, Zod.ZodType>();

function schemaOf(schema: Json): Zod.ZodType {
  const key = JSON.stringify(schema);
  let hit = compiled.get(key);
  if (!hit) {
    if (compiled.size > 1000) compiled.clear();
    const z = loaded();
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
  loaded();
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

/**
 * The JSON Schema of a zod schema (anything else, or one that does not
 * convert: `null`), so that input checked in one process can be checked
 * again where it is sent from another.
 */
export function jsonSchemaOfZod(schema: unknown): Json | null {
  const z = loaded();
  try {
    return z.toJSONSchema(schema as Zod.ZodType, { unrepresentable: "any" }) as Json;
  } catch {
    return null;
  }
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
