/**
 * Variables to and from API JSON, without the schemas (and zod): the SDK's
 * remote client imports these while a run process starts.
 *
 * @module
 */
import type { Variable } from "../engine/variables/mod.ts";
import type { Json } from "../engine/mod.ts";
import type { ApiVariable } from "./variable_schemas.ts";

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
