/**
 * Background tasks from Prefect 3's "Deploy background tasks" / task workers
 * (docs.prefect.io/v3/develop/deferred-tasks): `task.delay()` enqueues a task run without a
 * flow and returns a future; task workers claim and run them with retries and a concurrency
 * limit; with no worker the run waits SCHEDULED.
 */
import assert from "node:assert/strict";
import { serveTasks, task } from "../../sdk/mod.ts";
import { deferred, testPlane, until } from "./_helpers.ts";

Deno.test("deferred-tasks: a delayed task waits SCHEDULED until a worker runs it, with retries", async () => {
  await using plane = testPlane();
  let calls = 0;
  const sendEmail = task({ name: "send-email", retries: 1 }, async (to: string) => {
    calls++;
    if (calls === 1) throw new Error("smtp hiccup");
    return await Promise.resolve({ sent: to });
  });

  const future = sendEmail.delayWith({ plane }, "a@example.com");

  const waiting = plane.engine.getRun(await future.enqueued)!;
  assert.deepEqual([waiting.state, waiting.parentId, waiting.parameters], [
    "SCHEDULED",
    null,
    ["a@example.com"],
  ]);
  assert.equal(calls, 0, "nothing runs without a worker");

  const worker = serveTasks([sendEmail], { plane });
  try {
    assert.deepEqual(await future, { sent: "a@example.com" });
    assert.equal(calls, 2);
    assert.equal(plane.engine.getRun(future.runId!)!.runCount, 2);
    assert.ok((await future.wait()).isCompleted());
  } finally {
    await worker.stop();
  }
});

Deno.test("deferred-tasks: two workers share the runs, each run once; limit bounds each worker", async () => {
  await using plane = testPlane();
  const gate = deferred();
  let running = 0;
  let peak = 0;
  const seen: number[] = [];
  const work = task({ name: "work" }, async (n: number) => {
    running++;
    peak = Math.max(peak, running);
    await gate.promise;
    running--;
    seen.push(n);
    return n * 2;
  });
  const futures = [1, 2, 3, 4, 5, 6].map((n) => work.delayWith({ plane }, n));
  const workers = [
    serveTasks([work], { plane, limit: 2 }),
    serveTasks([work], { plane, limit: 2 }),
  ];
  try {
    await until(() => running === 4, "both workers at their limit");
    assert.equal(peak, 4);
    gate.resolve();
    assert.deepEqual(await Promise.all(futures.map((f) => f.result())), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6]);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

Deno.test("deferred-tasks: a failed background run fails its future; bad arguments are refused", async () => {
  await using plane = testPlane();
  const broken = task({ name: "broken" }, async (): Promise<number> => {
    return await Promise.reject(new Error("nope"));
  });
  const worker = serveTasks([broken], { plane });
  try {
    const future = broken.delayWith({ plane });
    await assert.rejects(future.result(), /nope/);
    assert.ok((await future.wait()).isFailed());
  } finally {
    await worker.stop();
  }
  const takesDate = task({ name: "takes-date" }, (d: Date) => d);
  assert.throws(
    () => takesDate.delayWith({ plane }, new Date(0)),
    /Cannot delay task "takes-date": its arguments must be JSON values/,
  );
});
