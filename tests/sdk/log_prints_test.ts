import assert from "node:assert/strict";
import { LogLevel } from "../../engine/mod.ts";
import { flow, task } from "../../sdk/mod.ts";
import { logsOf, taskRunNamed, testPlane } from "./_helpers.ts";

// Alone in its module: no flow with logPrints has patched the console before.
Deno.test("a task with logPrints: true captures its prints inside a flow without it", async () => {
  await using plane = testPlane();
  const chatty = task(() => {
    console.log("printed by a chatty task");
  }, { logPrints: true });
  const plain = flow({ name: "plain" }, async () => {
    console.log("printed by the flow, not captured");
    await chatty();
  });

  const outcome = await plain.runWith({ plane });

  const taskRun = taskRunNamed(plane, outcome.runId, "chatty");
  const rows = await logsOf(plane, outcome.runId);
  assert.deepEqual(rows.map((row) => [row.taskRunId, row.level, row.name, row.message]), [
    [taskRun.id, LogLevel.INFO, "ironflow.print", "printed by a chatty task"],
  ]);
});
