/**
 * States as values, from Prefect 3's "Manage states" (docs.prefect.io/v3/develop/manage-states:
 * return_state, returning Completed/Failed/Cancelled, final state determination) and "Run work
 * concurrently" (docs.prefect.io/v3/develop/task-runners: wait, as_completed, allow_failure).
 */
import assert from "node:assert/strict";
import {
  allowFailure,
  asCompleted,
  callOptions,
  Cancelled,
  Completed,
  Failed,
  flow,
  State,
  task,
  wait,
} from "../../sdk/mod.ts";
import { FakeClock } from "../../engine/mod.ts";
import { advance, deferred, taskRunNamed, testPlane } from "./_helpers.ts";

const explode = task({ name: "explode" }, async (): Promise<number> => {
  return await Promise.reject(new Error("boom"));
});
const double = task({ name: "double" }, async (x: number) => await Promise.resolve(x * 2));

Deno.test("manage-states: flow.run() gives a State whose result() returns or throws", async () => {
  await using plane = testPlane();
  const good = flow({ name: "good" }, async () => await double(21));
  const bad = flow({ name: "bad" }, async () => await explode());

  const ok = await good.runWith({ plane });
  const failed = await bad.runWith({ plane });

  assert.ok(ok.state instanceof State);
  assert.ok(ok.state.isCompleted() && ok.state.isFinal() && !ok.state.isFailed());
  assert.equal(ok.state.result(), 42);
  assert.ok(failed.state.isFailed());
  assert.throws(() => failed.state.result(), /boom/);
  assert.match(String(failed.state.result({ raiseOnFailure: false })), /boom/);
});

Deno.test("manage-states: future.wait() gives the task run's State", async () => {
  await using plane = testPlane();
  const seen = flow({ name: "seen", finalState: "explicit" }, async () => {
    const [ok, ko] = [await double.submit(2).wait(), await explode.submit().wait()];
    return [ok.isCompleted(), ok.result(), ko.isFailed(), ko.message];
  });
  const outcome = await seen.runWith({ plane });
  assert.deepEqual(outcome.result, [true, 4, true, "Error: boom"]);
});

Deno.test("manage-states: a flow returning Failed/Cancelled/Completed sets its final state", async (t) => {
  await using plane = testPlane();
  const cases = [
    [Failed({ message: "no rows today" }), "FAILED", "no rows today"],
    [Cancelled("nothing to do"), "CANCELLED", "nothing to do"],
    [Completed({ data: 7, message: "done early" }), "COMPLETED", "done early"],
  ] as const;
  for (const [returned, type, message] of cases) {
    await t.step(type, async () => {
      const decides = flow({ name: `returns-${type}` }, async () => {
        await double(1);
        return returned;
      });
      const outcome = await decides.runWith({ plane });
      assert.equal(outcome.state.type, type);
      assert.equal(outcome.state.message, message);
      assert.equal(plane.engine.getRun(outcome.runId)!.message, message);
      if (type === "COMPLETED") assert.equal(outcome.result, 7);
      else assert.equal(outcome.error?.message, message);
    });
  }
});

Deno.test("manage-states: a task returning Failed fails (retries apply); Cancelled cancels", async () => {
  await using plane = testPlane();
  let calls = 0;
  const picky = task({ name: "picky", retries: 1 }, async () => {
    calls++;
    return await Promise.resolve(calls === 1 ? Failed("not yet") : Completed({ data: "ok" }));
  });
  const skip = task({ name: "skip" }, () => Cancelled("skipped"));
  const pipeline = flow({ name: "pipeline", finalState: "explicit" }, async () => {
    const value = await picky();
    const skipped = await skip.submit().wait();
    return [value, skipped.type, skipped.message];
  });

  const outcome = await pipeline.runWith({ plane });

  assert.deepEqual(outcome.result, ["ok", "CANCELLED", "skipped"]);
  assert.equal(calls, 2);
  assert.equal(taskRunNamed(plane, outcome.runId, "skip").state, "CANCELLED");
});

Deno.test("manage-states: the three final-state modes with a caught task failure", async (t) => {
  await using plane = testPlane();
  const body = async () => {
    try {
      await explode();
    } catch {
      // caught: Prefect 3 completes the flow; waitAll does not swallow it
    }
    return "finished";
  };
  const expected = { waitAll: "FAILED", explicit: "COMPLETED", prefect: "COMPLETED" } as const;
  for (const [mode, type] of Object.entries(expected)) {
    await t.step(mode, async () => {
      const run = flow({ name: `caught-${mode}`, finalState: mode as never }, body);
      const outcome = await run.runWith({ plane });
      assert.equal(outcome.state.type, type);
      const last = plane.engine.events(outcome.runId).at(-1)!;
      assert.equal((last.data?.["finalState"] as { mode: string }).mode, mode);
    });
  }
});

Deno.test("manage-states: prefect mode fails a flow returning a list holding a failed state", async () => {
  await using plane = testPlane();
  const listing = flow({ name: "listing", finalState: "prefect" }, async () => {
    const futures = [double.submit(1), explode.submit()];
    await wait(futures);
    return futures;
  });
  const outcome = await listing.runWith({ plane });
  assert.equal(outcome.state.type, "FAILED");
  assert.match(outcome.state.message ?? "", /1 of the returned states ended FAILED/);
});

Deno.test("task-runners: allowFailure lets a dependent run and hands it the upstream error", async () => {
  await using plane = testPlane();
  const report = task(
    { name: "report" },
    (rows: number | Error) => rows instanceof Error ? `no data (${rows.message})` : `${rows}`,
  );
  const after = task({ name: "after" }, () => "cleaned up");
  const etl = flow({ name: "etl", finalState: "prefect" }, async () => {
    const rows = explode.submit();
    const text = await report(allowFailure(rows));
    const cleanup = await after.submit(callOptions({ waitFor: [allowFailure(rows)] }));
    return [text, cleanup];
  });
  const outcome = await etl.runWith({ plane });
  assert.deepEqual(outcome.result, ["no data (boom)", "cleaned up"]);
  assert.equal(taskRunNamed(plane, outcome.runId, "report").state, "COMPLETED");
});

Deno.test("task-runners: asCompleted yields futures in the order they end", async () => {
  await using plane = testPlane();
  const gates = [deferred(), deferred(), deferred()];
  const held = task({ name: "held" }, async (i: number) => {
    await gates[i]!.promise;
    return i;
  });
  const ordered = flow({ name: "ordered" }, async () => {
    const futures = held.map([0, 1, 2]);
    const order: number[] = [];
    const reading = (async () => {
      for await (const future of asCompleted(futures)) order.push(await future);
    })();
    for (const i of [2, 0, 1]) {
      gates[i]!.resolve();
      await futures[i]!.wait();
    }
    await reading;
    return order;
  });
  assert.deepEqual((await ordered.runWith({ plane })).result, [2, 0, 1]);
});

Deno.test("task-runners: wait(futures, { timeout }) splits done and not done (fake clock)", async () => {
  const clock = new FakeClock();
  await using plane = testPlane(clock);
  const gate = deferred();
  const slow = task({ name: "slow" }, async () => await gate.promise);
  const split = flow({ name: "split", finalState: "explicit" }, async () => {
    const fast = double.submit(1);
    const stuck = slow.submit();
    await fast;
    const waiting = wait([fast, stuck], { timeout: 5 });
    await advance(clock, 5_000);
    const { done, notDone } = await waiting;
    gate.resolve();
    return [done.has(fast), notDone.has(stuck), done.size, notDone.size];
  });
  assert.deepEqual((await split.runWith({ plane })).result, [true, true, 1, 1]);
});
