import assert from "node:assert/strict";
import {
  acquireSlots,
  activeSlotsOf,
  FakeClock,
  NotFoundError,
  releaseSlots,
} from "../../engine/mod.ts";
import {
  cancelFlowRun,
  concurrency,
  flow,
  getRunContext,
  rateLimit,
  task,
  TimeoutError,
} from "../../sdk/mod.ts";
import {
  advance,
  driveUntil,
  flowRunsOf,
  historyOf,
  nextTurn,
  taskRunNamed,
  taskRunsOf,
  type TestPlane,
  testPlane,
  until,
  untilAborted,
} from "./_helpers.ts";

function putLimit(
  plane: TestPlane,
  name: string,
  limit: number,
  slotDecayPerSecond = 0,
): Promise<void> {
  const now = plane.timer.now();
  return plane.engine.transact((tx) =>
    tx.putConcurrencyLimit({
      name,
      limit,
      slotDecayPerSecond,
      activeSlots: 0,
      createdAt: now,
      updatedAt: now,
    })
  );
}

/** Slots in use on the limit `name` now. */
function activeSlots(plane: TestPlane, name: string): Promise<number> {
  const limit = plane.engine.reader.getConcurrencyLimit(name)!;
  return plane.engine.transact((tx) => activeSlotsOf(tx, limit, plane.timer.now()));
}

/** Takes a slot directly through the engine: a holder that never renews its lease. */
async function holdDirectly(plane: TestPlane, name: string, leaseMs?: number): Promise<string> {
  const grant = await acquireSlots(plane.engine, plane.timer, {
    names: [name],
    ...(leaseMs !== undefined ? { leaseMs } : {}),
  });
  assert.ok(grant.acquired && grant.leaseId !== null, `no slot of "${name}" was free`);
  return grant.leaseId;
}

/** Whether a promise has settled (after letting pending work run). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  for (let i = 0; i < 5; i++) await nextTurn();
  return done;
}

Deno.test("concurrency: a limit caps how many mapped task bodies run at once", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "warehouse", 2);
  let running = 0;
  let peak = 0;
  const load = task(async (batch: number) => {
    await using _slot = await concurrency("warehouse");
    running += 1;
    peak = Math.max(peak, running);
    for (let i = 0; i < 3; i++) await nextTurn();
    running -= 1;
    return batch;
  });
  const capped = flow({ name: "conc-capped-map" }, async () => {
    return await Promise.all(load.map([1, 2, 3, 4, 5, 6]));
  });

  let finished = false;
  const outcome = capped.runWith({ plane }).finally(() => finished = true);
  await driveUntil(clock, () => finished, "the capped map");

  assert.deepEqual((await outcome).result, [1, 2, 3, 4, 5, 6]);
  assert.equal(peak, 2);
  assert.equal(await activeSlots(plane, "warehouse"), 0, "slots leaked");
});

Deno.test("concurrency: strict throws NotFoundError for a missing limit", async () => {
  await using plane = testPlane();
  await assert.rejects(concurrency("nowhere", { plane, strict: true }), (error: unknown) => {
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.message, 'Concurrency limit "nowhere" does not exist');
    return true;
  });
});

Deno.test("concurrency: a missing limit passes through when not strict", async () => {
  await using plane = testPlane();
  const slot = await concurrency("nowhere", { plane });
  assert.deepEqual(slot.names, []);
  await slot.release();
});

Deno.test("concurrency: limit 0 or occupying more than the limit is denied at once", async () => {
  await using plane = testPlane();
  await putLimit(plane, "frozen", 0);
  await putLimit(plane, "small", 2);
  await assert.rejects(concurrency("frozen", { plane }), {
    name: "ConcurrencyDeniedError",
    message: 'Concurrency limit "frozen" is 0: it admits nothing',
  });
  await assert.rejects(concurrency("small", { plane, occupy: 3 }), {
    name: "ConcurrencyDeniedError",
    message: 'Cannot occupy 3 slots of concurrency limit "small", which has 2',
  });
  const both = await concurrency("small", { plane, occupy: 2 });
  assert.equal(await activeSlots(plane, "small"), 2);
  await both.release();
});

Deno.test("concurrency: timeoutSeconds gives up with TimeoutError", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "single", 1);
  await holdDirectly(plane, "single");

  const waiting = concurrency("single", { plane, timeoutSeconds: 1 });
  for (let waited = 0; waited < 750; waited += 250) await advance(clock, 250);
  assert.equal(await settled(waiting), false, "gave up before the timeout");
  await advance(clock, 250);
  await assert.rejects(waiting, (error: unknown) => {
    assert.ok(error instanceof TimeoutError);
    assert.equal(
      error.message,
      'Timed out after 1 s waiting for concurrency slots (no free slot on "single")',
    );
    return true;
  });
});

Deno.test("concurrency: several names are taken all or nothing", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "cpu", 1);
  await putLimit(plane, "gpu", 1);
  const gpuLease = await holdDirectly(plane, "gpu");

  let acquired = false;
  const both = concurrency(["cpu", "gpu"], { plane }).then((slot) => {
    acquired = true;
    return slot;
  });
  await advance(clock, 250);
  await advance(clock, 250);
  assert.equal(acquired, false);
  assert.equal(await activeSlots(plane, "cpu"), 0, "cpu was taken while gpu was full");
  const cpuOnly = await concurrency("cpu", { plane, timeoutSeconds: 0 });
  await cpuOnly.release();

  assert.equal(await releaseSlots(plane.engine, gpuLease), true);
  await advance(clock, 250);
  const slot = await both;
  assert.deepEqual(slot.names, ["cpu", "gpu"]);
  assert.deepEqual([await activeSlots(plane, "cpu"), await activeSlots(plane, "gpu")], [1, 1]);
  await slot.release();
  assert.deepEqual([await activeSlots(plane, "cpu"), await activeSlots(plane, "gpu")], [0, 0]);
});

Deno.test("concurrency: an unrenewed lease expires and its slot is reclaimed", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "license", 1);
  const lease = await holdDirectly(plane, "license", 10_000);
  const tryTake = () => acquireSlots(plane.engine, clock, { names: ["license"] });

  assert.equal((await tryTake()).acquired, false);
  clock.tick(9_999);
  assert.equal((await tryTake()).acquired, false, "reclaimed before the lease expired");
  clock.tick(1);
  assert.equal((await tryTake()).acquired, true);
  assert.equal(await plane.renewLease(lease, 10_000), false, "an expired lease was renewed");
});

Deno.test("concurrency: a slot held through concurrency() is renewed past its lease", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "license", 1);
  const slot = await concurrency("license", { plane, leaseSeconds: 10 });

  for (let elapsed = 0; elapsed < 30_000; elapsed += 5_000) await advance(clock, 5_000);
  await nextTurn();
  assert.equal(await activeSlots(plane, "license"), 1, "the held slot was reclaimed");
  await slot.release();
  assert.equal(await activeSlots(plane, "license"), 0);
});

Deno.test("concurrency: releasing twice is harmless", async () => {
  await using plane = testPlane();
  await putLimit(plane, "pool", 1);
  {
    await using slot = await concurrency("pool", { plane });
    await slot.release();
    await slot.release();
    assert.equal(await activeSlots(plane, "pool"), 0);
  } // leaving the block releases a third time
  const lease = await holdDirectly(plane, "pool");
  assert.equal(await plane.releaseLease(lease), true);
  assert.equal(await plane.releaseLease(lease), false);
  assert.equal(await activeSlots(plane, "pool"), 0);
});

Deno.test("concurrency: rateLimit() paces callers by the limit's decay", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "api", 2, 1); // two calls at once, then one per second
  const start = clock.now();
  const times: number[] = [];
  const call = () => rateLimit("api", { plane }).then(() => void times.push(clock.now() - start));

  await call();
  await call();
  const third = call();
  await advance(clock, 999);
  assert.equal(await settled(third), false, "the third call was not paced");
  clock.tick(1);
  await third;
  assert.deepEqual(times, [0, 0, 1000]);
});

Deno.test("concurrency: a tag limit keeps tagged task runs waiting as AwaitingConcurrencySlot", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  await putLimit(plane, "tag:db", 2);
  let running = 0;
  let peak = 0;
  const query = task(async (n: number) => {
    running += 1;
    peak = Math.max(peak, running);
    for (let i = 0; i < 3; i++) await nextTurn();
    running -= 1;
    return n;
  }, { tags: ["db"] });
  const tagged = flow({ name: "conc-tag-limit" }, async () => {
    return await Promise.all(query.map([1, 2, 3, 4, 5]));
  });

  let finished = false;
  const outcome = tagged.runWith({ plane }).finally(() => finished = true);
  await driveUntil(clock, () => finished, "the tagged map");

  assert.deepEqual((await outcome).result, [1, 2, 3, 4, 5]);
  assert.equal(peak, 2);
  const histories = taskRunsOf(plane, (await outcome).runId).map((run) => historyOf(plane, run.id));
  const waited = histories.filter((history) =>
    history.includes("SCHEDULED AwaitingConcurrencySlot")
  );
  assert.ok(waited.length >= 3, `only ${waited.length} task runs waited for a slot`);
  assert.deepEqual(waited[0]!.slice(0, 2), [
    "PENDING Pending",
    "SCHEDULED AwaitingConcurrencySlot",
  ]);
  assert.deepEqual(waited[0]!.slice(-2), ["RUNNING Running", "COMPLETED Completed"]);
  assert.equal(await activeSlots(plane, "tag:db"), 0, "tag slots leaked");
});

Deno.test("concurrency: a tag limit of 0 fails the task run with a clear error", async () => {
  await using plane = testPlane();
  await putLimit(plane, "tag:frozen", 0);
  let ran = false;
  const blocked = task(async () => {
    ran = true;
    return await Promise.resolve(1);
  }, { tags: ["frozen"] });
  const denied = flow({ name: "conc-tag-zero" }, async () => await blocked());

  const outcome = await denied.runWith({ plane });

  assert.equal(ran, false);
  assert.equal(outcome.state.type, "FAILED");
  const run = taskRunNamed(plane, outcome.runId, "blocked");
  assert.equal(run.state, "FAILED");
  assert.equal(run.message, 'Concurrency limit "tag:frozen" is 0: it admits nothing');
  assert.match(outcome.error?.message ?? "", /Concurrency limit "tag:frozen" is 0/);
});

Deno.test("concurrency: cancelling a run frees the tag slots of its task runs", async () => {
  await using plane = testPlane();
  await putLimit(plane, "tag:gpu", 1);
  let started = false;
  const train = task(async () => {
    started = true;
    await untilAborted(getRunContext().signal);
  }, { tags: ["gpu"] });
  const training = flow({ name: "conc-cancel-tag" }, async () => await train());

  const running = training.runWith({ plane });
  await until(() => started, "train to start");
  assert.equal(await activeSlots(plane, "tag:gpu"), 1);
  await cancelFlowRun(flowRunsOf(plane)[0]!.id, { plane });
  const outcome = await running;

  assert.equal(outcome.state.type, "CANCELLED");
  assert.equal(await activeSlots(plane, "tag:gpu"), 0);
});

Deno.test("concurrency: cancelling a run frees slots its task holds through concurrency()", async () => {
  await using plane = testPlane();
  await putLimit(plane, "license", 1);
  let holding = false;
  const stuck = task(async () => {
    await using _slot = await concurrency("license");
    holding = true;
    await new Promise(() => {}); // ignores cancellation
  });
  const hanging = flow({ name: "conc-cancel-held" }, async () => await stuck());

  const running = hanging.runWith({ plane });
  await until(() => holding, "the slot to be held");
  await cancelFlowRun(flowRunsOf(plane)[0]!.id, { plane });
  const outcome = await running;

  assert.equal(outcome.state.type, "CANCELLED");
  assert.equal(
    await activeSlots(plane, "license"),
    0,
    "the cancelled task run still holds its slot",
  );
});
