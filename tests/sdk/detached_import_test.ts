/**
 * Modules loaded on demand from inside a run (the JSON Schema validator when
 * a flow suspends for input) must not leave the run's context behind. Deno
 * hands the async context of the code that first imports a module on to
 * later code: under `deno test`, the next test. Before the validator loaded
 * outside the run, the flow of the second test ran as a subflow of the first
 * test's run. The tests run in this order in their own module, so the first
 * one is the first to load the validator.
 */
import assert from "node:assert/strict";
import { z } from "npm:zod@^4.6.7";
import { flow, pauseFlowRun, resumeFlowRun } from "../../sdk/mod.ts";
import { currentContext } from "../../sdk/context.ts";
import { testPlane, until } from "./_helpers.ts";

Deno.test("a flow suspends for input: the first schema check of the process loads the validator inside the run", async () => {
  await using plane = testPlane();
  const approval = flow({ name: "detached-approval" }, async () => {
    const input = await pauseFlowRun({ waitForInput: z.object({ ok: z.boolean() }) });
    return input.ok;
  });
  const running = approval.runWith({ plane });
  await until(
    () => plane.engine.listRuns({ kind: "flow" }).items[0]?.state === "PAUSED",
    "the flow to suspend",
  );
  const [run] = plane.engine.listRuns({ kind: "flow" }).items;
  await resumeFlowRun(run!.id, { plane, input: { ok: true } });
  assert.equal((await running).result, true);
});

Deno.test("the next test runs in no run's context, and its flow run is a root run", async () => {
  assert.equal(currentContext(), undefined);
  await using plane = testPlane();
  const alone = flow({ name: "detached-alone" }, () => "alone");
  const outcome = await alone.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(plane.engine.getRun(outcome.runId)!.parentId, null);
});
