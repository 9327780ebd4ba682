/**
 * Dependencies through results, not only futures: Prefect 3 records an upstream edge when a
 * task's result object is passed to another task ("Write and run tasks", task dependencies:
 * docs.prefect.io/v3/develop/write-tasks), tracking results by identity. The graph shows it.
 */
import assert from "node:assert/strict";
import { flow, task } from "../../sdk/mod.ts";
import { buildDag } from "../../server/api/dag.ts";
import { taskRunNamed, taskRunsOf, testPlane } from "./_helpers.ts";

const extract = task({ name: "extract" }, async () => await Promise.resolve({ rows: [1, 2, 3] }));
const count = task({ name: "count" }, async () => await Promise.resolve(3));
const load = task(
  { name: "load" },
  async (batch: { rows: number[] }, n: number) => await Promise.resolve(batch.rows.length + n),
);
const report = task({ name: "report" }, async (summary: { batch: unknown }) => {
  return await Promise.resolve(typeof summary.batch);
});

Deno.test("write-tasks: an awaited result object passed on is a data edge in the graph", async () => {
  await using plane = testPlane();
  const etl = flow({ name: "etl" }, async () => {
    const batch = await extract(); // awaited: a plain object, no future
    const n = await count(); // a number: no identity, no edge
    await report({ batch }); // nested in a plain object
    return await load(batch, n);
  });

  const outcome = await etl.runWith({ plane });

  assert.equal(outcome.result, 6);
  const extracted = taskRunNamed(plane, outcome.runId, "extract");
  const loaded = taskRunNamed(plane, outcome.runId, "load");
  assert.deepEqual(loaded.upstream, [{ runId: extracted.id, kind: "data" }]);
  assert.deepEqual(taskRunNamed(plane, outcome.runId, "report").upstream, [
    { runId: extracted.id, kind: "data" },
  ]);
  const dag = buildDag(taskRunsOf(plane, outcome.runId), [], "logical");
  assert.ok(dag.edges.some((e) => e.from === extracted.id && e.to === loaded.id));
  assert.equal(dag.edges.length, 2);
});

Deno.test("write-tasks: an equal but different object is no edge", async () => {
  await using plane = testPlane();
  const etl = flow({ name: "etl-copy" }, async () => {
    const batch = await extract();
    return await load({ rows: [...batch.rows] }, 0);
  });
  const outcome = await etl.runWith({ plane });
  assert.deepEqual(taskRunNamed(plane, outcome.runId, "load").upstream, []);
});
