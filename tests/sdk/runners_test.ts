import assert from "node:assert/strict";
import { createEngine, createMemoryStore, SequentialIds } from "../../engine/mod.ts";
import {
  ConcurrentTaskRunner,
  createLocalControlPlane,
  flow,
  InvalidOptionError,
  SequentialTaskRunner,
  task,
  type TaskRunner,
  WorkerTaskRunner,
} from "../../sdk/mod.ts";
import { addOne, awaitFlag } from "../testdata/sdk/matrix_tasks.ts";
import { nextTurn, type TestPlane, testPlane, until } from "./_helpers.ts";

/** Runs six independent task bodies and returns how many ran at the same time at most. */
async function maxOverlap(plane: TestPlane, taskRunner: () => TaskRunner): Promise<number> {
  let active = 0;
  let peak = 0;
  const work = task(async (i: number) => {
    active += 1;
    peak = Math.max(peak, active);
    for (let turn = 0; turn < 3; turn++) await nextTurn();
    active -= 1;
    return i;
  });
  const fanOut = flow({ name: "fan-out", taskRunner }, async () => {
    const futures = [0, 1, 2, 3, 4, 5].map((i) => work.submit(i));
    return await Promise.all(futures);
  });
  const outcome = await fanOut.runWith({ plane });
  assert.deepEqual(outcome.result, [0, 1, 2, 3, 4, 5]);
  return peak;
}

Deno.test("ConcurrentTaskRunner overlaps independent task runs", async () => {
  await using plane = testPlane();
  assert.ok(await maxOverlap(plane, () => new ConcurrentTaskRunner()) > 1);
});

Deno.test("SequentialTaskRunner runs one task body at a time", async () => {
  await using plane = testPlane();
  assert.equal(await maxOverlap(plane, () => new SequentialTaskRunner()), 1);
});

Deno.test("ConcurrentTaskRunner({ maxConcurrency: 2 }) caps overlapping task bodies at 2", async () => {
  await using plane = testPlane();
  assert.equal(await maxOverlap(plane, () => new ConcurrentTaskRunner({ maxConcurrency: 2 })), 2);
});

Deno.test("SequentialTaskRunner starts task runs in submission order", async () => {
  await using plane = testPlane();
  const started: number[] = [];
  const record = task(async (i: number) => {
    started.push(i);
    await nextTurn();
  });
  const ordered = flow({ name: "ordered", taskRunner: () => new SequentialTaskRunner() }, () => {
    for (let i = 0; i < 5; i++) record.submit(i);
  });

  const outcome = await ordered.runWith({ plane });

  assert.equal(outcome.state.type, "COMPLETED");
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
});

Deno.test("task runners reject a concurrency below 1 with InvalidOptionError", () => {
  assert.throws(() => new ConcurrentTaskRunner({ maxConcurrency: 0 }), InvalidOptionError);
  assert.throws(
    () => new WorkerTaskRunner({ workers: 1.5 }),
    (error: Error) => error instanceof InvalidOptionError && /workers/.test(error.message),
  );
});

Deno.test("a WorkerTaskRunner shared by two flow runs keeps running one's task when the other ends", async () => {
  await using plane = testPlane();
  const shared = new WorkerTaskRunner({ workers: 2 });
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const waiting = flow({ name: "waiting", taskRunner: shared }, async () => await awaitFlag(flag));
  const quick = flow({ name: "quick", taskRunner: shared }, async () => await addOne(1));

  const waitingRun = waiting.runWith({ plane });
  await until(
    () =>
      plane.engine.listRuns({ kind: "task", name: "awaitFlag", states: ["RUNNING"] }).items
        .length === 1,
    "the waiting task to run",
  );
  const quickOutcome = await quick.runWith({ plane }); // closes the shared runner when it ends
  Atomics.store(flag, 0, 7);
  Atomics.notify(flag, 0);
  let waitingOutcome: Awaited<typeof waitingRun> | undefined;
  waitingRun.then((outcome) => waitingOutcome = outcome);
  await until(() => waitingOutcome !== undefined, "the waiting flow run to end");

  assert.equal(quickOutcome.result, 2);
  assert.equal(waitingOutcome?.state.type, "COMPLETED");
  assert.equal(waitingOutcome?.result, 7);
  // Still usable after being closed by both runs.
  assert.equal((await quick.runWith({ plane })).result, 2);
});

Deno.test("a task run that gets a runner slot at once is created and started in one transaction; one that waits for a slot is created PENDING first", async () => {
  // A store this test holds: it counts the engine's write transactions.
  const store = createMemoryStore();
  const engine = createEngine({
    store,
    clock: { now: () => Date.now() },
    ids: new SequentialIds("r"),
  });
  await using plane = Object.assign(createLocalControlPlane(engine), {
    [Symbol.asyncDispose]: () => engine.close(),
  });
  // Which write transaction committed each event (subscribers hear of it right after its commit).
  let transactions = 0;
  const write = store.write.bind(store);
  store.write = (fn) => {
    transactions += 1;
    return write(fn);
  };
  const committedIn = new Map<string, number[]>();
  const stop = plane.engine.subscribe((event) => {
    const list = committedIn.get(event.runId) ?? [];
    list.push(transactions);
    committedIn.set(event.runId, list);
  });
  const double = task({ name: "double" }, (x: number) => x * 2);
  const pair = flow(
    { name: "pair", taskRunner: () => new SequentialTaskRunner() },
    async () => await Promise.all([double.submit(1), double.submit(2)]),
  );
  const outcome = await pair.runWith({ plane });
  stop();

  assert.deepEqual(outcome.result, [2, 4]);
  const [first, second] = plane.engine.listRuns({ kind: "task", sort: "name", order: "asc" }).items;
  const [created1, started1, completed1] = committedIn.get(first!.id)!;
  assert.equal(started1, created1, "the first task run started in its creating transaction");
  assert.ok(completed1! > started1!);
  const [created2, started2] = committedIn.get(second!.id)!;
  assert.ok(started2! > created2!, "the second task run waited PENDING for the only slot");
  for (const run of [first!, second!]) {
    assert.deepEqual(plane.engine.events(run.id).map((e) => e.to), [
      "PENDING",
      "RUNNING",
      "COMPLETED",
    ]);
  }
});
