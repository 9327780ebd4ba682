import assert from "node:assert/strict";
import { type FlowPlan, planFlow, renderPlanText } from "../../../engine/planner/mod.ts";

const PRELUDE =
  `import { callOptions, flow, gate, runDeployment, task, unmapped, wait } from "../sdk/mod.ts";
const extract = task(async (n: number) => n);
const load = task({ name: "load-rows", retries: 2 }, async (x: unknown) => x);
const inc = task(async (x: unknown) => x, { name: "increment" });
const a = task(async (x: unknown) => x);
const b = task(async (x: unknown) => x);
`;

/** A module with the shared tasks and one flow `f(n, xs)` whose body is `body`. */
function flowOf(body: string): string {
  return `${PRELUDE}export const f = flow(async (n: number, xs: number[]) => {\n${body}\n});\n`;
}

function ids(plan: FlowPlan): string[] {
  return plan.nodes.map((node) => node.id);
}

function edges(plan: FlowPlan): string[] {
  return plan.edges.map((e) => `${e.from}->${e.to}${e.kind === "waitFor" ? " (waitFor)" : ""}`);
}

function codes(plan: FlowPlan): string[] {
  return plan.diagnostics.map((d) => d.code);
}

function dynamicIds(plan: FlowPlan): string[] {
  return plan.nodes.filter((node) => node.dynamic).map((node) => node.id);
}

Deno.test("planFlow() plans a submit and map chain with a data edge", () => {
  const plan = planFlow(flowOf(`
    const n1 = a.submit(1);
    const n2 = b.submit(n1);
    const n3 = inc.map([1, 2, 3]);
  `));
  assert.deepEqual(ids(plan), ["a#0", "b#0", "increment#0"]);
  assert.deepEqual(plan.nodes.map((node) => node.op), ["submit", "submit", "map"]);
  assert.equal(plan.nodes[2]?.fanOut, true);
  assert.deepEqual(edges(plan), ["a#0->b#0"]);
  assert.equal(plan.dynamic, false);
  assert.deepEqual(plan.diagnostics, []);
});

Deno.test("planFlow() unrolls a loop with constant bounds into consecutive occurrences", () => {
  const plan = planFlow(flowOf("for (let i = 0; i < 3; i++) inc.submit(i);"));
  assert.equal(plan.forecast.taskCount, 3);
  assert.deepEqual(ids(plan), ["increment#0", "increment#1", "increment#2"]);
  assert.deepEqual(plan.nodes.map((node) => node.occurrence), [0, 1, 2]);
  assert.equal(plan.dynamic, false);
});

Deno.test("planFlow() unrolls loops bounded by constants and by an outer loop variable", () => {
  const plan = planFlow(flowOf(`
    const N = 2;
    for (let i = N * 2; i > 0; i -= 2) {
      for (let j = 0; j < i; j++) a.submit(j);
    }
  `));
  assert.equal(plan.forecast.taskCount, 6);
  assert.equal(plan.dynamic, false);
});

Deno.test("planFlow() reads task names in options-first and options-last forms", () => {
  const plan = planFlow(flowOf("await load(1); await inc(2); await extract(3);"));
  assert.deepEqual(plan.nodes.map((node) => node.taskName), ["load-rows", "increment", "extract"]);
  assert.deepEqual(plan.nodes.map((node) => node.op), ["call", "call", "call"]);
});

Deno.test("planFlow() uses options.name over the variable name, also via with()", () => {
  const plan = planFlow(`
    import { flow, task } from "../sdk/mod.ts";
    const fetchRows = task({ name: "fetch rows" }, async () => []);
    const plain = task(async () => 1);
    export const f = flow(async () => {
      await fetchRows();
      await plain();
      const fast = plain.with({ name: "plain-fast" });
      fast.submit();
      plain.with({ retries: 3 }).submit();
    });
  `);
  assert.deepEqual(ids(plan), ["fetch rows#0", "plain#0", "plain-fast#0", "plain#1"]);
});

Deno.test("planFlow() records waitFor edges apart from data edges", () => {
  const plan = planFlow(flowOf(`
    const first = a.submit(1);
    const second = b.submit(2, callOptions({ waitFor: [first] }));
    await load(second);
  `));
  assert.deepEqual(edges(plan), ["a#0->b#0 (waitFor)", "b#0->load-rows#0"]);
});

Deno.test("planFlow() reads call options as the SDK does: a last callOptions() argument", () => {
  const plan = planFlow(flowOf(`
    const up = a.submit(1);
    inc.submit(callOptions({ waitFor: [up] }));
    b.submit({ waitFor: [up], label: "x" });
    extract.map([1, 2], callOptions({ waitFor: [up] }));
  `));
  assert.deepEqual(edges(plan), [
    "a#0->increment#0 (waitFor)",
    "a#0->b#0",
    "a#0->extract#0 (waitFor)",
  ]);
});

Deno.test("planFlow() falls back to dynamic for loops without a constant bound", async (t) => {
  const loops = {
    "while": "while (n-- > 0) await inc(1);",
    "for over a parameter": "for (let i = 0; i < n; i++) inc.submit(i);",
    "for...of over a parameter": "for (const x of xs) inc.submit(x);",
    "for with a break": "for (let i = 0; i < 3; i++) { if (i) break; inc.submit(i); }",
  };
  for (const [name, body] of Object.entries(loops)) {
    await t.step(name, () => {
      const plan = planFlow(flowOf(body));
      assert.equal(plan.dynamic, true);
      assert.deepEqual(ids(plan), ["increment#0"]);
      assert.deepEqual(dynamicIds(plan), ["increment#0"]);
      assert.deepEqual(codes(plan), ["DYNAMIC_LOOP"]);
      assert.equal(plan.diagnostics[0]?.severity, "warning");
    });
  }
});

Deno.test("planFlow() plans a loop above the unroll cap once, as dynamic", () => {
  const plan = planFlow(flowOf("for (let i = 0; i < 5000; i++) inc.submit(i);"));
  assert.deepEqual(ids(plan), ["increment#0"]);
  assert.deepEqual(codes(plan), ["LOOP_TOO_LARGE"]);
  assert.match(plan.diagnostics[0]?.message ?? "", /needs 5000 unrolled iterations/);
});

Deno.test("planFlow() keeps task ids apart from subflows of the same name", () => {
  const plan = planFlow(
    `
    import { flow, task } from "../sdk/mod.ts";
    const step = task(async () => 1);
    const child = flow({ name: "step" }, async () => 1);
    export const main = flow(async () => { await child(); await step(); });
  `,
    { flowName: "main" },
  );
  assert.deepEqual(ids(plan), ["subflow:step#0", "step#0"]);
});

Deno.test("planFlow() gives repeated calls of one task distinct nodes", () => {
  const plan = planFlow(flowOf("await inc(1); inc.submit(2); inc.map([3]); await inc(4);"));
  assert.deepEqual(ids(plan), ["increment#0", "increment#1", "increment#2", "increment#3"]);
  assert.equal(new Set(ids(plan)).size, 4);
});

Deno.test("planFlow() plans subflow and deployment reference nodes", () => {
  const plan = planFlow(
    `
    import { flow, runDeployment, task } from "../sdk/mod.ts";
    const sub = flow({ name: "child" }, async (x: number) => x);
    export const parent = flow(async () => {
      const r = await sub(1);
      await runDeployment("nightly/etl", { parameters: { r } });
    });
  `,
    { flowName: "parent" },
  );
  assert.equal(plan.flowName, "parent");
  assert.deepEqual(plan.nodes.map((n) => [n.id, n.taskName, n.op]), [
    ["subflow:child#0", "child", "subflow"],
    ["deployment:nightly/etl#0", "nightly/etl", "deployment"],
  ]);
  assert.equal(plan.nodes[1]?.deploymentName, "nightly/etl");
  assert.deepEqual(edges(plan), ["subflow:child#0->deployment:nightly/etl#0"]);
});

Deno.test("planFlow() marks a non-literal deployment name dynamic", () => {
  const plan = planFlow(flowOf("await runDeployment(`nightly/${n}`);"));
  assert.deepEqual(ids(plan), ["deployment:runDeployment#0"]);
  assert.deepEqual(dynamicIds(plan), ["deployment:runDeployment#0"]);
  assert.deepEqual(codes(plan), ["DYNAMIC_NAME"]);
});

Deno.test("planFlow() plans a gate node named by its options", () => {
  const plan = planFlow(flowOf(`
    const x = a.submit(1);
    await gate({ name: "wait-a-bit", after: 60 });
    await gate({ after: 5 });
  `));
  assert.deepEqual(plan.nodes.map((n) => [n.id, n.op]), [
    ["a#0", "submit"],
    ["gate:wait-a-bit#0", "gate"],
    ["gate:gate#0", "gate"],
  ]);
  assert.equal(plan.dynamic, false);
});

Deno.test("planFlow() flags invocations under a condition as dynamic", async (t) => {
  const cases = {
    "if": "if (n > 1) await inc(3);",
    "else": "if (n > 1) {} else { await inc(3); }",
    "ternary": "const r = n > 1 ? inc.submit(1) : null;",
    "&&": "n > 1 && inc.submit(1);",
    "switch": "switch (n) { case 1: await inc(1); break; }",
    "catch": "try { await a(1); } catch { await inc(1); }",
  };
  for (const [name, body] of Object.entries(cases)) {
    await t.step(name, () => {
      const plan = planFlow(flowOf(body));
      assert.equal(plan.dynamic, true);
      assert.deepEqual(plan.nodes.find((n) => n.taskName === "increment")?.dynamic, true);
      assert.deepEqual(codes(plan), ["DYNAMIC_CONDITIONAL"]);
    });
  }
});

Deno.test("planFlow() keeps the condition itself and the code after a branch static", () => {
  const plan = planFlow(flowOf(`
    if (await a(1)) await inc(2);
    await b(3);
  `));
  assert.deepEqual(ids(plan), ["a#0", "increment#0", "b#0"]);
  assert.deepEqual(dynamicIds(plan), ["increment#0"]);
});

Deno.test("planFlow() treats what follows a conditional return as dynamic, not a conditional throw", () => {
  const returns = planFlow(flowOf("if (n) return; await inc(1);"));
  assert.deepEqual(dynamicIds(returns), ["increment#0"]);
  assert.deepEqual(codes(returns), ["CONDITIONAL_EXIT"]);
  const throws = planFlow(flowOf("if (n) throw new Error('bad input'); await inc(1);"));
  assert.deepEqual(dynamicIds(throws), []);
  assert.equal(throws.dynamic, false);
});

Deno.test("planFlow() does not make a branch without invocations dynamic", () => {
  const plan = planFlow(flowOf("if (n > 1) console.log(n); await inc(1);"));
  assert.equal(plan.dynamic, false);
  assert.deepEqual(plan.diagnostics, []);
});

Deno.test("planFlow() finds futures nested in arguments", async (t) => {
  const cases = {
    "object": "inc.submit({ x: up })",
    "array": "inc.submit([1, up])",
    "call": "inc.submit(String(up))",
    "awaited": "inc.submit(await up)",
    "result()": "inc.submit(await up.result())",
    "unmapped": "inc.map([1, 2], unmapped(up))",
    "template": "inc.submit(`${up}`)",
  };
  for (const [name, call] of Object.entries(cases)) {
    await t.step(name, () => {
      const plan = planFlow(flowOf(`const up = a.submit(1);\n${call};`));
      assert.deepEqual(edges(plan), ["a#0->increment#0"]);
    });
  }
});

Deno.test("planFlow() plans a submit nested in another submit's arguments first", () => {
  const plan = planFlow(flowOf("const r = b.submit(inc.submit(a.submit(1)));"));
  assert.deepEqual(ids(plan), ["a#0", "increment#0", "b#0"]);
  assert.deepEqual(edges(plan), ["a#0->increment#0", "increment#0->b#0"]);
});

Deno.test("planFlow() carries awaited values and destructured elements as data", () => {
  const plan = planFlow(flowOf(`
    const c = await load(await a.submit(1));
    const [p, q] = await Promise.all([extract.submit(1), b.submit(2)]);
    await inc(q);
    await inc(c);
  `));
  assert.deepEqual(edges(plan), [
    "a#0->load-rows#0",
    "b#0->increment#0",
    "load-rows#0->increment#1",
  ]);
});

Deno.test("planFlow() finds a map inside an array expression", () => {
  const plan = planFlow(flowOf(`
    const [rows, one] = await Promise.all([inc.map([1, 2, 3]), a.submit(1)]);
    await wait([rows, one]);
    await load(rows);
  `));
  assert.deepEqual(ids(plan), ["increment#0", "a#0", "load-rows#0"]);
  assert.equal(plan.nodes[0]?.fanOut, true);
  assert.deepEqual(edges(plan), ["increment#0->load-rows#0"]);
});

Deno.test("planFlow() plans Promise.all over a literal array and wait() without extra nodes", () => {
  const plan = planFlow(flowOf(`
    const x = a.submit(1);
    await Promise.all([inc.submit(1), inc.submit(2)]);
    await wait([x]);
  `));
  assert.deepEqual(ids(plan), ["a#0", "increment#0", "increment#1"]);
  assert.equal(plan.dynamic, false);
});

Deno.test("planFlow() unrolls callbacks and for...of over literal arrays", () => {
  const plan = planFlow(flowOf(`
    const futures = [1, 2].map((x) => a.submit(x));
    for (const f of futures) b.submit(f);
    for (const y of [1, 2, 3]) inc.submit(y);
  `));
  assert.deepEqual(ids(plan), [
    "a#0",
    "a#1",
    "b#0",
    "b#1",
    "increment#0",
    "increment#1",
    "increment#2",
  ]);
  assert.equal(plan.dynamic, false);
});

Deno.test("planFlow() plans a callback over an unknown array once, as dynamic", () => {
  const plan = planFlow(flowOf("await Promise.all(xs.map((x) => inc.submit(x)));"));
  assert.deepEqual(dynamicIds(plan), ["increment#0"]);
  assert.deepEqual(codes(plan), ["DYNAMIC_CALLBACK"]);
});

Deno.test("planFlow() falls back on tasks chosen at run time", () => {
  const plan = planFlow(flowOf("const tasks = [a, b];\nawait tasks[n]!(1);"));
  assert.deepEqual(ids(plan), []);
  assert.equal(plan.dynamic, true);
  assert.ok(codes(plan).every((code) => code === "DYNAMIC_TASK_REFERENCE"));
  assert.ok(plan.diagnostics.some((d) => /chosen at run time/.test(d.message)));
});

Deno.test("planFlow() warns about module functions that invoke tasks", () => {
  const plan = planFlow(`${PRELUDE}
    async function helper(x: number) { return await inc(x); }
    function pure(x: number) { return x * 2; }
    export const f = flow(async () => { await helper(pure(1)); });
  `);
  assert.deepEqual(ids(plan), []);
  assert.deepEqual(codes(plan), ["OPAQUE_CALL"]);
});

Deno.test("planFlow() resolves SDK imports through aliases and namespaces", async (t) => {
  await t.step("named alias", () => {
    const plan = planFlow(`
      import { flow as defineFlow, task as t } from "../sdk/mod.ts";
      const step = t(async (x: number) => x);
      export const main = defineFlow(async () => { step.submit(1); });
    `);
    assert.equal(plan.flowName, "main");
    assert.deepEqual(ids(plan), ["step#0"]);
  });
  await t.step("namespace", () => {
    const plan = planFlow(`
      import * as ironflow from "../sdk/mod.ts";
      const step = ironflow.task({ name: "s" }, async () => 1);
      export const main = ironflow.flow(async () => { await ironflow.gate({ name: "g" }); step.submit(); });
    `);
    assert.deepEqual(ids(plan), ["gate:g#0", "s#0"]);
  });
  await t.step("a task() that is not the SDK's", () => {
    const plan = planFlow(`
      import { flow } from "../sdk/mod.ts";
      import { task } from "./other.ts";
      const step = task(async () => 1);
      export const main = flow(async () => { await step(); });
    `);
    assert.deepEqual(ids(plan), []);
  });
});

Deno.test("planFlow() respects shadowing of task names", () => {
  const plan = planFlow(
    flowOf("{ const inc = { submit: (x: number) => x }; inc.submit(1); }\nawait inc(2);"),
  );
  assert.deepEqual(ids(plan), ["increment#0"]);
});

Deno.test("planFlow() picks the flow by name and reports unknown or ambiguous ones", () => {
  const source = `${PRELUDE}
    export const first = flow({ name: "first-flow" }, async () => { await a(1); });
    export const second = flow(async () => { await b(1); });
  `;
  assert.deepEqual(ids(planFlow(source, { flowName: "first-flow" })), ["a#0"]);
  assert.deepEqual(ids(planFlow(source, { flowName: "first" })), ["a#0"]);
  assert.deepEqual(ids(planFlow(source, { flowName: "second" })), ["b#0"]);
  const ambiguous = planFlow(source);
  assert.deepEqual(codes(ambiguous), ["AMBIGUOUS_FLOW"]);
  assert.match(ambiguous.diagnostics[0]?.message ?? "", /"first-flow", "second"/);
  const missing = planFlow(source, { flowName: "third" });
  assert.deepEqual(codes(missing), ["FLOW_NOT_FOUND"]);
  assert.equal(missing.diagnostics[0]?.severity, "error");
  assert.deepEqual(codes(planFlow(PRELUDE)), ["NO_FLOW"]);
});

Deno.test("planFlow() plans a flow whose function is declared separately", () => {
  const plan = planFlow(`${PRELUDE}
    async function body(n: number) { await a(n); }
    export default flow({ name: "declared" }, body);
  `);
  assert.equal(plan.flowName, "declared");
  assert.deepEqual(ids(plan), ["a#0"]);
});

Deno.test("planFlow() returns an error diagnostic for a syntax error instead of throwing", () => {
  const plan = planFlow("export const f = flow(async () => {\n  const x = ;\n});", {
    fileName: "broken.ts",
  });
  assert.deepEqual(codes(plan), ["PARSE_ERROR"]);
  assert.equal(plan.diagnostics[0]?.severity, "error");
  assert.equal(plan.diagnostics[0]?.span?.line, 2);
  assert.match(plan.diagnostics[0]?.message ?? "", /^Cannot parse "broken\.ts" at 2:13/);
  assert.deepEqual(plan.nodes, []);
});

Deno.test("planFlow() gives the same ids and fingerprint for the same graph", () => {
  const body = "const x = a.submit(1);\nawait b(x);\nfor (let i = 0; i < 2; i++) inc.submit(i);";
  const first = planFlow(flowOf(body));
  const again = planFlow(flowOf(body));
  const reformatted = planFlow(flowOf(`// comment\n  ${body.replaceAll("\n", "\n\n  ")}`));
  const changed = planFlow(flowOf(body.replace("await b(x)", "await b(1)")));
  assert.deepEqual(again, first);
  assert.equal(reformatted.fingerprint, first.fingerprint);
  assert.notEqual(changed.fingerprint, first.fingerprint);
  assert.match(first.fingerprint, /^[0-9a-f]{16}$/);
});

Deno.test("planFlow() records spans with 1-based lines and columns", () => {
  const plan = planFlow(
    "const t = task(async () => 1);\nexport const f = flow(async () => {\n  await t();\n});",
  );
  assert.deepEqual(plan.nodes[0]?.span, { start: 75, end: 78, line: 3, column: 9 });
});

Deno.test("planFlow() plans the example flow of the docs", async () => {
  const dir = new URL("../../testdata/planner/", import.meta.url);
  const source = await Deno.readTextFile(new URL("etl_flow.ts.txt", dir));
  const expected = await Deno.readTextFile(new URL("etl_flow.plan.txt", dir));
  const plan = planFlow(source, { flowName: "etl" });
  // To refresh after an intended change: write renderPlanText(plan) to etl_flow.plan.txt.
  assert.equal(renderPlanText(plan), expected);
  assert.equal(plan.forecast.taskCount, 14);
});

Deno.test("planFlow() warns about tasks imported from other modules instead of dropping them", () => {
  const plan = planFlow(`
    import { flow } from "../sdk/mod.ts";
    import { extract } from "./tasks.ts";
    export const main = flow(async () => { extract.submit(1); });
  `);
  assert.deepEqual(ids(plan), []);
  assert.deepEqual(codes(plan), ["DYNAMIC_TASK_REFERENCE"]);
  assert.match(plan.diagnostics[0]?.message ?? "", /imported from "\.\/tasks\.ts"/);
});
