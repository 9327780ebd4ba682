// Flow modules the CLI tests run from a path and from a URL.
import { flow, task } from "../../../sdk/mod.ts";

const square = task((x: number) => x * x);

/** Sums the squares of 1..n. */
export const squares = flow(async (n: number, offset = 0) => {
  const values = await Promise.all(square.map(Array.from({ length: n }, (_, i) => i + 1)));
  return values.reduce((a, b) => a + b, offset);
});

/** Always fails. */
export const broken = flow(() => {
  throw new Error("broken on purpose");
});

/** Not a flow. */
export const notAFlow = 42;
