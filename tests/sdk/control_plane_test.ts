import assert from "node:assert/strict";
import {
  flow,
  getControlPlane,
  type LocalControlPlane,
  setControlPlane,
  task,
} from "../../sdk/mod.ts";

Deno.test("a flow runs without a server on the default SQLite control plane under IRONFLOW_HOME", async () => {
  setControlPlane(undefined);
  const home = await Deno.makeTempDir({ prefix: "ironflow_sdk_home_" });
  const previousHome = Deno.env.get("IRONFLOW_HOME");
  Deno.env.set("IRONFLOW_HOME", home);
  try {
    const square = task(async (x: number) => await Promise.resolve(x * x));
    const squares = flow(
      { name: "squares" },
      async (xs: number[]) => await Promise.all(square.map(xs)),
    );

    assert.deepEqual(await squares([1, 2, 3, 4]), [1, 4, 9, 16]);

    const plane = getControlPlane() as LocalControlPlane;
    await plane.flush();
    const summary = plane.engine.summary();
    assert.equal(summary.flowRuns, 1);
    assert.equal(summary.taskRuns, 4);
    assert.deepEqual(summary.flowRunsByState, { COMPLETED: 1 });
    assert.deepEqual(summary.taskRunsByState, { COMPLETED: 4 });
    // create + RUNNING + COMPLETED for each of the 5 runs.
    assert.equal(summary.events, 15);
    await plane.close();
    const file = await Deno.stat(`${home}/ironflow.db`);
    assert.ok(file.isFile && file.size > 0);
  } finally {
    setControlPlane(undefined);
    if (previousHome === undefined) Deno.env.delete("IRONFLOW_HOME");
    else Deno.env.set("IRONFLOW_HOME", previousHome);
    await Deno.remove(home, { recursive: true });
  }
});
