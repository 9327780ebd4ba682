import assert from "node:assert/strict";
import {
  callOptions,
  cancelFlowRun,
  ConcurrentTaskRunner,
  flow,
  getRunContext,
  SequentialTaskRunner,
  type TaskFuture,
  type TaskRunner,
  WorkerTaskRunner,
} from "../../sdk/mod.ts";
import { addOne, explode } from "../testdata/sdk/matrix_tasks.ts";
import { taskRunNamed, type TestPlane, testPlane, until } from "./_helpers.ts";

const RUNNERS: ReadonlyArray<{ name: string; make: () => TaskRunner }> = [
  { name: "ConcurrentTaskRunner", make: () => new ConcurrentTaskRunner() },
  { name: "SequentialTaskRunner", make: () => new SequentialTaskRunner() },
  { name: "WorkerTaskRunner", make: () => new WorkerTaskRunner({ workers: 2 }) },
];

/** A subflow that asks the control plane to cancel itself, then waits to be stopped. */
function selfCancellingSubflow(plane: TestPlane) {
  return flow({ name: "self-cancelling" }, async () => {
    const { flowRun, signal } = getRunContext();
    await cancelFlowRun(flowRun.id, { plane });
    await new Promise((_, reject) => {
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  });
}

for (const runner of RUNNERS) {
  Deno.test(`final state on ${runner.name}: all children completed → COMPLETED`, async () => {
    await using plane = testPlane();
    const allGood = flow({ name: "all-good", taskRunner: runner.make }, async () => {
      const futures = addOne.map([1, 2, 3]);
      addOne.submit(10); // unobserved but completed
      return await Promise.all(futures);
    });

    const outcome = await allGood.runWith({ plane });

    assert.equal(outcome.state.type, "COMPLETED");
    assert.deepEqual(outcome.result, [2, 3, 4]);
    assert.deepEqual(plane.engine.summary().taskRunsByState, { COMPLETED: 4 });
  });

  Deno.test(`final state on ${runner.name}: an unobserved failed submit → FAILED naming the task`, async () => {
    await using plane = testPlane();
    const careless = flow({ name: "careless", taskRunner: runner.make }, async () => {
      explode.submit();
      return await addOne(1);
    });

    const outcome = await careless.runWith({ plane });

    assert.equal(outcome.state.type, "FAILED");
    assert.match(outcome.state.message ?? "", /"explode"/);
    assert.match(outcome.error?.message ?? "", /Task run "explode" \(.+\) ended FAILED/);
    assert.match(outcome.state.message ?? "", /matrix task exploded/);
    assert.equal(taskRunNamed(plane, outcome.runId, "explode").state, "FAILED");
  });

  Deno.test(`final state on ${runner.name}: a cancelled child → CANCELLED`, async () => {
    await using plane = testPlane();
    const child = selfCancellingSubflow(plane);
    const parent = flow({ name: "parent", taskRunner: runner.make }, async () => {
      const one = addOne.submit(1);
      const childOutcome = await child.run();
      return [await one, childOutcome.state.type];
    });

    const outcome = await parent.runWith({ plane });

    assert.equal(outcome.state.type, "CANCELLED");
    assert.match(outcome.error?.message ?? "", /"self-cancelling" .* ended CANCELLED/);
    const [childRun] = plane.engine.listRuns({ kind: "flow", parentId: outcome.runId }).items;
    assert.equal(childRun?.state, "CANCELLED");
    assert.equal(taskRunNamed(plane, outcome.runId, "addOne").state, "COMPLETED");
  });

  Deno.test(`final state on ${runner.name}: finalState "explicit" lets the body decide`, async (t) => {
    await using plane = testPlane();
    const lenient = flow(
      { name: "lenient", finalState: "explicit", taskRunner: runner.make },
      async () => {
        explode.submit();
        return await addOne(1);
      },
    );
    const strict = flow(
      { name: "strict", finalState: "explicit", taskRunner: runner.make },
      async () => {
        const value = await addOne(1);
        if (value === 2) throw new Error("body says no");
      },
    );

    await t.step("a body that returns ignores its failed children", async () => {
      const outcome = await lenient.runWith({ plane });
      assert.equal(outcome.state.type, "COMPLETED");
      assert.equal(outcome.result, 2);
      assert.equal(taskRunNamed(plane, outcome.runId, "explode").state, "FAILED");
    });
    await t.step("a body that throws fails though its children completed", async () => {
      const outcome = await strict.runWith({ plane });
      assert.equal(outcome.state.type, "FAILED");
      assert.equal(outcome.error?.message, "body says no");
    });
  });

  Deno.test(`final state on ${runner.name}: a detached failed submit does not count`, async () => {
    await using plane = testPlane();
    const fireAndForget = flow({ name: "fire-and-forget", taskRunner: runner.make }, async () => {
      const detached = explode.submit(callOptions({ detach: true }));
      await detached.wait();
      return await addOne(1);
    });

    const outcome = await fireAndForget.runWith({ plane });

    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(outcome.result, 2);
    assert.equal(taskRunNamed(plane, outcome.runId, "explode").state, "FAILED");
  });

  Deno.test(`${runner.name} lets a detached task run finish after its flow run ended`, async () => {
    await using plane = testPlane();
    let detached: TaskFuture<number> | undefined;
    const leaveBehind = flow({ name: "leave-behind", taskRunner: runner.make }, () => {
      detached = addOne.submit(41, callOptions({ detach: true }));
      return "done";
    });

    const outcome = await leaveBehind.runWith({ plane });

    assert.equal(outcome.state.type, "COMPLETED");
    await until(() => detached?.state().type === "COMPLETED", "the detached task run to complete");
    assert.equal(await detached!.result(), 42);
  });
}
