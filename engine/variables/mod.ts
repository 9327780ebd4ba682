/**
 * Variables: named JSON values, and `{{ variables.name }}` templates.
 *
 * ```ts
 * import { VariableService } from "./mod.ts";
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * const variables = new VariableService({ engine, clock });
 * await variables.set("batch_size", 500);
 * console.assert(variables.get("batch_size")?.value === 500);
 * ```
 *
 * @module
 */
export {
  checkName,
  checkVariableValue,
  MAX_NAME_LENGTH,
  MAX_VARIABLE_BYTES,
  type Variable,
  VARIABLE_COLLECTION,
  type VariablePage,
  VariableService,
  type VariableServiceOptions,
} from "./variables.ts";
export { resolveVariableTemplate, variableNamesIn } from "./template.ts";
