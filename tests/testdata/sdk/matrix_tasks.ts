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

/** Waits, without blocking its thread, until another thread stores a non-zero value in `flag[0]`. */
export const awaitFlag = task(async (flag: Int32Array) => {
  const waiting = Atomics.waitAsync(flag, 0, 0, 10_000);
  if (waiting.async) await waiting.value;
  return Atomics.load(flag, 0);
});
