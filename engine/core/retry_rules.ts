/**
 * Retries as orchestration rules: a failing attempt that still has retries
 * left is redirected to SCHEDULED "AwaitingRetry" with its due time.
 *
 * The SDK decides whether an error is retryable at all (user code such as
 * `retryCondition` runs there) and sends `retries` and `retryDelayMs` with
 * the FAILED proposal; the engine owns the count and the schedule.
 *
 * @module
 */
import type { Rule } from "./rules.ts";
import { StateName, StateType } from "./states.ts";

const { RUNNING, FAILED, SCHEDULED } = StateType;

/** Turns a failed attempt into an awaited retry while retries remain. */
export const RetryFailedRuns: Rule = {
  name: "RetryFailedRuns",
  from: [RUNNING],
  to: [FAILED],
  applies: (_run, proposal) => typeof proposal.data?.["retries"] === "number",
  before(ctx) {
    const data = ctx.proposal.data;
    const retries = data?.["retries"];
    const delayMs = data?.["retryDelayMs"];
    if (typeof retries !== "number" || ctx.run.runCount > retries) return;
    const wait = typeof delayMs === "number" && delayMs > 0 ? delayMs : 0;
    ctx.annotate({ scheduledTime: ctx.now + wait, attempt: ctx.run.runCount });
    ctx.redirect(
      SCHEDULED,
      StateName.AwaitingRetry,
      `retry ${ctx.run.runCount} of ${retries} is due in ${wait} ms`,
    );
  },
};

/** Records the due time of a run that was (re)scheduled with one. */
export const SetExpectedStartTime: Rule = {
  name: "SetExpectedStartTime",
  from: "*",
  to: [SCHEDULED],
  project(next, _prev, event) {
    const due = event.data?.["scheduledTime"];
    if (typeof due !== "number") return false;
    next.expectedStartTime = due;
    return true;
  },
};
