import assert from "node:assert/strict";
import type { Schedule } from "../../../engine/mod.ts";
import { scheduleMisses } from "../../../engine/deployments/mod.ts";
import { slotRunId } from "../../../engine/deployments/_slot_run_id.ts";
import { scheduleKey } from "../../../engine/schedules/plan.ts";
import { createApp } from "../../../server/mod.ts";
import { createScheduler } from "../../../server/services/services_loop.ts";
import { call } from "../../server/_helpers.ts";
import { fixture, T0 } from "./_helpers.ts";

const SECOND = 1000;

function everySecond(catchup: Schedule["catchup"]): Schedule {
  return {
    kind: "interval",
    intervalSeconds: 1,
    anchor: T0,
    timezone: "UTC",
    active: true,
    catchup,
  };
}

// Ticks of a services loop that keeps crashing: up 45 s after the start,
// then down 100 s, then up for two ticks 5 s apart. No sleeps: the clock jumps.
const TICKS = [0, 45, 145, 150].map((s) => T0 + s * SECOND);

for (const catchup of ["skip", "run_once"] as const) {
  Deno.test(`a one-second schedule under repeated crashes (${catchup}): every slot is created or counted as missed`, async () => {
    await using f = fixture();
    const d = await f.deployments.create({
      name: "each-second",
      entrypoint: "./a.ts:a",
      schedules: [everySecond(catchup)],
    });
    const key = scheduleKey(d.schedules[0]!);
    const scheduler = createScheduler({ engine: f.engine, clock: f.clock, maxAhead: 10 });
    for (const at of TICKS) {
      f.clock.set(at);
      await scheduler.tick(at);
    }
    // The last tick created slots up to 150 s + 10 ahead.
    const last = T0 + 160 * SECOND;
    const created: number[] = [];
    const missing: number[] = [];
    for (let slot = T0; slot <= last; slot += SECOND) {
      (f.engine.getRun(slotRunId(d.id, key, slot)) ? created : missing).push(slot);
    }
    // Down from 45 s to 145 s: slots 56..84 s were more than 60 s old when the
    // scheduler came back; 85..145 s were due within the grace period.
    const expectedMissing = Array.from({ length: 29 }, (_, i) => T0 + (56 + i) * SECOND);
    const [misses] = scheduleMisses(f.engine.reader, d);
    if (catchup === "skip") {
      assert.deepEqual(missing, expectedMissing);
      assert.deepEqual(misses, { missed: 29, lastMissed: T0 + 84 * SECOND });
    } else {
      // run_once: the newest missed slot gets its run.
      assert.deepEqual(missing, expectedMissing.slice(0, -1));
      assert.deepEqual(misses, { missed: 28, lastMissed: T0 + 83 * SECOND });
    }
    assert.equal(created.length + misses!.missed, (last - T0) / SECOND + 1, "no slot unaccounted");
    assert.equal(
      f.engine.listRuns({ kind: "flow", deploymentId: d.id, limit: 500 }).items.length,
      created.length,
      "no run outside its slot",
    );
  });
}

Deno.test("GET /api/deployments/{ref}/schedules/next shows each schedule's missed slots", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "each-second",
    entrypoint: "./a.ts:a",
    schedules: [everySecond("skip")],
  });
  const scheduler = createScheduler({ engine: f.engine, clock: f.clock, maxAhead: 2 });
  await scheduler.tick(T0);
  f.clock.set(T0 + 120 * SECOND);
  await scheduler.tick();
  const app = createApp({ engine: f.engine, clock: f.clock });
  const answer = await call(app, `/api/deployments/${d.name}/schedules/next?count=1`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  // Slots 3..59 s were created by no tick and are over 60 s old at 120 s.
  assert.equal(answer.body.schedules[0].missed, 57);
  assert.equal(answer.body.schedules[0].last_missed, new Date(T0 + 59 * SECOND).toISOString());
});
