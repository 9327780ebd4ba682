import assert from "node:assert/strict";
import { FakeClock } from "../../engine/mod.ts";
import { exponentialBackoff, flow, task } from "../../sdk/mod.ts";
import { historyOf, nextTurn, taskRunNamed, testPlane, until } from "./_helpers.ts";

/**
 * Waits for the retry sleeper, shows that one millisecond short of `delayMs`
 * the body has not run again, then lets the delay pass and waits for the next attempt.
 */
async function passRetryDelay(
  clock: FakeClock,
  delayMs: number,
  attempts: () => number,
): Promise<void> {
  await until(() => clock.pendingSleepers > 0, "the retry delay to start");
  const before = attempts();
  clock.tick(delayMs - 1);
  for (let turn = 0; turn < 5; turn++) await nextTurn();
  assert.equal(attempts(), before, `attempt ${before + 1} started before ${delayMs} ms passed`);
  clock.tick(1);
  await until(() => attempts() > before, `attempt ${before + 1}`);
}

Deno.test("a task retries after its listed delays: SCHEDULED AwaitingRetry, then RUNNING Retrying", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let attempts = 0;
  const flaky = task(async () => {
    attempts += 1;
    if (attempts < 3) throw new Error(`flaky attempt ${attempts}`);
    return await Promise.resolve(attempts);
  }, { retries: 2, retryDelaySeconds: [10, 20] });
  const resilient = flow({ name: "resilient" }, async () => await flaky());

  const running = resilient.runWith({ plane });
  await until(() => clock.pendingSleepers > 0, "the first retry delay");
  const flowRunId = plane.engine.listRuns({ kind: "flow" }).items[0]!.id;
  const waiting = taskRunNamed(plane, flowRunId, "flaky");
  assert.equal(waiting.state, "SCHEDULED");
  assert.equal(waiting.stateName, "AwaitingRetry");
  assert.equal(waiting.expectedStartTime, clock.now() + 10_000);
  assert.equal(waiting.runCount, 1);

  await passRetryDelay(clock, 10_000, () => attempts);
  await passRetryDelay(clock, 20_000, () => attempts);
  const outcome = await running;

  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, 3);
  const run = taskRunNamed(plane, outcome.runId, "flaky");
  assert.equal(run.runCount, 3);
  assert.deepEqual(historyOf(plane, run.id), [
    "PENDING Pending",
    "RUNNING Running",
    "SCHEDULED AwaitingRetry",
    "RUNNING Retrying",
    "SCHEDULED AwaitingRetry",
    "RUNNING Retrying",
    "COMPLETED Completed",
  ]);
  const retryDelays = plane.engine.events(run.id)
    .filter((event) => event.to === "SCHEDULED")
    .map((event) => event.data?.["retryDelayMs"]);
  assert.deepEqual(retryDelays, [10_000, 20_000]);
});

Deno.test("a task whose retries run out ends FAILED with the last error", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let attempts = 0;
  const doomed = task(async (): Promise<number> => {
    attempts += 1;
    return await Promise.reject(new Error(`doomed attempt ${attempts}`));
  }, { retries: 1, retryDelaySeconds: 5 });
  let caught: unknown;
  const hopeless = flow({ name: "hopeless" }, async () => {
    try {
      await doomed();
    } catch (error) {
      caught = error;
    }
  });

  const running = hopeless.runWith({ plane });
  await passRetryDelay(clock, 5_000, () => attempts);
  const outcome = await running;

  assert.equal((caught as Error).message, "doomed attempt 2");
  const run = taskRunNamed(plane, outcome.runId, "doomed");
  assert.equal(run.state, "FAILED");
  assert.equal(run.runCount, 2);
  assert.equal(outcome.state.type, "FAILED");
});

Deno.test("retryCondition answering false stops retries after the first attempt", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const asked: Array<[string, number]> = [];
  const permanent = task(async (): Promise<number> => {
    return await Promise.reject(new TypeError("bad input"));
  }, {
    retries: 3,
    retryDelaySeconds: 60,
    retryCondition: (error, attempt) => {
      asked.push([error.message, attempt]);
      return false;
    },
  });
  const once = flow({ name: "once" }, () => {
    permanent.submit();
  });

  const outcome = await once.runWith({ plane });

  assert.deepEqual(asked, [["bad input", 1]]);
  const run = taskRunNamed(plane, outcome.runId, "permanent");
  assert.equal(run.runCount, 1);
  assert.deepEqual(historyOf(plane, run.id), [
    "PENDING Pending",
    "RUNNING Running",
    "FAILED Failed",
  ]);
  assert.equal(clock.pendingSleepers, 0);
});

Deno.test("exponentialBackoff(1) waits 1, 2 then 4 seconds between attempts", async () => {
  const backoff = exponentialBackoff(1);
  assert.deepEqual([1, 2, 3].map(backoff), [1, 2, 4]);

  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let attempts = 0;
  const stubborn = task(async () => {
    attempts += 1;
    if (attempts <= 3) throw new Error(`stubborn attempt ${attempts}`);
    return await Promise.resolve("finally");
  }, { retries: 3, retryDelaySeconds: backoff });
  const patient = flow({ name: "patient" }, async () => await stubborn());

  const running = patient.runWith({ plane });
  for (const delayMs of [1_000, 2_000, 4_000]) {
    await passRetryDelay(clock, delayMs, () => attempts);
  }
  const outcome = await running;

  assert.equal(outcome.result, "finally");
  const run = taskRunNamed(plane, outcome.runId, "stubborn");
  const scheduled = plane.engine.events(run.id).filter((event) => event.to === "SCHEDULED");
  assert.deepEqual(scheduled.map((event) => event.data?.["retryDelayMs"]), [1_000, 2_000, 4_000]);
  assert.equal(run.runCount, 4);
});

Deno.test("a flow run retries its body after a failed attempt", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  let attempts = 0;
  const flakyFlow = flow({ name: "flaky-flow", retries: 1, retryDelaySeconds: 30 }, () => {
    attempts += 1;
    if (attempts === 1) throw new Error("first attempt fails");
    return "second attempt";
  });

  const running = flakyFlow.runWith({ plane });
  await passRetryDelay(clock, 30_000, () => attempts);
  const outcome = await running;

  assert.equal(outcome.state.type, "COMPLETED");
  assert.equal(outcome.result, "second attempt");
  assert.deepEqual(historyOf(plane, outcome.runId), [
    "PENDING Pending",
    "RUNNING Running",
    "SCHEDULED AwaitingRetry",
    "RUNNING Retrying",
    "COMPLETED Completed",
  ]);
});
