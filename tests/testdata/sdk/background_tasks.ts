/** Tasks a task worker serves in tests/e2e/task_worker_test.ts (`ironflow task serve`). */
import { task } from "../../../sdk/mod.ts";

let attempts = 0;

/** Fails its first attempt in each worker process, then doubles. */
export const double = task({ name: "double", retries: 1 }, (x: number) => {
  attempts++;
  if (attempts === 1) throw new Error("first attempt fails");
  return { doubled: x * 2, pid: Deno.pid };
});

/** Tells the caller its pid through its log, then sleeps until killed. */
export const sleepy = task({ name: "sleepy" }, async () => {
  console.log(`sleepy pid ${Deno.pid}`);
  await new Promise((resolve) => setTimeout(resolve, 120_000));
});
