/**
 * Formatting of times, durations, states and log levels for the pages.
 *
 * @module
 */
import type { Schedule, StateType } from "../engine/mod.ts";
import type { StateCounts } from "./types.ts";

// Listed here, not imported: the pages take only types from the engine. The
// `satisfies` makes a state type added to or removed from the engine a
// compile error here.
const LIFECYCLE_RANK = {
  SCHEDULED: 0,
  PENDING: 1,
  RUNNING: 2,
  PAUSED: 3,
  CANCELLING: 4,
  COMPLETED: 5,
  FAILED: 6,
  CANCELLED: 7,
  CRASHED: 8,
} as const satisfies Record<StateType, number>;

/** Every state type, in lifecycle order (scheduled first, crashed last). */
export const STATE_ORDER: readonly StateType[] = (Object.keys(LIFECYCLE_RANK) as StateType[])
  .sort((a, b) => LIFECYCLE_RANK[a] - LIFECYCLE_RANK[b]);

/** `2024-05-01 13:04:05` in UTC (the client script shows local time). */
export function formatTime(ms: number | null): string {
  if (ms === null) return "—";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** ISO-8601 for `<time datetime>`. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** `850ms`, `12.3s`, `4m 05s`, `2h 03m`, `3d 4h`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A run's duration: end − start, or up to `now` while it runs. */
export function runDuration(
  run: { startTime: number | null; endTime: number | null },
  now: number,
): number | null {
  if (run.startTime === null) return null;
  return (run.endTime ?? now) - run.startTime;
}

const LEVELS: readonly [number, string][] = [
  [50, "CRITICAL"],
  [40, "ERROR"],
  [30, "WARNING"],
  [20, "INFO"],
  [10, "DEBUG"],
];

/** Python-style name of a numeric log level. */
export function levelName(level: number): string {
  for (const [min, name] of LEVELS) if (level >= min) return name;
  return "DEBUG";
}

/** Sum of all counts. */
export function total(counts: StateCounts): number {
  let n = 0;
  for (const state of STATE_ORDER) n += counts[state] ?? 0;
  return n;
}

/** States present in `counts`, in lifecycle order. */
export function presentStates(counts: StateCounts): StateType[] {
  return STATE_ORDER.filter((state) => (counts[state] ?? 0) > 0);
}

/** `1,234` */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Bytes as `512 B`, `1.5 KiB`, `64.0 MiB`, `2.00 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Lower-case label of a state type: `RUNNING` → `Running`. */
export function stateLabel(state: StateType): string {
  return state.charAt(0) + state.slice(1).toLowerCase();
}

/** Seconds as `45s`, `15m`, `1h 30m`, `1d`, `2d 6h`. */
export function formatInterval(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return `${seconds}s`;
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [["d", 86_400], ["h", 3_600], ["m", 60]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${Number(rest.toFixed(3))}s`);
  return parts.join(" ");
}

/** A schedule in a few words: `every 1h`, `cron 0 9 * * 1-5`, `rrule FREQ=DAILY`. */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case "interval":
      return `every ${formatInterval(schedule.intervalSeconds)}`;
    case "cron":
      return `cron ${schedule.cron}`;
    case "rrule":
      return `rrule ${schedule.rrule}`;
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

/** `2025-06-15 14:00` in the IANA time zone `timezone`, or null for an unknown zone. */
export function formatInZone(ms: number, timezone: string): string | null {
  let format = zoneFormats.get(timezone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    } catch {
      format = null;
    }
    if (zoneFormats.size > 500) zoneFormats.clear();
    zoneFormats.set(timezone, format);
  }
  if (format === null) return null;
  const part: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(ms)) part[type] = value;
  return `${part["year"]}-${part["month"]}-${part["day"]} ${part["hour"]}:${part["minute"]}`;
}

/**
 * `value` as JSON text for a page, never throwing: a value nested deeper
 * than the call stack allows (an older database may hold one) is shown as a
 * note instead.
 */
export function jsonText(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? "null";
  } catch (error) {
    if (error instanceof RangeError) return "[nested too deeply to show]";
    throw error;
  }
}
