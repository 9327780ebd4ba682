/**
 * The fan-in of futures type-checks as it runs: an array of futures passed
 * where the task takes an array of values.
 */
import assert from "node:assert/strict";
import { createInMemoryControlPlane, flow, task } from "../../sdk/mod.ts";

Deno.test("total.submit(futures): an array of futures is accepted for an array parameter", async () => {
  const square = task({ name: "square" }, async (n: number) => {
    await Promise.resolve();
    return n * n;
  });
  const total = task({ name: "total" }, async (values: number[]) => {
    await Promise.resolve();
    return values.reduce((a, b) => a + b, 0);
  });
  const fanIn = flow({ name: "fan-in" }, async () => {
    const futures = [1, 2, 3].map((n) => square.submit(n));
    return await total.submit(futures).result();
  });
  const plane = createInMemoryControlPlane();
  const outcome = await fanIn.runWith({ plane });
  assert.equal(outcome.result, 14);
  await plane.close();
});
