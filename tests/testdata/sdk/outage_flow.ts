/**
 * A flow run against the server at `IRONFLOW_API_URL` that
 * `tests/e2e/remote_outage_test.ts` takes away and brings back: it prints
 * `READY` after its first task, waits for the file `OUTAGE_GATE`, then runs
 * its second task. Prints `OUTCOME <state> <run id>`, or `FLOW ERROR
 * <message>` and exits 3.
 *
 * @module
 */
import { flow, task } from "../../../sdk/mod.ts";

const first = task({ name: "first" }, () => 1);
const second = task({ name: "second" }, (x: number) => x + 1);

async function gateOpen(path: string): Promise<void> {
  while (true) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export const outage = flow({ name: "outage" }, async () => {
  const a = await first();
  console.log("READY");
  await gateOpen(Deno.env.get("OUTAGE_GATE")!);
  return await second(a);
});

if (import.meta.main) {
  try {
    const outcome = await outage.run();
    if (outcome.error) throw outcome.error;
    console.log(`OUTCOME ${outcome.state.type} ${outcome.runId}`);
    Deno.exit(0);
  } catch (error) {
    console.error(`FLOW ERROR ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(3);
  }
}
