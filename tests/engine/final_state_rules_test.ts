/**
 * `DecideFlowFinalState` judged on its own through `decide()`: the three
 * final-state modes on a table of (report, proposal) cases. Prefect 3's mode
 * follows "Final state determination" (docs.prefect.io/v3/develop/manage-states).
 */
import assert from "node:assert/strict";
import {
  createRun,
  decide,
  DEFAULT_POLICY,
  type FinalStateReport,
  type Json,
  type RunRecord,
  type StateType,
} from "../../engine/mod.ts";

function runningFlow(kind: "flow" | "task" = "flow"): RunRecord {
  const { run } = createRun(
    { kind, name: "etl" },
    { runId: "r1", eventId: "r1.1", token: "create" },
    0,
  );
  return { ...run, state: "RUNNING", stateName: "Running", runCount: 1 };
}

function judged(to: StateType, report: FinalStateReport, extra: { [key: string]: Json } = {}) {
  const decision = decide({
    run: runningFlow(),
    proposal: { to, token: "t", kind: "complete", data: { finalState: report as never, ...extra } },
    policy: DEFAULT_POLICY,
    now: 10,
    eventId: "r1.2",
    appliedTokenVersion: undefined,
  });
  assert.ok(decision.commit, "the proposal commits");
  return decision;
}

const FAILED_CHILD = { failedChildren: 1, cancelledChildren: 0, failedSummary: "x ended FAILED" };
const CANCELLED_CHILD = {
  failedChildren: 1,
  cancelledChildren: 1,
  cancelledSummary: "y ended CANCELLED",
};
const CLEAN = { failedChildren: 0, cancelledChildren: 0 };

Deno.test("DecideFlowFinalState: each mode's answer to a COMPLETED proposal", async (t) => {
  const cases: Array<[string, FinalStateReport, StateType, string | null]> = [
    ["waitAll, clean children", { mode: "waitAll", ...CLEAN }, "COMPLETED", null],
    ["waitAll, a failed child", { mode: "waitAll", ...FAILED_CHILD }, "FAILED", "x ended FAILED"],
    [
      "waitAll, a cancelled child wins",
      { mode: "waitAll", ...CANCELLED_CHILD },
      "CANCELLED",
      "y ended CANCELLED",
    ],
    ["explicit, a failed child", { mode: "explicit", ...FAILED_CHILD }, "COMPLETED", null],
    ["prefect, a caught failed child", { mode: "prefect", ...FAILED_CHILD }, "COMPLETED", null],
    [
      "prefect, a returned list with a failed state",
      { mode: "prefect", ...CLEAN, returnedFailed: 1, returnedSummary: "1 of the returned" },
      "FAILED",
      "1 of the returned",
    ],
  ];
  for (const [label, report, state, message] of cases) {
    await t.step(label, () => {
      const decision = judged("COMPLETED", report);
      assert.equal(decision.next.state, state);
      assert.equal(decision.next.message, message);
      assert.equal(decision.result.status, state === "COMPLETED" ? "accepted" : "rejected");
      if (state !== "COMPLETED") assert.ok(decision.event.rules.includes("DecideFlowFinalState"));
    });
  }
});

Deno.test("DecideFlowFinalState: a failure it decides is retried when retries remain", () => {
  const decision = judged("COMPLETED", { mode: "waitAll", ...FAILED_CHILD }, {
    retries: 2,
    retryDelayMs: 5,
  });
  assert.equal(decision.next.state, "SCHEDULED");
  assert.equal(decision.next.stateName, "AwaitingRetry");
  assert.deepEqual(decision.event.rules.slice(0, 2), ["DecideFlowFinalState", "RetryFailedRuns"]);
});

Deno.test("DecideFlowFinalState: a proposed FAILED or CANCELLED (a returned state) stands", () => {
  for (const to of ["FAILED", "CANCELLED"] as const) {
    const decision = judged(to, { mode: "waitAll", ...CLEAN });
    assert.equal(decision.next.state, to);
    assert.ok(!decision.event.rules.includes("DecideFlowFinalState"));
  }
});
