/**
 * Schemas of variables on the wire.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { Variable } from "../engine/variables/mod.ts";
import type { Json } from "../engine/mod.ts";

/** A variable on the wire. */
export const VariableSchema = z.object({
  name: z.string(),
  value: z.json(),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: "Variable" });

/** A variable as API JSON. */
export type ApiVariable = z.infer<typeof VariableSchema>;

/** Body of `PUT /variables/:name`. */
export const SetVariableBody = z.strictObject({
  value: z.json().meta({ description: "Any JSON value, at most 64 KiB of JSON text" }),
});

/** A variable as API JSON. */
export function toApiVariable(variable: Variable): ApiVariable {
  return {
    name: variable.name,
    value: variable.value,
    created_at: new Date(variable.createdAt).toISOString(),
    updated_at: new Date(variable.updatedAt).toISOString(),
  };
}

/** A variable from API JSON. */
export function fromApiVariable(api: ApiVariable): Variable {
  return {
    name: api.name,
    value: api.value as Json,
    createdAt: Date.parse(api.created_at),
    updatedAt: Date.parse(api.updated_at),
  };
}
