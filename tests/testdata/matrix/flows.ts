/**
 * Flows of the action matrix (`tests/e2e/action_matrix_test.ts`): each one
 * brings its run to the state an operator action needs, in this process, in
 * a remote script or in a worker's run process. Every flow takes the name of
 * its matrix cell, so the test finds its run by that tag or parameter.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import { flow, getRunLogger, pauseFlowRun, task } from "../../../sdk/mod.ts";

const step = task({ name: "matrix-step" }, async (i: number) => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return i;
});

/** Runs short task runs one after another (about a minute): RUNNING until an operator acts. */
export const busy = flow({ name: "matrix-busy" }, async (cell: string) => {
  for (let i = 0; i < 600; i++) await step(i);
  return cell;
});

/** Pauses itself until resumed, then returns its cell. */
export const waiting = flow({ name: "matrix-waiting" }, async (cell: string) => {
  await pauseFlowRun();
  return cell;
});

/** The input a resume of {@linkcode asking} must carry. */
export const Answer = z.object({ n: z.number() });

/** Pauses until resumed with input that fits {@linkcode Answer}, and returns that input. */
export const asking = flow({ name: "matrix-asking", persistResult: true }, async (cell: string) => {
  getRunLogger().info(`${cell} waits for input`);
  return await pauseFlowRun({ waitForInput: Answer });
});

/** Fails at once. */
export const failing = flow({ name: "matrix-failing" }, (cell: string) => {
  throw new Error(`Cell ${cell} fails on purpose`);
});

/** The flows by the name the matrix uses. */
export const MATRIX_FLOWS = { busy, waiting, asking, failing } as const;
