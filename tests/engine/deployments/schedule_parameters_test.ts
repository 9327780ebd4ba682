/**
 * Per-schedule parameters, slugs and `active`, from Prefect 3's "Schedules"
 * page (docs.prefect.io/v3/concepts/schedules): a schedule's parameters are
 * merged over the deployment's for the runs it creates; a schedule is paused
 * or resumed alone, by its slug.
 */
import assert from "node:assert/strict";
import type { Schedule } from "../../../engine/mod.ts";
import { DeploymentError } from "../../../engine/deployments/mod.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { fixture, onEachStore, T0 } from "./_helpers.ts";

function every(seconds: number, extra: Partial<Schedule> = {}): Schedule {
  return {
    kind: "interval",
    intervalSeconds: seconds,
    anchor: T0,
    timezone: "UTC",
    active: true,
    catchup: "skip",
    ...extra,
  } as Schedule;
}

const SCHEMA = {
  type: "object",
  properties: { region: { type: "string" }, size: { type: "integer" } },
  required: ["region", "size"],
};

Deno.test("schedules: each schedule's runs get its parameters over the deployment's, and its slug", async (t) => {
  await onEachStore(t, async (f) => {
    const d = await f.deployments.create({
      name: "report",
      entrypoint: "./a.ts:a",
      parameters: { region: "eu", size: 1 },
      parameterSchema: SCHEMA,
      schedules: [
        every(3600, { slug: "hourly-us", parameters: { region: "us" } }),
        every(3600, { slug: "hourly-big", parameters: { size: 9 } }),
        every(3600),
      ],
    });
    const { created } = await createScheduler({ engine: f.engine, clock: f.clock, horizonMs: 0 })
      .tick();
    assert.equal(created.length, 3, "same times, different parameters: one run each");
    const bySlug = new Map(created.map((id) => {
      const creation = f.engine.events(id)[0]!;
      return [creation.data?.["schedule"] ?? null, f.engine.getRun(id)!.parameters];
    }));
    assert.deepEqual(bySlug.get("hourly-us"), { region: "us", size: 1 });
    assert.deepEqual(bySlug.get("hourly-big"), { region: "eu", size: 9 });
    assert.deepEqual(bySlug.get(null), { region: "eu", size: 1 });
    assert.equal(f.deployments.runs(d.id).items.length, 3);
  });
});

Deno.test("schedules: parameters are checked against the schema, and slugs are unique", async (t) => {
  await using f = fixture();
  const create = (schedules: Schedule[]) =>
    f.deployments.create({
      name: "checked",
      entrypoint: "./a.ts:a",
      parameters: { region: "eu", size: 1 },
      parameterSchema: SCHEMA,
      schedules,
    });
  await t.step("a parameter of the wrong type", async () => {
    const error = await create([every(60, { parameters: { size: "big" } })]).catch((e) => e);
    assert.ok(error instanceof DeploymentError);
    assert.match(error.message, /schedules\[0\]: parameters: .*size/);
  });
  await t.step("the same slug twice", async () => {
    await assert.rejects(
      create([every(60, { slug: "a" }), every(120, { slug: "a" })]),
      /schedules\[1\]: slug "a" is used by another schedule/,
    );
  });
  await t.step("a slug with a space", async () => {
    await assert.rejects(create([every(60, { slug: "my slug" })]), /slug "my slug" must be/);
  });
});

Deno.test("schedules: pausing one schedule by slug stops its runs and cancels its future ones; the others go on", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "two",
    entrypoint: "./a.ts:a",
    schedules: [
      every(60, { slug: "fast", parameters: { n: 1 } }),
      every(60, { slug: "slow", parameters: { n: 2 } }),
    ],
  });
  const scheduler = createScheduler({ engine: f.engine, clock: f.clock, horizonMs: 120_000 });
  assert.equal((await scheduler.tick()).created.length, 6);

  const paused = await f.deployments.setScheduleActive("two", "fast", false);

  assert.deepEqual(paused.schedules.map((s) => [s.slug, s.active]), [
    ["fast", false],
    ["slow", true],
  ]);
  const runs = f.deployments.runs(d.id, { limit: 20 }).items;
  const cancelled = runs.filter((r) => r.state === "CANCELLED");
  assert.equal(cancelled.length, 2, "the two future runs of 'fast'");
  assert.ok(cancelled.every((r) => (r.parameters as { n: number }).n === 1));
  f.clock.tick(60_000);
  const next = await scheduler.tick();
  assert.ok(next.created.every((id) => f.engine.events(id)[0]!.data?.["schedule"] === "slow"));
  await f.deployments.setScheduleActive("two", "fast", true);
  f.clock.tick(60_000);
  const resumed = (await scheduler.tick()).created.map((id) =>
    f.engine.events(id)[0]!.data?.["schedule"]
  );
  assert.ok(resumed.includes("fast"));
  await assert.rejects(
    f.deployments.setScheduleActive("two", "nope", false),
    /Deployment "two" has no schedule with slug "nope"; its slugs are "fast", "slow"/,
  );
});
