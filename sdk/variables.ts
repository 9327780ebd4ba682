/**
 * `getVariable()`, `setVariable()` and `unsetVariable()`: named JSON values
 * on the control plane, in this process or on a server (`IRONFLOW_API_URL`).
 *
 * @module
 */
import type { Json } from "../engine/mod.ts";
import type { Variable } from "../engine/variables/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { currentContext } from "./context.ts";
import type { VariableClient } from "./variable_client.ts";

/** Options of the variable functions. */
export interface VariableOptions {
  /** @default the current run's control plane, or the default one */
  plane?: ControlPlane;
}

function variablesOf(options: VariableOptions): VariableClient {
  const plane = options.plane ?? currentContext()?.plane ?? getControlPlane();
  if (!plane.variables) throw new TypeError("This control plane keeps no variables");
  return plane.variables;
}

/**
 * The value of variable `name`, or `defaultValue` when it is not set
 * (`undefined` without one).
 *
 * @example
 * ```ts
 * import { flow } from "./mod.ts";
 * import { getVariable } from "./variables.ts";
 * export const ingest = flow({ name: "ingest" }, async () => {
 *   const batch = await getVariable("batch_size", 100);
 *   return batch;
 * });
 * ```
 */
export async function getVariable<T extends Json = Json>(
  name: string,
  defaultValue?: T,
  options: VariableOptions = {},
): Promise<T | undefined> {
  const found = await variablesOf(options).get(name);
  return found ? (found.value as T) : defaultValue;
}

/** Creates or replaces variable `name` with a JSON `value` (at most 64 KiB of JSON). */
export async function setVariable(
  name: string,
  value: Json,
  options: VariableOptions = {},
): Promise<Variable> {
  return await variablesOf(options).set(name, value);
}

/** Deletes variable `name`; whether it existed. */
export async function unsetVariable(name: string, options: VariableOptions = {}): Promise<boolean> {
  return await variablesOf(options).unset(name);
}
