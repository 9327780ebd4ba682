/**
 * Planner benchmark: plans a generated 1,000-line flow module.
 *
 * Run with `deno bench -A bench/planner_bench.ts`. Target: under 100 ms.
 *
 * @module
 */

import { planFlow } from "../engine/planner/mod.ts";

/** Builds a flow module of about `lines` lines: task definitions, then one flow using them. */
function generateFlowModule(lines: number): string {
  const out = ['import { callOptions, flow, gate, task, wait } from "../sdk/mod.ts";', ""];
  const tasks: string[] = [];
  while (out.length < lines * 0.45) {
    const name = `step${tasks.length}`;
    tasks.push(name);
    out.push(
      `interface ${name}Row { id: number; label: string; tags: readonly string[] }`,
      `const ${name} = task({ name: "${name}", retries: 2 }, async (x: unknown): Promise<${name}Row> => {`,
      `  const id = typeof x === "number" ? x : 0;`,
      `  return { id, label: \`row-\${id}\`, tags: ["a", "b"] } satisfies ${name}Row;`,
      `});`,
      "",
    );
  }
  out.push(`export const big = flow({ name: "big" }, async (n: number) => {`);
  out.push(`  let previous = step0.submit(n);`);
  for (let i = 0; out.length < lines - 2; i++) {
    const t = tasks[i % tasks.length]!;
    const u = tasks[(i * 7 + 3) % tasks.length]!;
    switch (i % 6) {
      case 0:
        out.push(
          `  const f${i} = ${t}.submit(previous, callOptions({ waitFor: [previous] }));`,
          `  previous = f${i};`,
        );
        break;
      case 1:
        out.push(`  const m${i} = ${t}.map([1, 2, 3]);`, `  await ${u}(m${i});`);
        break;
      case 2:
        out.push(`  for (let i = 0; i < 4; i++) {`, `    ${t}.submit({ i, up: previous });`, `  }`);
        break;
      case 3:
        out.push(`  await Promise.all([${t}.submit(1), ${u}.submit(${t}.submit(2))]);`);
        break;
      case 4:
        out.push(`  if (n > ${i}) {`, `    await ${t}(previous);`, `  }`);
        break;
      default:
        out.push(`  await wait([previous]);`, `  await gate({ name: "g${i}", after: 1 });`);
    }
  }
  out.push(`  return previous;`, `});`);
  return out.join("\n") + "\n";
}

const source = generateFlowModule(1000);
const plan = planFlow(source);
if (plan.nodes.length === 0 || plan.diagnostics.some((d) => d.severity === "error")) {
  throw new Error(`Generated module did not plan: ${JSON.stringify(plan.diagnostics[0])}`);
}

Deno.bench({
  name: `planFlow() on a ${source.split("\n").length - 1}-line module (${plan.nodes.length} nodes)`,
  fn() {
    planFlow(source);
  },
});
