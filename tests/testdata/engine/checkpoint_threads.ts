// Awaits 3,000 tasks (6,000 commits) on the SQLite home of IRONFLOW_HOME, with
// the environment's store settings, and prints the process's threads before
// and after as JSON (tests/engine/sqlite_checkpointer_test.ts).
import { createHomeControlPlane, flow, task } from "../../../sdk/mod.ts";

const threads = () => [...Deno.readDirSync("/proc/self/task")].length;
const step = task({ name: "step" }, (x: number) => x + 1);
const steps = flow({ name: "counted-steps" }, async (n: number) => {
  let x = 0;
  for (let i = 0; i < n; i++) x = await step(x);
  return x;
});
const plane = createHomeControlPlane(Deno.env.get("IRONFLOW_HOME")!);
await steps.runWith({ plane }, 10);
const before = threads();
const outcome = await steps.runWith({ plane }, 3_000);
const after = threads();
await plane.close();
console.log(JSON.stringify({ state: outcome.state.type, before, after }));
