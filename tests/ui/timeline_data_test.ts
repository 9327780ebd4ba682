import assert from "node:assert/strict";
import type { EngineEvent, StateType } from "../../engine/mod.ts";
import { runningSegments } from "../../server/dashboard/timeline_data.ts";

function history(...steps: [StateType | null, StateType, number][]): EngineEvent[] {
  return steps.map(([from, to, at], i) => ({
    seq: i + 1,
    id: `e${i}`,
    runId: "t1",
    runKind: "task",
    from,
    to,
    stateName: to,
    token: `k${i}`,
    version: i + 1,
    kind: "test",
    at,
    rules: [],
    data: null,
  }));
}

Deno.test("runningSegments() gives one bar per attempt; a retried attempt counts as failed", () => {
  const events = history(
    [null, "PENDING", 0],
    ["PENDING", "RUNNING", 10],
    ["RUNNING", "SCHEDULED", 30], // AwaitingRetry
    ["SCHEDULED", "RUNNING", 50],
    ["RUNNING", "COMPLETED", 90],
  );
  assert.deepEqual(runningSegments(events, 1_000), [
    { start: 10, end: 30, state: "FAILED" },
    { start: 50, end: 90, state: "COMPLETED" },
  ]);
});

Deno.test("runningSegments() ends a run still in RUNNING at now, and skips runs never started", () => {
  assert.deepEqual(
    runningSegments(history([null, "PENDING", 0], ["PENDING", "RUNNING", 5]), 40),
    [{ start: 5, end: 40, state: "RUNNING" }],
  );
  assert.deepEqual(
    runningSegments(history([null, "PENDING", 0], ["PENDING", "CANCELLED", 5]), 40),
    [],
  );
});
