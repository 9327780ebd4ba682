import assert from "node:assert/strict";
import { flow, namedParameters, retryFlowRun } from "../../sdk/mod.ts";
import { testPlane } from "./_helpers.ts";

Deno.test("a direct flow call records its parameters by name, as a deployment run does", async () => {
  await using plane = testPlane();
  const report = flow(
    { name: "report" },
    (regions: string[], threshold = 0.5) => `${regions.join("+")}@${threshold}`,
  );

  const outcome = await report.runWith({ plane }, ["eu", "us"], 0.8);
  const defaulted = await report.runWith({ plane }, ["eu"]);

  assert.deepEqual(plane.engine.getRun(outcome.runId)!.parameters, {
    regions: ["eu", "us"],
    threshold: 0.8,
  });
  assert.deepEqual(plane.engine.getRun(defaulted.runId)!.parameters, { regions: ["eu"] });
});

Deno.test("namedParameters() falls back to positions when names cannot carry the call", async (t) => {
  const cases: Array<[string, (...args: never[]) => unknown, unknown[], unknown]> = [
    ["no parameters", () => 1, [], {}],
    ["one destructured parameter", ({ a }: { a: number }) => a, [{ a: 1 }], { a: 1 }],
    ["a rest parameter", (a: number, ...more: number[]) => a + more.length, [1, 2, 3], [1, 2, 3]],
    ["destructured among others", (a: number, { b }: { b: number }) => a + b, [1, { b: 2 }], [
      1,
      { b: 2 },
    ]],
    ["more arguments than parameters", (a: number) => a, [1, 2], [1, 2]],
    ["an undefined middle argument", (a?: number, b?: number) => b ?? a, [undefined, 2], { b: 2 }],
  ];
  for (const [name, fn, args, expected] of cases) {
    await t.step(name, () => assert.deepEqual(namedParameters(fn, args), expected));
  }
});

Deno.test("a retry of a direct call feeds the same arguments back from the named parameters", async () => {
  await using plane = testPlane();
  const calls: unknown[][] = [];
  let fail = true;
  const report = flow({ name: "report" }, (regions: string[], threshold: number) => {
    calls.push([regions, threshold]);
    if (fail) throw new Error("first attempt fails");
    return threshold;
  });

  const first = await report.runWith({ plane }, ["eu", "us"], 0.8);
  fail = false;
  const retried = await retryFlowRun(first.runId, { plane, flow: report });

  assert.equal(retried.state.type, "COMPLETED");
  assert.deepEqual(calls, [[["eu", "us"], 0.8], [["eu", "us"], 0.8]]);
  assert.deepEqual(plane.engine.getRun(retried.runId)!.parameters, {
    regions: ["eu", "us"],
    threshold: 0.8,
  });
});

Deno.test("a retry of a run recorded with positional parameters still feeds them back", async () => {
  await using plane = testPlane();
  const calls: unknown[][] = [];
  const sum = flow({ name: "sum" }, (...xs: number[]) => {
    calls.push(xs);
    throw new Error("always");
  });

  const first = await sum.runWith({ plane }, 1, 2, 3);
  await retryFlowRun(first.runId, { plane, flow: sum });

  assert.deepEqual(plane.engine.getRun(first.runId)!.parameters, [1, 2, 3]);
  assert.deepEqual(calls, [[1, 2, 3], [1, 2, 3]]);
});
