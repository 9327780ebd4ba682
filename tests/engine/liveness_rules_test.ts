/**
 * The liveness rules judged on their own through `decide()`, on tables of
 * (from, to, context) cases, as Prefect tests its orchestration rules.
 */
import assert from "node:assert/strict";
import {
  createMemoryStore,
  createRun,
  decide,
  LIVENESS_COLLECTION,
  LIVENESS_KIND,
  livenessOf,
  needsExecutor,
  parseLivenessMs,
  type Policy,
  type Proposal,
  putLiveness,
  RefuseReapingLiveRuns,
  type RuleServices,
  type RunRecord,
  type StateType,
  trackExecutorLiveness,
} from "../../engine/mod.ts";

const NOW = 1_000_000;
const LIVENESS_MS = 30_000;

function runIn(state: StateType, stateName: string, kind: "flow" | "task" = "flow"): RunRecord {
  const { run } = createRun(
    { kind, name: "etl" },
    { runId: "r1", eventId: "r1.1", token: "create" },
    0,
  );
  return { ...run, state, stateName };
}

function services(): RuleServices & { store: ReturnType<typeof createMemoryStore> } {
  const store = createMemoryStore();
  return {
    store,
    documents: store,
    acquireSlots: () => ({ acquired: true }),
    releaseSlots: () => {},
  };
}

// Judges one proposal and applies the onCommit effects of the rules that fired.
function judge(policy: Policy, run: RunRecord, proposal: Proposal, svc: RuleServices) {
  const decision = decide({
    run,
    proposal,
    policy,
    now: NOW,
    eventId: "r1.2",
    appliedTokenVersion: undefined,
    services: svc,
  });
  if (decision.commit) {
    for (const rule of decision.onCommit) rule.onCommit!(decision.event, decision.next, svc);
  }
  return decision;
}

Deno.test("needsExecutor() is true exactly for the states a process holds", async (t) => {
  const cases: Array<[StateType, string, boolean]> = [
    ["SCHEDULED", "Scheduled", false],
    ["SCHEDULED", "Late", false],
    ["SCHEDULED", "AwaitingRetry", true],
    ["PENDING", "Pending", true],
    ["RUNNING", "Running", true],
    ["PAUSED", "Paused", true],
    ["PAUSED", "Draining", true],
    ["PAUSED", "Suspended", false],
    ["CANCELLING", "Cancelling", true],
    ["COMPLETED", "Completed", false],
    ["FAILED", "Failed", false],
    ["CANCELLED", "Cancelled", false],
    ["CRASHED", "Crashed", false],
  ];
  for (const [state, name, expected] of cases) {
    await t.step(`${state} "${name}" → ${expected}`, () => {
      assert.equal(needsExecutor({ state, stateName: name }), expected);
    });
  }
});

Deno.test("TrackExecutorLiveness starts the deadline when an executor takes a run and drops it when none holds it", async (t) => {
  const policy: Policy = [trackExecutorLiveness(LIVENESS_MS)];
  const cases: Array<[StateType, string, StateType, string | undefined, boolean]> = [
    ["SCHEDULED", "Scheduled", "PENDING", undefined, true],
    ["PENDING", "Pending", "RUNNING", undefined, true],
    ["RUNNING", "Running", "PAUSED", "Draining", true],
    ["RUNNING", "Running", "PAUSED", "Suspended", false],
    ["RUNNING", "Running", "CANCELLING", undefined, true],
    ["RUNNING", "Running", "SCHEDULED", "AwaitingRetry", true],
    ["PAUSED", "Suspended", "SCHEDULED", undefined, false],
    ["RUNNING", "Running", "COMPLETED", undefined, false],
    ["CANCELLING", "Cancelling", "CANCELLED", undefined, false],
    ["RUNNING", "Running", "CRASHED", undefined, false],
  ];
  for (const [from, fromName, to, name, live] of cases) {
    await t.step(
      `${from} → ${to}${name ? ` "${name}"` : ""}: ${live ? "deadline" : "none"}`,
      () => {
        const svc = services();
        // An older deadline: the transition must replace or remove it.
        putLiveness(svc.store, "r1", 0, 1);
        const decision = decide({
          run: runIn(from, fromName),
          proposal: { to, token: "t", kind: "test", ...(name ? { name } : {}) },
          policy,
          now: NOW,
          eventId: "r1.2",
          appliedTokenVersion: undefined,
          services: svc,
        });
        assert.ok(decision.commit);
        for (const rule of decision.onCommit) rule.onCommit!(decision.event, decision.next, svc);
        const liveness = livenessOf(svc.store, "r1");
        assert.deepEqual(
          liveness,
          live ? { deadline: NOW + LIVENESS_MS, timeoutMs: LIVENESS_MS } : undefined,
        );
      },
    );
  }
  await t.step("a task run in a flow has no liveness of its own; one of no flow has", () => {
    const proposal = { to: "RUNNING" as const, token: "t", kind: "start" };
    const inFlow = services();
    const child = { ...runIn("PENDING", "Pending", "task"), parentId: "f1", rootId: "f1" };
    assert.ok(judge(policy, child, proposal, inFlow).commit);
    assert.equal(inFlow.store.getDocument(LIVENESS_COLLECTION, "r1"), undefined);
    const alone = services();
    assert.ok(judge(policy, runIn("PENDING", "Pending", "task"), proposal, alone).commit);
    assert.ok(alone.store.getDocument(LIVENESS_COLLECTION, "r1"), "a background task's deadline");
  });
});

Deno.test("RefuseReapingLiveRuns refuses the reaper while the deadline is ahead, and only the reaper", async (t) => {
  const policy: Policy = [RefuseReapingLiveRuns];
  const cases: Array<[string, number | undefined, string, StateType, "accepted" | "rejected"]> = [
    ["deadline ahead", NOW + 1, LIVENESS_KIND, "CRASHED", "rejected"],
    ["deadline passed", NOW, LIVENESS_KIND, "CRASHED", "accepted"],
    ["no liveness document", undefined, LIVENESS_KIND, "CRASHED", "accepted"],
    ["deadline ahead, cancelling run", NOW + 1, LIVENESS_KIND, "CANCELLED", "rejected"],
    ["deadline ahead, an operator's cancel", NOW + 1, "user_cancel", "CANCELLED", "accepted"],
    ["deadline ahead, the executor's own crash report", NOW + 1, "crash", "CRASHED", "accepted"],
  ];
  for (const [label, deadline, kind, to, status] of cases) {
    await t.step(`${label}: ${status}`, () => {
      const svc = services();
      if (deadline !== undefined) putLiveness(svc.store, "r1", deadline, 0);
      const from = to === "CANCELLED" && kind === LIVENESS_KIND ? "CANCELLING" : "RUNNING";
      const run = runIn(from, from === "RUNNING" ? "Running" : "Cancelling");
      assert.equal(judge(policy, run, { to, token: "t", kind }, svc).result.status, status);
    });
  }
});

Deno.test("parseLivenessMs() takes a positive number of milliseconds and names a bad value", () => {
  assert.equal(parseLivenessMs(undefined), undefined);
  assert.equal(parseLivenessMs(" "), undefined);
  assert.equal(parseLivenessMs("1500"), 1500);
  for (const bad of ["0", "-5", "soon", "Infinity"]) {
    assert.throws(() => parseLivenessMs(bad), {
      name: "RangeError",
      message:
        `IRONFLOW_LIVENESS_TIMEOUT_MS must be a positive number of milliseconds, got "${bad}"`,
    });
  }
});
