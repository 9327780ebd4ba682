/**
 * Schedule evaluation: the next slot times of interval, cron and RRule
 * schedules in IANA time zones.
 *
 * @example
 * ```ts
 * import { nextRuns } from "./mod.ts";
 * const slots = nextRuns({ kind: "cron", cron: "0 9 * * 1-5", timezone: "Europe/Paris" }, Date.UTC(2024, 0, 1), 3);
 * ```
 *
 * @module
 */
export {
  checkSchedule,
  checkTimezone,
  nextRuns,
  ScheduleError,
  scheduleEvaluator,
} from "./evaluator.ts";
