/**
 * The DURATION column of `flow-run ls`, `flow-run inspect` and `task-run ls`:
 * start to end for an ended run, start to now for one still going.
 */
import assert from "node:assert/strict";
import { toApiRun } from "../../wire/mod.ts";
import { runDuration } from "../../cli/flow_run_view.ts";
import { NOW, runRecord } from "../ui/_fixtures.ts";

Deno.test("a run still running has run from its start until now, not until its last state change", () => {
  const running = toApiRun(runRecord({
    state: "RUNNING",
    stateName: "Running",
    startTime: NOW - 90_000,
    updatedAt: NOW - 90_000,
    endTime: null,
  }));
  assert.equal(runDuration(running, NOW), "1m30s");
  assert.equal(runDuration(running, NOW + 30_000), "2m0s");
});

Deno.test("an ended run's duration is start to end, whenever it is asked", () => {
  const ended = toApiRun(runRecord({ startTime: NOW - 59_000, endTime: NOW - 30_000 }));
  assert.equal(runDuration(ended, NOW), "29.0s");
  assert.equal(runDuration(ended, NOW + 3_600_000), "29.0s");
});

Deno.test("a run that never started has no duration", () => {
  const scheduled = toApiRun(runRecord({
    state: "SCHEDULED",
    stateName: "Scheduled",
    startTime: null,
    endTime: null,
  }));
  assert.equal(runDuration(scheduled, NOW), "-");
});
