// Flows whose source the planner reads at run time (graph-mode tests).
import { flow, task } from "../../../sdk/mod.ts";

const inc = task((x: number) => x + 1);
const double = task((x: number) => x * 2);

/** Fully static: inc#0 -> inc#1. */
export const staticChain = flow(async () => {
  const a = inc.submit(1);
  return await inc(a);
}, { graphMode: "static" });

/** A conditional makes the plan need a fallback. */
export const conditional = flow(async (n: number) => {
  if (n > 1) await inc(3);
  return n;
}, { graphMode: "static" });

/** A task whose body calls another task: the nested call is not in the flow's plan. */
const outer = task(async (x: number) => await double(x));

export const nestedCall = flow(async () => await outer(2), { graphMode: "static" });

/** The same nested call under auto: logged, not raised. */
export const nestedCallAuto = flow(async () => await outer(2));

/** The same body under auto: effective mode is dynamic, the run completes. */
export const autoConditional = flow(async (n: number) => {
  if (n > 1) await inc(3);
  return n;
});

/** Dynamic: no plan is made. */
export const dynamicChain = flow(async () => await inc(1), { graphMode: "dynamic" });
