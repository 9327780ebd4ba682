/**
 * Tag concurrency limits as rules: a task run tagged `db` takes a slot of the
 * limit `tag:db` before it enters RUNNING, waits as SCHEDULED
 * "AwaitingConcurrencySlot" while none is free, and frees it when it stops
 * running.
 *
 * @module
 */
import type { Rule } from "./rules.ts";
import { StateName, StateType } from "./states.ts";

const { SCHEDULED, PENDING, RUNNING, FAILED } = StateType;
const NOT_RUNNING = Object.values(StateType).filter((s) => s !== RUNNING);

/** Limit names of a run's tags. */
function tagLimits(tags: readonly string[]): string[] {
  return tags.map((tag) => `tag:${tag}`);
}

/** Takes a slot of every `tag:<tag>` limit before a task run starts. */
export const SecureTaskConcurrencySlots: Rule = {
  name: "SecureTaskConcurrencySlots",
  from: [SCHEDULED, PENDING],
  to: [RUNNING],
  applies: (run) => run.tags.length > 0,
  before(ctx) {
    const { run, services } = ctx;
    if (run.tags.length === 0 || services === undefined) return;
    const attempt = services.acquireSlots(tagLimits(run.tags), run.id, ctx.now);
    if ("denied" in attempt) {
      ctx.annotate({ message: attempt.denied });
      ctx.redirect(FAILED, StateName.Failed, attempt.denied);
      return;
    }
    if (attempt.acquired) return;
    if (run.state === SCHEDULED && run.stateName === StateName.AwaitingConcurrencySlot) {
      ctx.delay(attempt.retryAfterMs, attempt.reason);
      return;
    }
    ctx.annotate({ scheduledTime: ctx.now + attempt.retryAfterMs, message: attempt.reason });
    ctx.redirect(SCHEDULED, StateName.AwaitingConcurrencySlot, attempt.reason);
  },
  cleanup(ctx) {
    // A later rule changed the outcome: give the slots back.
    ctx.services?.releaseSlots(ctx.run.id);
  },
};

/** Frees a tagged task run's slots when it leaves RUNNING (done, failed, cancelled, crashed). */
export const ReleaseTaskConcurrencySlots: Rule = {
  name: "ReleaseTaskConcurrencySlots",
  from: [RUNNING],
  to: NOT_RUNNING,
  onCommit(_event, run, services) {
    if (run.tags.length > 0) services.releaseSlots(run.id);
  },
};
