/**
 * Tasks of the final-state matrix, in a module of their own: the worker
 * runner imports the defining module inside each worker to find a task body.
 *
 * @module
 */
import { task } from "../../../sdk/mod.ts";

/** Adds one; always completes. */
export const addOne = task(async (x: number) => await Promise.resolve(x + 1));

/** Always fails with "matrix task exploded". */
export const explode = task(async (): Promise<number> => {
  return await Promise.reject(new Error("matrix task exploded"));
});
