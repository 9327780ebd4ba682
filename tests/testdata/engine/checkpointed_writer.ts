// Awaits task after task on a SQLite store until it is killed
// (tests/e2e/checkpoint_kill_test.ts): thousands of commits, so checkpoints
// run on their own thread while it writes. Usage: checkpointed_writer.ts DB PIDFILE
import { createSqliteControlPlane, flow, task } from "../../../sdk/mod.ts";

const [path, pidFile] = Deno.args;
const step = task({ name: "step" }, (x: number) => x + 1);
const steps = flow({ name: "endless-steps" }, async () => {
  let x = 0;
  for (let i = 0; i < 500_000; i++) x = await step(x);
  return x;
});
Deno.writeTextFileSync(pidFile!, String(Deno.pid));
await steps.runWith({ plane: createSqliteControlPlane(path!) });
