/**
 * The W3 workload of the cross-process bench: a flow of three chained tasks.
 *
 * @module
 */
import { flow, task } from "../../sdk/mod.ts";

const step = task({ name: "step" }, (x: number) => x + 1);

/** Three tasks, each fed by the one before. */
export const three = flow({ name: "three" }, async (x = 0) => {
  const a = await step(x);
  const b = await step(a);
  return await step(b);
});
