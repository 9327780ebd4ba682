import assert from "node:assert/strict";
import { createMemoryStore, createSqliteStore } from "../../engine/mod.ts";
import { NEW_SCHEDULE, previewOf } from "../../server/dashboard/deployments_data.ts";
import { call, testServer } from "./_helpers.ts";

/** Schedules (as the API writes them) and whether they are valid. */
const CASES: [string, Record<string, unknown>, boolean][] = [
  ["5-field cron", { cron: "*/5 * * * *" }, true],
  ["6-field cron", { cron: "0 */5 * * * *" }, true],
  ["7-field cron", { cron: "0 0 0 * * * *" }, false],
  ["cron shortcut", { cron: "@daily" }, true],
  ["hourly rrule", { rrule: "FREQ=HOURLY;BYMINUTE=15" }, true],
  ["monthly rrule", { rrule: "FREQ=MONTHLY" }, false],
  ["yearly rrule", { rrule: "FREQ=YEARLY" }, false],
  ["secondly rrule", { rrule: "FREQ=SECONDLY" }, false],
  ["BYHOUR=25", { rrule: "FREQ=DAILY;BYHOUR=25" }, false],
  ["BYMINUTE=-1", { rrule: "FREQ=DAILY;BYMINUTE=-1" }, false],
  ["bad BYDAY", { rrule: "FREQ=WEEKLY;BYDAY=XX" }, false],
  ["interval 1 s", { interval: 1 }, true],
  ["interval 1 day", { interval: 86_400 }, true],
  ["interval under 1 s", { interval: 0.5 }, false],
  ["interval 1e-9", { interval: 1e-9 }, false],
  ["interval 1e308", { interval: 1e308 }, false],
  ["unknown zone", { cron: "@daily", timezone: "Mars/Olympus" }, false],
];

Deno.test("preview and create accept exactly the same schedules", async (t) => {
  for (const kind of ["memory", "sqlite"] as const) {
    await t.step(kind, async (t) => {
      const dir = await Deno.makeTempDir({ prefix: "ironflow_schedules_" });
      const s = testServer({
        store: kind === "memory" ? createMemoryStore() : createSqliteStore(`${dir}/db.sqlite`),
      });
      try {
        let n = 0;
        for (const [label, schedule, valid] of CASES) {
          await t.step(label, async () => {
            const preview = await call(s.app, "/api/schedules/preview", { body: { schedule } });
            const created = await call(s.app, "/api/deployments", {
              body: { name: `d${n++}`, entrypoint: "./flows/a.ts:f", schedules: [schedule] },
            });
            assert.equal(preview.status, valid ? 200 : 400, JSON.stringify(preview.body));
            assert.equal(created.status, valid ? 201 : 400, JSON.stringify(created.body));
            if (valid) {
              const next: string[] = preview.body.next;
              assert.equal(new Set(next).size, next.length, "distinct slots");
            } else assert.equal(preview.body.error.code, "invalid_schedule");
          });
        }
      } finally {
        s.close();
        await s.engine.close();
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
});

Deno.test("the dashboard's schedule editor previews with the same validator", () => {
  const now = Date.UTC(2024, 4, 1);
  const draft = (kind: "interval" | "cron" | "rrule", value: string) =>
    previewOf({ ...NEW_SCHEDULE, kind, value }, now);
  assert.equal(draft("cron", "0 0 0 * * * *").error !== null, true);
  assert.equal(draft("rrule", "FREQ=DAILY;BYHOUR=25").error !== null, true);
  assert.equal(draft("interval", "0.000000001").error !== null, true);
  assert.equal(draft("interval", "1e308").error !== null, true);
  assert.equal(draft("interval", "15m").error, null);
  assert.equal(draft("rrule", "FREQ=DAILY;BYHOUR=9,17").next.length > 0, true);
});
