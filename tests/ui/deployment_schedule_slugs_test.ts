/**
 * The deployment page shows each schedule's slug and parameters and the deployment's work
 * queue (Prefect 3 "Schedules", docs.prefect.io/v3/concepts/schedules; "Work pools",
 * docs.prefect.io/v3/concepts/work-pools), and the schedule editor keeps them on an edit.
 */
import assert from "node:assert/strict";
import { DeploymentService } from "../../engine/deployments/mod.ts";
import { DEFAULT_ANCHOR, scheduleKey } from "../../engine/mod.ts";
import { createApp } from "../../server/app.ts";
import { FakeClock, NOW, testEngine } from "./_fixtures.ts";

const morning = {
  kind: "interval",
  intervalSeconds: 3600,
  anchor: DEFAULT_ANCHOR,
  timezone: "UTC",
  active: true,
  catchup: "skip",
  slug: "hourly-eu",
  parameters: { region: "eu" },
} as const;

Deno.test("deployment page: a schedule's slug and parameters and the work queue are shown; an edit keeps them", async () => {
  const clock = new FakeClock(NOW);
  await using t = testEngine(clock);
  const service = new DeploymentService(t.engine);
  await service.create({
    name: "etl-daily",
    entrypoint: "./flows/etl.ts:etl",
    workQueue: "critical",
    schedules: [morning],
  });
  const app = createApp({ engine: t.engine, clock });

  const page = await (await app.request("/deployments/etl-daily")).text();
  assert.match(page, /data-slug="hourly-eu"/);
  assert.match(page, /parameters \{&quot;region&quot;:&quot;eu&quot;\}/);
  assert.match(page, /queue critical/);

  const token = page.match(/name="_csrf" value="([^"]+)"/)![1]!;
  const saved = await app.request("/deployments/etl-daily/schedules", {
    method: "POST",
    body: new URLSearchParams({
      _csrf: token,
      intent: "save",
      index: "0",
      key: scheduleKey(morning),
      kind: "interval",
      value: "2h",
      timezone: "UTC",
      catchup: "skip",
      active: "on",
    }),
  });
  assert.equal(saved.status, 303, await saved.text());
  const [schedule] = service.get("etl-daily").schedules;
  assert.equal(schedule?.kind === "interval" && schedule.intervalSeconds, 7200);
  assert.equal(schedule?.slug, "hourly-eu");
  assert.deepEqual(schedule?.parameters, { region: "eu" });
});
