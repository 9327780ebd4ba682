import assert from "node:assert/strict";
import { NotFoundError, resolveVariableTemplate, variableNamesIn } from "../../engine/mod.ts";

Deno.test("a {{ variables.name }} template takes the variable's JSON value", () => {
  const values = new Map<string, unknown>([["batch", 500], ["region", "eu"], ["obj", { a: 1 }]]);
  const template = {
    n: "{{ variables.batch }}",
    nested: ["s3://{{variables.region}}/{{ variables.batch }}", { o: "{{ variables.obj }}" }],
    keep: "{{ other.thing }}",
    k: 3,
  };
  assert.deepEqual(variableNamesIn(template), ["batch", "region", "obj"]);
  assert.deepEqual(
    resolveVariableTemplate(template, (name) => values.get(name) as never),
    { n: 500, nested: ["s3://eu/500", { o: { a: 1 } }], keep: "{{ other.thing }}", k: 3 },
  );
  assert.throws(
    () => resolveVariableTemplate({ x: "{{ variables.gone }}" }, () => undefined),
    (error) => error instanceof NotFoundError && error.code === "variable_not_found",
  );
});
