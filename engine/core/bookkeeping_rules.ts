/**
 * Bookkeeping rules every run gets: timing, run counts and waiting for the
 * scheduled start time.
 *
 * @module
 */
import type { Rule } from "./rules.ts";
import { StateType, TERMINAL_STATES } from "./states.ts";

const { SCHEDULED, PENDING, RUNNING } = StateType;
const TERMINAL = [...TERMINAL_STATES];
const NOT_RUNNING = Object.values(StateType).filter((s) => s !== RUNNING);

/** Refuses to start a scheduled run before its expected start time. */
export const WaitForScheduledTime: Rule = {
  name: "WaitForScheduledTime",
  from: [SCHEDULED],
  to: [PENDING, RUNNING],
  applies: (run, _proposal, now) => run.expectedStartTime !== null && run.expectedStartTime > now,
  before(ctx) {
    const due = ctx.run.expectedStartTime;
    if (due !== null && due > ctx.now) {
      ctx.delay(due - ctx.now, `run "${ctx.run.id}" is scheduled for ${due}`);
    }
  },
};

/** Records when a run first entered RUNNING. */
export const SetStartTime: Rule = {
  name: "SetStartTime",
  from: "*",
  to: [RUNNING],
  project(next, prev, event) {
    if (prev.startTime !== null) return false;
    next.startTime = event.at;
    return true;
  },
};

/**
 * Counts the attempts: entering RUNNING, except when resuming from PAUSED
 * (an operator resume or an opened gate continues the same attempt, so it
 * must not use up a retry).
 */
export const IncrementRunCount: Rule = {
  name: "IncrementRunCount",
  from: NOT_RUNNING.filter((state) => state !== StateType.PAUSED),
  to: [RUNNING],
  project(next, prev) {
    next.runCount = prev.runCount + 1;
    return true;
  },
};

/** Adds the time just spent in RUNNING to the run's total. */
export const UpdateTotalRunTime: Rule = {
  name: "UpdateTotalRunTime",
  from: [RUNNING],
  to: NOT_RUNNING,
  project(next, prev, event) {
    // While RUNNING, `updatedAt` is the moment the run entered RUNNING.
    next.totalRunTimeMs = prev.totalRunTimeMs + Math.max(0, event.at - prev.updatedAt);
    return true;
  },
};

/** Records when a run reached a terminal state. */
export const SetEndTime: Rule = {
  name: "SetEndTime",
  from: "*",
  to: TERMINAL,
  project(next, _prev, event) {
    next.endTime = event.at;
    return true;
  },
};

/** The bookkeeping rules, in the order they are judged. */
export const BOOKKEEPING_RULES: readonly Rule[] = [
  WaitForScheduledTime,
  SetStartTime,
  IncrementRunCount,
  UpdateTotalRunTime,
  SetEndTime,
];
