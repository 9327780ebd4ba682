/**
 * The graph contract at run time: `graphMode` static / auto / dynamic.
 */
import assert from "node:assert/strict";
import { createInMemoryControlPlane, type LocalControlPlane } from "../../../sdk/mod.ts";
import { latestPlan } from "../../../engine/mod.ts";
import { ResumeIndex } from "../../../sdk/resume.ts";
import {
  autoConditional,
  conditional,
  dynamicChain,
  nestedCall,
  nestedCallAuto,
  staticChain,
} from "../../testdata/planner/graph_mode_flows.ts";

function startData(plane: LocalControlPlane, runId: string) {
  return plane.engine.events(runId).find((e) => e.to === "RUNNING")?.data ?? null;
}

Deno.test("graphMode static: a fully static flow runs and records its plan fingerprint", async () => {
  const plane = createInMemoryControlPlane();
  const outcome = await staticChain.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, 3);
  const data = startData(plane, outcome.runId)!;
  assert.equal(data["graphMode"], "static");
  assert.equal(data["effectiveGraphMode"], "static");
  assert.match(String(data["planFingerprint"]), /^[0-9a-f]{16}$/);
  const plan = latestPlan(plane.engine.reader, "staticChain") as { nodes: { id: string }[] };
  assert.deepEqual(plan.nodes.map((n) => n.id).sort(), ["inc#0", "inc#1"]);
  const keys = plane.engine.listRuns({ kind: "task", parentId: outcome.runId }).items.map((t) =>
    t.taskKey
  );
  assert.deepEqual(keys.sort(), ["inc#0", "inc#1"]);
});

Deno.test("graphMode static: a plan that needs a fallback refuses to start with StaticGraphDeclarationError", async () => {
  const plane = createInMemoryControlPlane();
  const outcome = await conditional.runWith({ plane }, 2);
  const bodyRan = plane.engine.listRuns({ kind: "task", parentId: outcome.runId }).items.length > 0;
  assert.equal(outcome.state.type, "FAILED");
  assert.equal(outcome.error?.name, "StaticGraphDeclarationError");
  assert.match(outcome.error!.message, /declared static/);
  assert.equal(bodyRan, false);
  assert.equal(plane.engine.events(outcome.runId).some((e) => e.to === "RUNNING"), false);
});

Deno.test("graphMode static: a task call with no planned node raises StaticGraphContractViolation", async () => {
  const plane = createInMemoryControlPlane();
  const outcome = await nestedCall.runWith({ plane });
  assert.equal(outcome.state.type, "FAILED");
  assert.equal(outcome.error?.name, "StaticGraphContractViolation");
  assert.match(outcome.error!.message, /"double#0", which its static plan does not have/);
  assert.equal(startData(plane, outcome.runId)!["effectiveGraphMode"], "static");
});

Deno.test("graphMode auto: an unplanned task call is logged and the run continues", async () => {
  const plane = createInMemoryControlPlane();
  const outcome = await nestedCallAuto.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, 4);
  await plane.flush();
  const warnings = plane.engine.logs({ flowRunId: outcome.runId, minLevel: 30 });
  assert.ok(warnings.some((log) => log.message.includes("double#0")), JSON.stringify(warnings));
});

Deno.test("graphMode auto: a plan with fallbacks runs dynamically and says so", async () => {
  const plane = createInMemoryControlPlane();
  const outcome = await autoConditional.runWith({ plane }, 2);
  assert.equal(outcome.state.type, "COMPLETED");
  const data = startData(plane, outcome.runId)!;
  assert.equal(data["graphMode"], "auto");
  assert.equal(data["effectiveGraphMode"], "dynamic");
});

Deno.test("graphMode dynamic: no plan is made or recorded", async () => {
  const plane = createInMemoryControlPlane();
  const outcome = await dynamicChain.runWith({ plane });
  assert.equal(outcome.state.type, "COMPLETED");
  const data = startData(plane, outcome.runId)!;
  assert.equal(data["effectiveGraphMode"], "dynamic");
  assert.equal(data["planFingerprint"], undefined);
  assert.equal(latestPlan(plane.engine.reader, "dynamicChain"), undefined);
});

Deno.test("ResumeIndex.from() skips nothing when the plan fingerprint changed between attempts", async () => {
  const plane = createInMemoryControlPlane();
  const first = await staticChain.runWith({ plane });
  const run = plane.engine.getRun(first.runId)!;
  const retry = { ...run, id: "retry", attempt: 2 };
  const history = {
    flowRuns: [run],
    completions: [],
    planFingerprints: new Map([[run.id, "aaaaaaaaaaaaaaaa"]]),
  };
  assert.notEqual(ResumeIndex.from(retry, history, "aaaaaaaaaaaaaaaa"), undefined);
  assert.equal(ResumeIndex.from(retry, history, "bbbbbbbbbbbbbbbb"), undefined);
});
