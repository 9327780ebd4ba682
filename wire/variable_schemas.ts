/**
 * Schemas of variables on the wire.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";

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

export { fromApiVariable, toApiVariable } from "./variables.ts";
