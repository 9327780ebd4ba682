import assert from "node:assert/strict";
import { callOptions, flow, task } from "../../sdk/mod.ts";
import { historyOf, nextTurn, taskRunNamed, taskRunsOf, testPlane } from "./_helpers.ts";

Deno.test("map() chains fan out one task run per element and pass values along", async () => {
  await using plane = testPlane();
  const inc = task(async (x: number) => await Promise.resolve(x + 1));
  const double = task(async (x: number) => await Promise.resolve(x * 2));
  const pipeline = flow(
    { name: "pipeline" },
    async (xs: number[]) => await Promise.all(double.map(inc.map(xs))),
  );

  const outcome = await pipeline.runWith({ plane }, [1, 2, 3]);

  assert.equal(outcome.state.type, "COMPLETED");
  assert.deepEqual(outcome.result, [4, 6, 8]);
  const runs = taskRunsOf(plane, outcome.runId);
  const byIndex = (name: string) =>
    runs.filter((run) => run.name === name).sort((a, b) => a.mapIndex! - b.mapIndex!);
  const incs = byIndex("inc");
  const doubles = byIndex("double");
  assert.deepEqual(incs.map((run) => [run.taskKey, run.mapIndex, run.state]), [
    ["inc#0", 0, "COMPLETED"],
    ["inc#0", 1, "COMPLETED"],
    ["inc#0", 2, "COMPLETED"],
  ]);
  assert.deepEqual(doubles.map((run) => [run.taskKey, run.mapIndex]), [
    ["double#0", 0],
    ["double#0", 1],
    ["double#0", 2],
  ]);
  for (const [i, run] of doubles.entries()) {
    assert.deepEqual(run.upstream, [{ runId: incs[i]!.id, kind: "data" }]);
  }
  assert.ok(incs.every((run) => run.upstream.length === 0));
});

Deno.test("submit() chains pass a future's value to the next task run", async () => {
  await using plane = testPlane();
  const inc = task(async (x: number) => await Promise.resolve(x + 1));
  const chain = flow({ name: "chain" }, async (x: number) => {
    const first = inc.submit(x);
    const second = inc.submit(first);
    return await inc.submit(second);
  });

  const outcome = await chain.runWith({ plane }, 1);

  assert.equal(outcome.result, 4);
  const runs = taskRunsOf(plane, outcome.runId);
  assert.deepEqual(runs.map((run) => run.taskKey), ["inc#0", "inc#1", "inc#2"]);
  assert.deepEqual(runs[1]!.upstream, [{ runId: runs[0]!.id, kind: "data" }]);
  assert.deepEqual(runs[2]!.upstream, [{ runId: runs[1]!.id, kind: "data" }]);
});

// Prefect 3 names the task run at submit: `PrefectFuture.task_run_id` is set
// before the run starts (https://docs.prefect.io/v3/develop/task-runners).
Deno.test("submit() gives the future its task run id at once; a chain is created before it runs", async () => {
  await using plane = testPlane();
  // How many task runs exist when the first one runs: its dependents did not
  // wait for its creation to commit, so they were created with it.
  const countRuns = task(() => {
    const byState = plane.engine.summary().taskRunsByState;
    return Object.values(byState).reduce((sum, n) => sum + n, 0);
  });
  const pass = task((x: number) => x);
  const ids: (string | undefined)[] = [];
  const chain = flow({ name: "chain" }, async () => {
    const first = countRuns.submit();
    const second = pass.submit(first);
    const third = pass.submit(second);
    ids.push(first.runId, second.runId, third.runId);
    return await third;
  });

  const outcome = await chain.runWith({ plane });

  assert.equal(outcome.result, 3);
  const runs = taskRunsOf(plane, outcome.runId);
  assert.deepEqual(ids, runs.map((run) => run.id));
  assert.deepEqual(runs[1]!.upstream, [{ runId: runs[0]!.id, kind: "data" }]);
  assert.deepEqual(runs[2]!.upstream, [{ runId: runs[1]!.id, kind: "data" }]);
});

Deno.test("submit() with waitFor starts a task run only after its upstream finished", async () => {
  await using plane = testPlane();
  const order: string[] = [];
  const first = task(async () => {
    // Yield several turns: a dependent that did not wait would overtake.
    for (let i = 0; i < 5; i++) await nextTurn();
    order.push("first");
  });
  const second = task(async (label: string) => {
    order.push(label);
    return await Promise.resolve(label);
  });
  const ordered = flow({ name: "ordered" }, async () => {
    const a = first.submit();
    return await second.submit("second", callOptions({ waitFor: [a] }));
  });

  const outcome = await ordered.runWith({ plane });

  assert.equal(outcome.result, "second");
  assert.deepEqual(order, ["first", "second"]);
  const a = taskRunNamed(plane, outcome.runId, "first");
  const b = taskRunNamed(plane, outcome.runId, "second");
  assert.deepEqual(b.upstream, [{ runId: a.id, kind: "waitFor" }]);
  assert.deepEqual(b.parameters, ["second"], "waitFor is not passed as an argument");
  const completedA = plane.engine.events(a.id).find((e) => e.to === "COMPLETED")!;
  const startedB = plane.engine.events(b.id).find((e) => e.to === "RUNNING")!;
  assert.ok(startedB.seq > completedA.seq, "second started before first completed");
});

Deno.test("a task run whose upstream failed is cancelled without running and rethrows the upstream error", async () => {
  await using plane = testPlane();
  const upstreamError = new Error("extract broke");
  let bodyCalls = 0;
  const extract = task(async (): Promise<number> => await Promise.reject(upstreamError));
  const load = task(async (rows: number) => {
    bodyCalls += 1;
    return await Promise.resolve(rows);
  });
  let caught: unknown;
  const etl = flow({ name: "etl" }, async () => {
    const loaded = load.submit(extract.submit());
    try {
      await loaded.result();
    } catch (error) {
      caught = error;
    }
  });

  const outcome = await etl.runWith({ plane });

  assert.equal(bodyCalls, 0);
  assert.equal(caught, upstreamError);
  const loadRun = taskRunNamed(plane, outcome.runId, "load");
  assert.deepEqual(historyOf(plane, loadRun.id), ["PENDING Pending", "CANCELLED Cancelled"]);
  assert.match(loadRun.message ?? "", /Upstream task run .* \(extract\) ended FAILED/);
  assert.notEqual(outcome.state.type, "COMPLETED");
});
