import assert from "node:assert/strict";
import {
  CatchupPolicy,
  intervalRuns,
  planSlots,
  scheduleProblems,
} from "../../../engine/schedules/plan.ts";
import { checkSchedule, nextRuns, ScheduleError } from "../../../engine/schedules/mod.ts";
import { Cron } from "npm:croner@^11.0.1";

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());

Deno.test("intervalRuns() counts from the anchor and excludes `after`", () => {
  const anchor = Date.UTC(2024, 0, 1);
  const spec = { kind: "interval", intervalSeconds: 600, anchor, timezone: "UTC" } as const;
  assert.deepEqual(intervalRuns(spec, anchor, 2), [anchor + 600_000, anchor + 1_200_000]);
  assert.deepEqual(intervalRuns(spec, anchor - 1, 1), [anchor]);
  assert.deepEqual(intervalRuns(spec, anchor + 650_000, 1), [anchor + 1_200_000]);
});

Deno.test("nextRuns() evaluates cron shortcuts", async (t) => {
  const after = Date.UTC(2024, 4, 15, 10, 30); // a Wednesday
  const cases: Array<[string, string]> = [
    ["@hourly", "2024-05-15T11:00:00.000Z"],
    ["@daily", "2024-05-16T00:00:00.000Z"],
    ["@midnight", "2024-05-16T00:00:00.000Z"],
    ["@weekly", "2024-05-19T00:00:00.000Z"],
    ["@monthly", "2024-06-01T00:00:00.000Z"],
    ["@yearly", "2025-01-01T00:00:00.000Z"],
    ["@annually", "2025-01-01T00:00:00.000Z"],
  ];
  for (const [cron, expected] of cases) {
    await t.step(cron, () => {
      assert.deepEqual(iso(nextRuns({ kind: "cron", cron, timezone: "UTC" }, after, 1)), [
        expected,
      ]);
    });
  }
});

Deno.test("nextRuns() accepts 6-field cron with seconds", () => {
  const after = Date.UTC(2024, 0, 1, 12);
  assert.deepEqual(
    iso(nextRuns({ kind: "cron", cron: "*/20 * * * * *", timezone: "UTC" }, after, 3)),
    ["2024-01-01T12:00:20.000Z", "2024-01-01T12:00:40.000Z", "2024-01-01T12:01:00.000Z"],
  );
});

Deno.test("nextRuns() keeps cron wall-clock times across a DST change", () => {
  const after = Date.UTC(2024, 2, 8, 0);
  const spec = { kind: "cron", cron: "0 9 * * *", timezone: "America/New_York" } as const;
  // EST (UTC-5) until March 10, then EDT (UTC-4).
  assert.deepEqual(iso(nextRuns(spec, after, 4)), [
    "2024-03-08T14:00:00.000Z",
    "2024-03-09T14:00:00.000Z",
    "2024-03-10T13:00:00.000Z",
    "2024-03-11T13:00:00.000Z",
  ]);
});

Deno.test("nextRuns() runs a cron slot in the skipped hour once, after the gap", () => {
  const spec = { kind: "cron", cron: "30 2 * * *", timezone: "Europe/Berlin" } as const;
  const slots = iso(nextRuns(spec, Date.UTC(2024, 2, 30, 0), 3));
  assert.deepEqual(slots, [
    "2024-03-30T01:30:00.000Z", // 02:30 CET
    "2024-03-31T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST
    "2024-04-01T00:30:00.000Z", // 02:30 CEST
  ]);
});

/** Cron expressions of every field shape, plus generated ones (a fixed seed). */
function cronCases(generated: number): string[] {
  const fixed = [
    "* * * * *",
    "*/5 * * * *",
    "0 9 * * 1-5",
    "30 2 * * *",
    "0 0 L * *",
    "0 12 * * 5#3",
    "0 0 1W * *",
    "15 10 * * 5L",
    "0 0 29 2 *",
    "*/20 * * * * *",
    "10 0 */3 * * *",
    "59 23 31 12 *",
    "0 0 * * 0",
    "0 0 * * 7",
    "5,35 8-18/2 * 1,6,12 *",
    "0 6 1-7 * 1",
    "@hourly",
    "@daily",
    "@weekly",
    "@monthly",
    "@yearly",
  ];
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const field = (n: number, base: number) => {
    switch (next(4)) {
      case 0:
        return "*";
      case 1:
        return String(base + next(n));
      case 2: {
        const a = base + next(n);
        return `${a}-${Math.min(base + n - 1, a + 1 + next(n))}`;
      }
      default:
        return `*/${1 + next(Math.max(1, Math.floor(n / 2)))}`;
    }
  };
  for (let i = 0; i < generated; i++) {
    fixed.push(
      [field(60, 0), field(24, 0), field(28, 1), field(12, 1), field(7, 0)].join(" "),
    );
  }
  return fixed;
}

Deno.test("nextRuns() in UTC and fixed-offset zones gives croner's times in the named zone", async (t) => {
  // The evaluator uses croner's utcOffset for these zones (no Intl per call):
  // the times must be exactly those of croner with `timezone`.
  const dates: number[] = [
    Date.UTC(2024, 1, 28, 23, 59, 59, 999), // before a leap day
    Date.UTC(2023, 11, 31, 23, 59, 59, 999),
    Date.UTC(2024, 2, 10, 6, 59), // DST starts in New York (no effect here)
    Date.UTC(2024, 9, 27, 0, 30), // and ends in Europe
  ];
  for (let at = Date.UTC(2023, 0, 1); dates.length < 60; at += 13 * 86_400_000 + 37_000_123) {
    dates.push(at);
  }
  const expectSame = (crons: string[], timezone: string, after: number[]) => {
    for (const cron of crons) {
      const reference = new Cron(cron, { timezone, paused: true });
      for (const at of after) {
        const expected = reference.nextRuns(4, new Date(at)).map((d) => d.getTime());
        assert.deepEqual(
          nextRuns({ kind: "cron", cron, timezone }, at, 4),
          expected,
          `"${cron}" in ${timezone} after ${new Date(at).toISOString()}`,
        );
      }
    }
  };
  await t.step("UTC", () => expectSame(cronCases(60), "UTC", dates));
  for (const zone of ["Etc/UTC", "GMT", "Etc/GMT+5", "Etc/GMT-14", "+05:30", "-08:00"]) {
    await t.step(zone, () => expectSame(cronCases(10), zone, dates.slice(0, 12)));
  }
});

Deno.test("nextRuns() evaluates RRules with INTERVAL, BYDAY, UNTIL and COUNT", async (t) => {
  await t.step("weekly on two days every other week until a date", () => {
    const spec = {
      kind: "rrule",
      rrule:
        "DTSTART;TZID=America/New_York:20240301T093000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20240401T000000Z",
      anchor: 0,
      timezone: "America/New_York",
    } as const;
    assert.deepEqual(iso(nextRuns(spec, Date.UTC(2024, 1, 1), 10)), [
      "2024-03-11T13:30:00.000Z",
      "2024-03-13T13:30:00.000Z",
      "2024-03-25T13:30:00.000Z",
      "2024-03-27T13:30:00.000Z",
    ]);
  });
  await t.step("daily at 09:00 local across DST, DTSTART from the anchor", () => {
    const spec = {
      kind: "rrule",
      rrule: "FREQ=DAILY;COUNT=5",
      anchor: Date.UTC(2024, 2, 8, 14), // 09:00 EST
      timezone: "America/New_York",
    } as const;
    assert.deepEqual(iso(nextRuns(spec, Date.UTC(2024, 2, 9, 0), 10)), [
      "2024-03-09T14:00:00.000Z",
      "2024-03-10T13:00:00.000Z",
      "2024-03-11T13:00:00.000Z",
      "2024-03-12T13:00:00.000Z",
    ]);
  });
  await t.step("minutely with an interval", () => {
    const spec = {
      kind: "rrule",
      rrule: "RRULE:FREQ=MINUTELY;INTERVAL=15",
      anchor: Date.UTC(2024, 0, 1),
      timezone: "UTC",
    } as const;
    assert.deepEqual(iso(nextRuns(spec, Date.UTC(2024, 5, 1, 10, 7), 2)), [
      "2024-06-01T10:15:00.000Z",
      "2024-06-01T10:30:00.000Z",
    ]);
  });
});

Deno.test("checkSchedule() explains what is wrong", async (t) => {
  const cases: Array<[Parameters<typeof checkSchedule>[0], RegExp]> = [
    [{ kind: "cron", cron: "* * *", timezone: "UTC" }, /must have 5 or 6 fields, got 3/],
    [{ kind: "cron", cron: "61 * * * *", timezone: "UTC" }, /Invalid cron "61 \* \* \* \*"/],
    [
      { kind: "cron", cron: "@sometimes", timezone: "UTC" },
      /cron shortcut "@sometimes" is unknown/,
    ],
    [
      { kind: "cron", cron: "@daily", timezone: "Mars/Olympus" },
      /Unknown time zone "Mars\/Olympus"/,
    ],
    [
      { kind: "interval", intervalSeconds: 0, anchor: 0, timezone: "UTC" },
      /interval must be at least 1/,
    ],
    [
      { kind: "rrule", rrule: "FREQ=MONTHLY", anchor: 0, timezone: "UTC" },
      /"MONTHLY" is not supported/,
    ],
    [{ kind: "rrule", rrule: "INTERVAL=2", anchor: 0, timezone: "UTC" }, /has no FREQ/],
  ];
  for (const [spec, message] of cases) {
    await t.step(JSON.stringify(spec), () => {
      assert.throws(() => checkSchedule(spec), (error: Error) => {
        assert.ok(error instanceof ScheduleError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
  assert.deepEqual(scheduleProblems({ kind: "cron", cron: "@daily", timezone: "UTC" }), []);
});

Deno.test("planSlots() creates due and future slots within the horizon and count", () => {
  const next = (after: number, count: number) =>
    intervalRuns(
      { kind: "interval", intervalSeconds: 60, anchor: 0, timezone: "UTC" },
      after,
      count,
    );
  const now = 600_000;
  const plan = planSlots({
    next,
    cursor: null,
    since: now,
    now,
    horizonMs: 600_000,
    maxAhead: 3,
    graceMs: 30_000,
    catchup: CatchupPolicy.SKIP,
  });
  assert.deepEqual(plan.create, [600_000, 660_000, 720_000, 780_000]);
  assert.equal(plan.cursor, 780_000);
  const again = planSlots({
    next,
    cursor: plan.cursor,
    since: now,
    now,
    horizonMs: 600_000,
    maxAhead: 3,
    graceMs: 30_000,
    catchup: CatchupPolicy.SKIP,
  });
  assert.deepEqual(again.create, [], "slots already ahead count against maxAhead");
});

Deno.test("planSlots() skips missed slots or runs the newest once", () => {
  const next = (after: number, count: number) =>
    intervalRuns(
      { kind: "interval", intervalSeconds: 60, anchor: 0, timezone: "UTC" },
      after,
      count,
    );
  const base = {
    next,
    cursor: 60_000,
    since: 0,
    now: 610_000,
    horizonMs: 0,
    maxAhead: 5,
    graceMs: 30_000,
  };
  const skip = planSlots({ ...base, catchup: CatchupPolicy.SKIP });
  assert.deepEqual(skip.create, [600_000], "the slot within the grace period is still due");
  assert.equal(skip.skipped, 8);
  const once = planSlots({ ...base, catchup: CatchupPolicy.RUN_ONCE });
  assert.deepEqual(once.create, [540_000, 600_000]);
  assert.equal(once.skipped, 7);
});
