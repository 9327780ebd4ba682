/**
 * Cron (via `croner`) and RRule (via `rrule-temporal`) evaluation in IANA
 * time zones: the impure half of schedule math that `engine/core` hands in
 * as a {@linkcode ScheduleEvaluator}.
 *
 * @module
 */
// A full npm: specifier, not the import map's bare name: flow modules import
// the SDK by path or URL from projects that do not have this import map.
import { Cron } from "npm:croner@^11.0.1";
import { RRuleTemporal } from "npm:rrule-temporal@^2.2.8";
import { InvalidArgumentError } from "../core/mod.ts";
import {
  CRON_SHORTCUTS,
  type CronSpec,
  nextRunsWith,
  type RRuleSpec,
  type ScheduleEvaluator,
  scheduleProblems,
  type ScheduleSpec,
} from "./plan.ts";

/** A schedule whose cron, RRule or time zone does not work. */
export class ScheduleError extends InvalidArgumentError {
  override name = "ScheduleError";
}

const cronCache = new Map<string, Cron>();
const rruleCache = new Map<string, RRuleTemporal>();
const MAX_CACHED = 20_000;

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let hit = cache.get(key);
  if (hit === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    hit = make();
    cache.set(key, hit);
  }
  return hit;
}

/** Throws a `ScheduleError` unless `timezone` names an IANA time zone. */
export function checkTimezone(timezone: string): void {
  fixedOffsetOf(timezone);
}

/**
 * Known zones, each with its fixed UTC offset in minutes, or `null` for a
 * zone with rules (DST, history). Remembered: building a formatter is costly
 * and a tick checks every schedule.
 */
const knownTimezones = new Map<string, number | null>();

/**
 * The fixed offset (minutes east of UTC) of a zone that never changes it:
 * UTC and its aliases, `Etc/GMT±N` (sign inverted, POSIX style) and offset
 * zones like `+05:30`; `null` for every other zone, which keeps its rules
 * (even one that is fixed today, like `Africa/Abidjan`, had others before).
 * Throws a `ScheduleError` for an unknown zone.
 */
function fixedOffsetOf(timezone: string): number | null {
  const known = knownTimezones.get(timezone);
  if (known !== undefined) return known;
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions()
      .timeZone;
  } catch (cause) {
    throw new ScheduleError(`Unknown time zone "${timezone}"`, { cause });
  }
  const offset = parseFixedOffset(canonical);
  knownTimezones.set(timezone, offset);
  return offset;
}

function parseFixedOffset(canonical: string): number | null {
  if (canonical === "UTC") return 0;
  const etc = /^Etc\/GMT([+-])(\d{1,2})$/.exec(canonical);
  const iso = /^([+-])(\d{2}):(\d{2})$/.exec(canonical);
  const minutes = etc
    ? (etc[1] === "+" ? -60 : 60) * Number(etc[2])
    : iso
    ? (iso[1] === "+" ? 1 : -1) * (Number(iso[2]) * 60 + Number(iso[3]))
    : null;
  // croner takes offsets up to ±14:30.
  return minutes !== null && Math.abs(minutes) <= 870 ? minutes : null;
}

function cronOf(spec: CronSpec): Cron {
  const text = spec.cron.trim();
  const pattern = CRON_SHORTCUTS[text.toLowerCase()] ?? text;
  return cached(cronCache, `${pattern}\u0000${spec.timezone}`, () => {
    // croner converts every date through `Intl` for a named zone, even UTC
    // (~40 µs a call); a fixed offset is plain arithmetic (~4 µs), same times.
    const offset = fixedOffsetOf(spec.timezone);
    const zone = offset === null ? { timezone: spec.timezone } : { utcOffset: offset };
    try {
      return new Cron(pattern, { ...zone, paused: true });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ScheduleError(`Invalid cron "${spec.cron}": ${reason}`, { cause });
    }
  });
}

function basicFormat(epochMs: number, timezone: string): string {
  const local = Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(timezone)
    .toPlainDateTime();
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(local.year, 4)}${pad(local.month)}${pad(local.day)}T${pad(local.hour)}${
    pad(local.minute)
  }${pad(local.second)}`;
}

function rruleOf(spec: RRuleSpec): RRuleTemporal {
  const key = `${spec.rrule.trim()}\u0000${spec.anchor}\u0000${spec.timezone}`;
  return cached(rruleCache, key, () => {
    const text = spec.rrule.trim();
    const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
    const hasStart = lines.some((line) => /^DTSTART[:;]/i.test(line));
    const rules = lines.filter((line) => !/^DTSTART[:;]/i.test(line))
      .map((line) => /^RRULE:/i.test(line) ? line : `RRULE:${line}`);
    const start = hasStart
      ? lines.filter((line) => /^DTSTART[:;]/i.test(line))
      : [`DTSTART;TZID=${spec.timezone}:${basicFormat(spec.anchor, spec.timezone)}`];
    try {
      return new RRuleTemporal({
        rruleString: [...start, ...rules].join("\n"),
        tzid: spec.timezone,
        cache: false,
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ScheduleError(`Invalid rrule "${spec.rrule}": ${reason}`, { cause });
    }
  });
}

/** The evaluator of cron and RRule schedules. */
export const scheduleEvaluator: ScheduleEvaluator = {
  next(spec, after, count) {
    checkTimezone(spec.timezone);
    const out: number[] = [];
    if (spec.kind === "cron") {
      const cron = cronOf(spec);
      for (const date of cron.nextRuns(count, new Date(after))) out.push(date.getTime());
      return out;
    }
    const rule = rruleOf(spec);
    let cursor = after;
    try {
      while (out.length < count) {
        const next = rule.next(new Date(cursor), false);
        if (next === null) break;
        const at = next.epochMilliseconds;
        if (at <= cursor) break;
        out.push(at);
        cursor = at;
      }
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ScheduleError(`Cannot evaluate rrule "${spec.rrule}": ${reason}`, { cause });
    }
    return out;
  },
};

/**
 * Up to `count` slot times (epoch ms) of `schedule` strictly after `after`,
 * ascending.
 *
 * @example
 * ```ts
 * import { nextRuns } from "./evaluator.ts";
 * const at = Date.UTC(2024, 0, 1);
 * nextRuns({ kind: "cron", cron: "@daily", timezone: "UTC" }, at, 2);
 * // [Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]
 * ```
 */
export function nextRuns(schedule: ScheduleSpec, after: number, count: number): number[] {
  return nextRunsWith(schedule, after, count, scheduleEvaluator);
}

/**
 * Throws a `ScheduleError` describing the first problem of `schedule`: its
 * shape, its time zone, its cron fields or RRule parts.
 */
export function checkSchedule(schedule: ScheduleSpec): void {
  const problems = scheduleProblems(schedule);
  if (problems.length > 0) throw new ScheduleError(`Invalid schedule: ${problems.join("; ")}`);
  checkTimezone(schedule.timezone);
  if (schedule.kind === "cron") cronOf(schedule);
  if (schedule.kind === "rrule") {
    rruleOf(schedule);
    nextRuns(schedule, schedule.anchor - 1, 1);
  }
}
