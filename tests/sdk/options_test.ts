import assert from "node:assert/strict";
import { flow, InvalidOptionError, task } from "../../sdk/mod.ts";
import { testPlane } from "./_helpers.ts";

const body = async () => await Promise.resolve(1);

/** Asserts `define` throws an InvalidOptionError whose message names `option`. */
function assertRejectsOption(define: () => unknown, option: string): void {
  assert.throws(define, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError, `not an InvalidOptionError: ${error}`);
    assert.ok(error instanceof TypeError);
    assert.match(error.message, new RegExp(`\\b${option}\\b`));
    return true;
  });
}

Deno.test("bad task options throw InvalidOptionError naming the option", async (t) => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["retries", { retries: -1 }],
    ["retries", { retries: 1.5 }],
    ["timeoutSeconds", { timeoutSeconds: 0 }],
    ["timeoutSeconds", { timeoutSeconds: -3 }],
    ["retryDelaySeconds", { retryDelaySeconds: [1, -2] }],
    ["retryJitterFactor", { retryJitterFactor: -0.5 }],
    ["name", { name: "" }],
  ];
  for (const [option, options] of cases) {
    await t.step(`${option}: ${JSON.stringify(options)}`, () => {
      assertRejectsOption(() => task(body, options), option);
    });
  }
});

Deno.test("bad flow options throw InvalidOptionError naming the flow and the option", () => {
  assertRejectsOption(() => flow({ name: "nightly", retries: -2 }, body), "retries");
  assert.throws(
    () => flow({ name: "nightly", timeoutSeconds: Number.NaN }, body),
    /Invalid option of flow "nightly": timeoutSeconds must be a number above 0, got NaN/,
  );
});

Deno.test("with() validates the changed options too", () => {
  const fine = task(body, { retries: 1 });
  assertRejectsOption(() => fine.with({ retries: -1 }), "retries");
});

Deno.test("task and flow names come from the name option", () => {
  const named = task({ name: "extract-rows" }, body);
  const namedFlow = flow(body, { name: "nightly-etl" });
  assert.equal(named.taskName, "extract-rows");
  assert.equal(namedFlow.flowName, "nightly-etl");
});

Deno.test("task and flow names default to the variable they are assigned to", () => {
  const extractRows = task(async () => await Promise.resolve([]));
  const nightlyEtl = flow(async () => await Promise.resolve());
  assert.equal(extractRows.taskName, "extractRows");
  assert.equal(nightlyEtl.flowName, "nightlyEtl");
});

Deno.test("a named function gives its name when nothing else does", () => {
  const definitions = [task(async function loadRows() {
    return await Promise.resolve(0);
  })];
  assert.equal(definitions[0]!.taskName, "loadRows");
});

Deno.test("the task name is recorded on its task runs and the flow name on both", async () => {
  await using plane = testPlane();
  const extractRows = task(async () => await Promise.resolve([1]));
  const nightly = flow(async () => await extractRows());

  const outcome = await nightly.runWith({ plane });

  const [taskRun] = plane.engine.listRuns({ kind: "task", parentId: outcome.runId }).items;
  assert.equal(taskRun?.name, "extractRows");
  assert.equal(taskRun?.flowName, "nightly");
  assert.equal(plane.engine.getRun(outcome.runId)?.name, "nightly");
});
