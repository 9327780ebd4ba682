/**
 * A flow with a `parameters` JSON Schema, for
 * `tests/engine/deployments/parameters_option_test.ts`.
 *
 * @module
 */
import { flow } from "../../../sdk/mod.ts";

/** The schema of {@linkcode typed}'s parameters. */
export const TYPED_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string" },
    count: { type: "integer", minimum: 1 },
  },
  required: ["name"],
};

/** Repeats `name` `count` times. */
export const typed = flow(
  { name: "typed", parameters: TYPED_SCHEMA },
  async (name: string, count = 1) => await Promise.resolve(name.repeat(count)),
);

/** A flow whose `parameters` schema does not compile (refused when first needed). */
export const unusableSchema = flow(
  { name: "unusable-schema", parameters: { type: "nonsense" } },
  () => "never runs",
);
