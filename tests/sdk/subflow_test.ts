import assert from "node:assert/strict";
import { type Flow, flow, task } from "../../sdk/mod.ts";
import { taskRunsOf, testPlane } from "./_helpers.ts";

Deno.test("subflow runs link to their parent and root with growing depth", async () => {
  await using plane = testPlane();
  const leafTask = task(async (x: number) => await Promise.resolve(x + 1));
  const leaf = flow({ name: "leaf" }, async (x: number) => await leafTask(x));
  const middle = flow({ name: "middle" }, async (x: number) => await leaf(x * 10));
  const root = flow({ name: "root" }, async () => await middle(1));

  const outcome = await root.runWith({ plane });

  assert.equal(outcome.result, 11);
  const flows = plane.engine.listRuns({ kind: "flow", limit: 10 }).items;
  const byName = new Map(flows.map((run) => [run.name, run]));
  const rootRun = byName.get("root")!;
  const middleRun = byName.get("middle")!;
  const leafRun = byName.get("leaf")!;
  assert.equal(rootRun.id, outcome.runId);
  assert.deepEqual(
    [rootRun, middleRun, leafRun].map((run) => [run.parentId, run.rootId, run.depth, run.state]),
    [
      [null, rootRun.id, 0, "COMPLETED"],
      [rootRun.id, rootRun.id, 1, "COMPLETED"],
      [middleRun.id, rootRun.id, 2, "COMPLETED"],
    ],
  );
  assert.deepEqual(middleRun.parameters, { x: 1 });
  assert.deepEqual(leafRun.parameters, { x: 10 });
});

Deno.test("a subflow's task runs belong to the subflow run, not to its parent", async () => {
  await using plane = testPlane();
  const step = task(async (label: string) => await Promise.resolve(label));
  const inner = flow({ name: "inner" }, async () => await step("inner"));
  const outer = flow({ name: "outer" }, async () => [await step("outer"), await inner()]);

  const outcome = await outer.runWith({ plane });

  assert.deepEqual(outcome.result, ["outer", "inner"]);
  const innerRun = plane.engine.listRuns({ kind: "flow", name: "inner" }).items[0]!;
  const outerTasks = taskRunsOf(plane, outcome.runId);
  const innerTasks = taskRunsOf(plane, innerRun.id);
  assert.deepEqual(outerTasks.map((run) => run.parameters), [["outer"]]);
  assert.deepEqual(innerTasks.map((run) => run.parameters), [["inner"]]);
  assert.equal(innerTasks[0]!.flowName, "inner");
  assert.equal(innerTasks[0]!.rootId, outcome.runId);
});

Deno.test("a subflow that fails fails its parent with the subflow's error", async () => {
  await using plane = testPlane();
  const broken = flow({ name: "broken" }, () => {
    throw new RangeError("subflow broke");
  });
  const parent = flow({ name: "parent" }, async () => await broken());

  const outcome = await parent.runWith({ plane });

  assert.equal(outcome.state.type, "FAILED");
  assert.ok(outcome.error instanceof RangeError);
  assert.equal(plane.engine.listRuns({ kind: "flow", name: "broken" }).items[0]?.state, "FAILED");
});

Deno.test("recursive subflows stop at the depth limit of 32 with a clear error", async () => {
  await using plane = testPlane();
  const dive: Flow<[number], number> = flow(
    { name: "dive" },
    async (level: number): Promise<number> => await dive(level + 1),
  );

  const outcome = await dive.runWith({ plane }, 0);

  assert.equal(outcome.state.type, "FAILED");
  assert.match(
    outcome.error?.message ?? "",
    /Cannot create run "dive": depth 33 exceeds the limit of 32 nested flows/,
  );
  const runs = plane.engine.listRuns({ kind: "flow", limit: 100 }).items;
  assert.equal(runs.length, 33);
  assert.equal(Math.max(...runs.map((run) => run.depth)), 32);
  assert.ok(runs.every((run) => run.state === "FAILED"));
});
