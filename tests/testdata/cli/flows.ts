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

const prepare = task({ name: "prepare" }, (n: number) => n * 10);
const publish = task({ name: "publish" }, (value: number) => {
  if (Deno.env.get("IRONFLOW_TEST_FAIL") === "1") throw new Error("publish is down");
  return value + 1;
});

/** Fails in `publish` while IRONFLOW_TEST_FAIL=1; a retry restores `prepare`. */
export const release = flow({ name: "release", persistResult: true }, async (n: number) => {
  return await publish(await prepare(n));
});
