/**
 * Flows that `tests/engine/deployments/worker_test.ts` deploys and a worker runs in
 * subprocesses: one completes, one crashes its process, one sleeps until
 * killed.
 *
 * @module
 */
import { flow, task } from "../../../sdk/mod.ts";

const double = task({ name: "double" }, async (x: number) => await Promise.resolve(x * 2));

/** Adds two doubled numbers and prints the sum. */
export const add = flow({ name: "add" }, async (a: number, b: number) => {
  const sum = (await double(a)) + (await double(b));
  console.log(`sum is ${sum}`);
  return sum;
});

const shout = task(
  { name: "shout", logPrints: true },
  async (word: string) => await Promise.resolve(console.log(`task says ${word}`)),
);

/** Prints with `logPrints`, in the flow and in a task. */
export const printer = flow({ name: "printer", logPrints: true }, async () => {
  console.log("flow says hi");
  await shout("hello");
});

/** Exits its process in the middle of the run. */
export const crash = flow({ name: "crash" }, async () => {
  await double(1);
  console.error("about to exit the process");
  Deno.exit(7);
});

/** Sleeps for a minute, ignoring cancellation: only a kill stops it. */
export const sleepy = flow({ name: "sleepy" }, async () => {
  console.log("going to sleep");
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  return "woke up";
});

const tick = task({ name: "tick" }, async (i: number) => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return i;
});

/** Runs short task runs for about a minute; stops between them when cancelled or paused. */
export const ticker = flow({ name: "ticker" }, async () => {
  for (let i = 0; i < 600; i++) await tick(i);
});

/** Prints what makes its process its own: pid, working directory and environment. */
export const whoami = flow({ name: "whoami" }, async () => {
  await Promise.resolve();
  console.log(
    `pid=${Deno.pid} cwd=${Deno.cwd()} who=${Deno.env.get("WHO")} run=${
      Deno.env.get("IRONFLOW_RUN_ID")
    } lazy=${Deno.env.get("DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS")}`,
  );
});
