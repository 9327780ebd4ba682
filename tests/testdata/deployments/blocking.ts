/**
 * A flow for `tests/engine/deployments/worker_kill_test.ts`: runs one task, writes
 * its process id to `<dir>/pid`, then waits (at most 30 s) for `<dir>/go` to
 * appear before finishing, so the test can kill its worker mid-run.
 *
 * @module
 */
import { flow, task } from "../../../sdk/mod.ts";

const step = task({ name: "step" }, async (x: number) => await Promise.resolve(x + 1));

/** Blocks until `<dir>/go` exists (bounded), then returns `x + 1`. */
export const blocking = flow({ name: "blocking" }, async (dir: string, x: number) => {
  const value = await step(x);
  await Deno.writeTextFile(`${dir}/pid`, String(Deno.pid));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await Deno.stat(`${dir}/go`);
      return value;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error("gave up waiting for the go file");
});
