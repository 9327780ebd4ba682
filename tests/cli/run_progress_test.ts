/**
 * The live progress of `ironflow run`: the status line and the failure line
 * are pure functions of the run's events and the time.
 */
import assert from "node:assert/strict";
import {
  failureLine,
  foldProgress,
  newProgress,
  type ProgressEvent,
  progressLine,
  startLiveStatus,
} from "../../cli/run_progress.ts";

function replay(events: readonly ProgressEvent[], startedAt = 1_000) {
  return events.reduce(foldProgress, newProgress(startedAt));
}

const created = (id: string, name: string): ProgressEvent => ({ kind: "created", id, name, at: 0 });
const state = (
  id: string,
  to: "SCHEDULED" | "PENDING" | "RUNNING" | "COMPLETED" | "FAILED" | "CRASHED",
  stateName: string,
  message: string | null = null,
): ProgressEvent => ({ kind: "state", id, state: to, stateName, message, at: 0 });

Deno.test("progressLine() counts task runs by state, then retries and elapsed time", async (t) => {
  const cases: Array<{ name: string; events: ProgressEvent[]; now: number; line: string }> = [
    { name: "nothing yet", events: [], now: 1_000, line: "tasks 0 | elapsed 0ms" },
    {
      name: "created, not started: pending",
      events: [created("a", "extract-0"), created("b", "extract-1")],
      now: 1_250,
      line: "tasks 2: pending 2 | elapsed 250ms",
    },
    {
      name: "one running, one completed",
      events: [
        created("a", "extract-0"),
        state("a", "RUNNING", "Running"),
        created("b", "extract-1"),
        state("b", "RUNNING", "Running"),
        state("b", "COMPLETED", "Completed"),
      ],
      now: 3_500,
      line: "tasks 2: completed 1  running 1 | elapsed 2.5s",
    },
    {
      name: "a retry is counted once, and the retried run is running again",
      events: [
        created("a", "transform-0"),
        state("a", "RUNNING", "Running"),
        state("a", "SCHEDULED", "AwaitingRetry", "boom"),
        state("a", "RUNNING", "Retrying"),
      ],
      now: 61_000,
      line: "tasks 1: running 1 | retries 1 | elapsed 1m0s",
    },
    {
      name: "events of unknown runs (the flow run itself) are ignored",
      events: [state("flow", "RUNNING", "Running"), created("a", "load-0")],
      now: 1_000,
      line: "tasks 1: pending 1 | elapsed 0ms",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => assert.equal(progressLine(replay(c.events), c.now), c.line));
  }
});

Deno.test("failureLine() names the first task run that failed, with its error", () => {
  const progress = replay([
    created("a", "extract-0"),
    state("a", "COMPLETED", "Completed"),
    created("b", "publish-0"),
    state("b", "FAILED", "Failed", "Error: publish is down"),
    created("c", "notify-0"),
    state("c", "CRASHED", "Crashed", "process died"),
  ]);
  assert.equal(failureLine(progress), "Failed task: publish-0: publish is down");
  assert.equal(
    progressLine(progress, 1_000),
    "tasks 3: completed 1  failed 1  crashed 1 | elapsed 0ms",
  );
  assert.equal(
    failureLine(replay([created("a", "x-0"), state("a", "COMPLETED", "Completed")])),
    undefined,
  );
  // A retry is not a failure.
  assert.equal(
    failureLine(replay([created("a", "x-0"), state("a", "SCHEDULED", "AwaitingRetry", "boom")])),
    undefined,
  );
});

Deno.test("startLiveStatus() redraws one line in place and prints log lines above it", () => {
  const written: string[] = [];
  let now = 10_000;
  const status = startLiveStatus({
    write: (text) => written.push(text),
    now: () => now,
    // Redraws come from print() and stop() here, not from the timer.
    intervalMs: 3_600_000,
  });
  status.onEvent(created("a", "load-0"));
  status.onEvent(state("a", "RUNNING", "Running"));
  now += 1_500;
  status.print("2026-01-01T00:00:00.000Z INFO     load-0: loading 8 rows");
  status.onEvent(state("a", "COMPLETED", "Completed"));
  now += 500;
  status.stop();
  status.stop(); // once only
  assert.deepEqual(written, [
    "\r\u001b[2K2026-01-01T00:00:00.000Z INFO     load-0: loading 8 rows\n",
    "\r\u001b[2Ktasks 1: running 1 | elapsed 1.5s",
    "\r\u001b[2Ktasks 1: completed 1 | elapsed 2.0s",
    "\n",
  ]);
});
