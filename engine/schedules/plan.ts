/**
 * Schedules of deployments: their shapes, structural validation, interval
 * math and slot planning (which slot times to turn into runs on a tick). Pure:
 * time is an input; cron and RRule evaluation need tz data and libraries, so
 * they come in as a {@linkcode ScheduleEvaluator} (see `engine/schedules/`).
 *
 * @module
 */

/** What to do with slots missed while the scheduler was down. */
export const CatchupPolicy = {
  /** Missed slots get no run. */
  SKIP: "skip",
  /** The newest missed slot gets one run; older ones none. */
  RUN_ONCE: "run_once",
} as const;

/** One of the catch-up policies. */
export type CatchupPolicy = typeof CatchupPolicy[keyof typeof CatchupPolicy];

/** Every `intervalSeconds` from `anchor` (epoch ms). */
export interface IntervalSpec {
  kind: "interval";
  intervalSeconds: number;
  /** Epoch ms of one slot; slots are anchor + k × interval. */
  anchor: number;
  timezone: string;
}

/** A 5- or 6-field cron expression or an `@daily`-style shortcut, in a time zone. */
export interface CronSpec {
  kind: "cron";
  cron: string;
  timezone: string;
}

/** An RFC 5545 recurrence rule (`FREQ=...`), with `DTSTART` in the text or from `anchor`. */
export interface RRuleSpec {
  kind: "rrule";
  rrule: string;
  /** Epoch ms used as DTSTART when the rule has none. */
  anchor: number;
  timezone: string;
}

/** When a schedule fires. */
export type ScheduleSpec = IntervalSpec | CronSpec | RRuleSpec;

/** A schedule of a deployment. */
export type Schedule = ScheduleSpec & {
  /** Inactive schedules create no runs. */
  active: boolean;
  catchup: CatchupPolicy;
  /** Names the schedule within its deployment (to pause or resume it alone); absent: none. */
  slug?: string | null;
  /**
   * Parameters of the runs this schedule creates, merged over the
   * deployment's defaults; absent: the defaults alone.
   */
  parameters?: { [name: string]: ScheduleParameter };
};

/** A JSON value given as a schedule's parameter. */
export type ScheduleParameter =
  | null
  | boolean
  | number
  | string
  | ScheduleParameter[]
  | { [key: string]: ScheduleParameter };

/** Cron shortcuts and what they stand for. */
export const CRON_SHORTCUTS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** RRule frequencies IronFlow schedules accept. */
export const RRULE_FREQUENCIES: readonly string[] = ["MINUTELY", "HOURLY", "DAILY", "WEEKLY"];

/** Anchor of schedules given without one: 2000-01-01T00:00:00Z. */
export const DEFAULT_ANCHOR = 946_684_800_000;

/** Shortest interval a schedule may have, in seconds. */
export const MIN_INTERVAL_SECONDS = 1;

/** Longest interval a schedule may have, in seconds: 3650 days. */
export const MAX_INTERVAL_SECONDS = 3650 * 86_400;

/** Earliest and latest anchor a schedule may have: 0001-01-01 and 9999-12-31 (UTC). */
const ANCHOR_RANGE_MS: readonly [number, number] = [-62_135_596_800_000, 253_402_214_400_000];

/** Ranges of the numeric RRule parts: inclusive bounds; `signed` also allows the negatives. */
const RRULE_PART_RANGES: Readonly<Record<string, [number, number, boolean]>> = {
  BYSECOND: [0, 59, false],
  BYMINUTE: [0, 59, false],
  BYHOUR: [0, 23, false],
  BYMONTH: [1, 12, false],
  BYMONTHDAY: [1, 31, true],
  BYYEARDAY: [1, 366, true],
  BYWEEKNO: [1, 53, true],
  BYSETPOS: [1, 366, true],
  INTERVAL: [1, 10_000, false],
  COUNT: [1, 1_000_000, false],
};

const RRULE_DAY = /^[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)$/;

/** Problems of the parts of an RRule's `RRULE:` lines (FREQ is checked by the caller). */
function rrulePartProblems(rrule: string): string[] {
  const problems: string[] = [];
  for (const rawLine of rrule.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || /^DTSTART[:;]/i.test(line)) continue;
    for (const part of line.replace(/^RRULE:/i, "").split(";")) {
      if (part.trim() === "") continue;
      const [rawName, value = ""] = part.split("=", 2);
      const name = rawName!.trim().toUpperCase();
      const range = RRULE_PART_RANGES[name];
      if (name === "BYDAY") {
        for (const day of value.split(",")) {
          if (!RRULE_DAY.test(day.trim().toUpperCase())) {
            problems.push(`rrule BYDAY value "${day}" is not a weekday such as MO or -1FR`);
          }
        }
      } else if (range) {
        const [min, max, signed] = range;
        for (const item of value.split(",")) {
          const n = Number(item.trim());
          const ok = item.trim() !== "" && Number.isInteger(n) &&
            ((n >= min && n <= max) || (signed && n <= -min && n >= -max));
          if (!ok) {
            problems.push(
              `rrule ${name} value "${item}" must be an integer from ${
                signed ? `-${max} to -${min} or ` : ""
              }${min} to ${max}`,
            );
          }
        }
      }
    }
  }
  return problems;
}

/** Evaluates the schedule kinds that need a library or tz data. */
export interface ScheduleEvaluator {
  /** Up to `count` slot times (epoch ms) strictly after `after`, ascending. */
  next(spec: CronSpec | RRuleSpec, after: number, count: number): number[];
}

function isAnchor(anchor: number): boolean {
  return Number.isFinite(anchor) && anchor >= ANCHOR_RANGE_MS[0] && anchor <= ANCHOR_RANGE_MS[1];
}

/**
 * Structural problems of a schedule (empty when it is fine). Cron fields,
 * RRule parts and time zones are checked for real by the evaluator.
 */
export function scheduleProblems(spec: ScheduleSpec): string[] {
  const problems: string[] = [];
  if (typeof spec.timezone !== "string" || spec.timezone.trim() === "") {
    problems.push("timezone must be a non-empty IANA time zone name");
  }
  switch (spec.kind) {
    case "interval":
      if (
        !(typeof spec.intervalSeconds === "number" && spec.intervalSeconds >= MIN_INTERVAL_SECONDS)
      ) {
        problems.push(
          `interval must be at least ${MIN_INTERVAL_SECONDS} second, got ${spec.intervalSeconds}`,
        );
      } else if (spec.intervalSeconds > MAX_INTERVAL_SECONDS) {
        problems.push(
          `interval must be at most ${MAX_INTERVAL_SECONDS} seconds (3650 days), ` +
            `got ${spec.intervalSeconds}`,
        );
      }
      if (!isAnchor(spec.anchor)) {
        problems.push("anchor must be a time between the years 1 and 9999");
      }
      break;
    case "cron": {
      const text = spec.cron.trim();
      if (text.startsWith("@")) {
        if (!(text.toLowerCase() in CRON_SHORTCUTS)) {
          problems.push(
            `cron shortcut "${text}" is unknown; use one of ${
              Object.keys(CRON_SHORTCUTS).join(", ")
            }`,
          );
        }
      } else {
        const fields = text.split(/\s+/).filter((f) => f !== "").length;
        if (fields !== 5 && fields !== 6) {
          problems.push(`cron "${spec.cron}" must have 5 or 6 fields, got ${fields}`);
        }
      }
      break;
    }
    case "rrule": {
      const freq = /(?:^|[;:\n])FREQ=([A-Z]+)/i.exec(spec.rrule)?.[1]?.toUpperCase();
      if (!freq) problems.push(`rrule "${spec.rrule}" has no FREQ`);
      else if (!RRULE_FREQUENCIES.includes(freq)) {
        problems.push(
          `rrule frequency "${freq}" is not supported; use one of ${RRULE_FREQUENCIES.join(", ")}`,
        );
      }
      problems.push(...rrulePartProblems(spec.rrule));
      if (!isAnchor(spec.anchor)) {
        problems.push("anchor must be a time between the years 1 and 9999");
      }
      break;
    }
    default:
      problems.push(`unknown schedule kind "${(spec as { kind: string }).kind}"`);
  }
  return problems;
}

/** Up to `count` interval slots strictly after `after`, ascending. */
export function intervalRuns(spec: IntervalSpec, after: number, count: number): number[] {
  const step = spec.intervalSeconds * 1000;
  const k = Math.floor((after - spec.anchor) / step) + 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(spec.anchor + (k + i) * step);
  return out;
}

/** Up to `count` slot times of `spec` strictly after `after`, ascending. */
export function nextRunsWith(
  spec: ScheduleSpec,
  after: number,
  count: number,
  evaluator: ScheduleEvaluator,
): number[] {
  if (count <= 0) return [];
  return spec.kind === "interval"
    ? intervalRuns(spec, after, count)
    : evaluator.next(spec, after, count);
}

/**
 * A stable identity of a schedule's timing: slot keys use it, so re-applying
 * the same manifest never schedules a slot twice.
 */
export function scheduleKey(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case "interval":
      return `interval:${spec.intervalSeconds}:${spec.anchor}:${spec.timezone}`;
    case "cron":
      return `cron:${spec.cron.trim().replace(/\s+/g, " ")}:${spec.timezone}`;
    case "rrule":
      return `rrule:${spec.rrule.trim()}:${spec.anchor}:${spec.timezone}`;
  }
}

/**
 * Identity of a schedule's slots: its spec, and its parameters when it has
 * some (two schedules of one time but different parameters each get their
 * runs). The slug is not part of it, so renaming a slug creates no second run.
 */
export function scheduleSlotKey(schedule: Schedule): string {
  const key = scheduleKey(schedule);
  const parameters = schedule.parameters;
  if (parameters === undefined || Object.keys(parameters).length === 0) return key;
  return `${key}:parameters=${canonicalJson(parameters)}`;
}

function canonicalJson(value: ScheduleParameter): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Inputs of {@linkcode planSlots}. */
export interface SlotPlanInput {
  /** The schedule's slot times after a given time. */
  next: (after: number, count: number) => number[];
  /** Newest slot already turned into a run, or `null` for none yet. */
  cursor: number | null;
  /** When the schedule started counting (its creation or activation), for a first tick. */
  since: number;
  now: number;
  /** How far ahead runs are created, ms. */
  horizonMs: number;
  /** Most future runs a schedule keeps ahead of `now`. */
  maxAhead: number;
  /** A slot this old or younger still counts as due, not missed. */
  graceMs: number;
  catchup: CatchupPolicy;
  /**
   * Slot times already created after `now`, when the caller keeps them: saves
   * recomputing them from the schedule on every tick.
   */
  createdAhead?: readonly number[];
}

/** What a scheduler tick does for one schedule. */
export interface SlotPlan {
  /** Slot times to create runs for, ascending. */
  create: number[];
  /** Missed slots that get no run (the catch-up policy's choice); the caller records them. */
  skipped: number;
  /** The newest of the skipped slots, when there are any. */
  newestSkipped?: number;
  /** The new cursor: the newest slot considered. */
  cursor: number | null;
}

/** Largest number of missed slots a tick walks through before it jumps ahead. */
const MAX_MISSED_SCAN = 100_000;

/**
 * Most due slots (within the grace period, not yet created) a tick creates;
 * the rest wait for the next tick. A one-second schedule has about sixty.
 */
export const MAX_DUE_PER_TICK = 1_000;

/**
 * Plans one tick for one schedule. Every slot after the cursor is either
 * created or counted as skipped, never dropped unseen: slots missed (older
 * than `now - graceMs`) are skipped, or with `run_once` the newest of them
 * gets a run; every due slot within the grace period is created (up to
 * {@linkcode MAX_DUE_PER_TICK} a tick), however many `maxAhead` allows in the
 * future; future slots up to `now + horizonMs`, at most `maxAhead` of them,
 * are created.
 */
export function planSlots(input: SlotPlanInput): SlotPlan {
  const { now, graceMs } = input;
  const start = input.cursor ?? input.since - 1;
  const create: number[] = [];
  let skipped = 0;
  let cursor = input.cursor;
  let lastMissed: number | undefined;
  let after = start;
  // Missed slots: walk in growing pages (bounded), keep only the newest. Most
  // ticks find the first slot in the future after computing just one.
  let newestSkipped: number | undefined;
  for (const t of slotsAfter(input.next, start, MAX_MISSED_SCAN)) {
    if (t >= now - graceMs) break;
    if (lastMissed !== undefined) {
      skipped += 1;
      newestSkipped = lastMissed;
    }
    lastMissed = t;
  }
  if (lastMissed !== undefined) {
    if (input.catchup === CatchupPolicy.RUN_ONCE) create.push(lastMissed);
    else {
      skipped += 1;
      newestSkipped = lastMissed;
    }
    cursor = lastMissed;
    after = lastMissed;
  } else {
    after = start;
  }
  // Slots already created ahead of now count against `maxAhead`.
  let future = 0;
  if (input.createdAhead !== undefined && lastMissed === undefined) {
    future = input.createdAhead.filter((t) => t > now).length;
  } else if (cursor !== null && cursor > now) {
    for (const t of slotsAfter(input.next, now, input.maxAhead)) {
      if (t > cursor) break;
      future += 1;
    }
  }
  // Due slots do not count against `maxAhead`: each of them is created now,
  // or it would age past the grace period and be missed on a later tick.
  let due = 0;
  for (const t of slotsAfter(input.next, after, MAX_DUE_PER_TICK + input.maxAhead)) {
    if (t > now + input.horizonMs) break;
    if (t > now) {
      if (future >= input.maxAhead) break;
      future += 1;
    } else if (++due > MAX_DUE_PER_TICK) break;
    create.push(t);
    cursor = t;
  }
  return newestSkipped === undefined
    ? { create, skipped, cursor }
    : { create, skipped, newestSkipped, cursor };
}

/**
 * Slot times after `after`, at most `limit`, asked of `next` in pages that
 * grow from one: computing slot times (cron, rrule) is the scheduler's main
 * cost, and a tick usually needs only the first few.
 */
function* slotsAfter(
  next: (after: number, count: number) => number[],
  after: number,
  limit: number,
): Generator<number> {
  let given = 0;
  let pageSize = 1;
  while (given < limit) {
    const page = next(after, Math.min(pageSize, limit - given));
    for (const t of page) yield t;
    given += page.length;
    if (page.length < Math.min(pageSize, limit - given + page.length)) return;
    after = page.at(-1)!;
    pageSize = Math.min(pageSize * 4, 1000);
  }
}
