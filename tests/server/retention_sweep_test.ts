import assert from "node:assert/strict";
import { setRetention } from "../../engine/catalog/mod.ts";
import {
  createEngine,
  createMemoryStore,
  type Engine,
  FakeClock,
  SequentialIds,
} from "../../engine/mod.ts";
import { createApp } from "../../server/mod.ts";
import { createMemoryResultStore } from "../../sdk/results.ts";
import { call, T0 } from "./_helpers.ts";

const DAY = 86_400_000;

function sweepApp(options: { results: boolean }) {
  const clock = new FakeClock(T0);
  const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("r") });
  const results = createMemoryResultStore(() => clock.now());
  const app = createApp({ engine, clock, ...(options.results ? { results } : {}) });
  return { app, engine, clock, results };
}

/** A finished flow run of `name` whose COMPLETED event records the result at `ref`. */
async function runWithResult(engine: Engine, name: string, ref: string) {
  const run = await engine.createFlowRun({ name });
  await engine.propose(run.id, { to: "RUNNING", token: `${run.id}-start`, kind: "start" });
  await engine.propose(run.id, {
    to: "COMPLETED",
    token: `${run.id}-end`,
    kind: "finish",
    data: { result: { kind: "ref", ref, size: 3, encoding: "bytes" } },
  });
  await engine.flush();
  return run;
}

Deno.test("POST /api/flows/retention/sweep deletes the server's result files no surviving run references", async () => {
  const { app, engine, clock, results } = sweepApp({ results: true });
  const purgedRef = await results.put(new Uint8Array([1, 2, 3]));
  const keptRef = await results.put(new Uint8Array([4, 5, 6]));
  const purged = await runWithResult(engine, "etl", purgedRef);
  const kept = await runWithResult(engine, "report", keptRef);
  await setRetention(engine, clock, "etl", 1);
  clock.tick(2 * DAY);
  const swept = await call(app, "/api/flows/retention/sweep", { method: "POST" });
  assert.equal(swept.status, 200, JSON.stringify(swept.body));
  assert.equal(swept.body.roots, 1);
  assert.equal(swept.body.result_files, 1);
  assert.equal(engine.reader.getRun(purged.id), undefined);
  assert.equal(await results.get(purgedRef), undefined, "the purged run's result is deleted");
  assert.ok(engine.reader.getRun(kept.id));
  assert.deepEqual(await results.get(keptRef), new Uint8Array([4, 5, 6]));
  const again = await call(app, "/api/flows/retention/sweep", { method: "POST" });
  assert.equal(again.body.result_files, 0);
});

Deno.test("POST /api/flows/retention/sweep without a result store answers no result_files", async () => {
  const { app, engine, clock } = sweepApp({ results: false });
  await runWithResult(engine, "etl", `sha256:${"a".repeat(64)}`);
  // The newest event's run is always kept.
  await runWithResult(engine, "report", `sha256:${"b".repeat(64)}`);
  await setRetention(engine, clock, "etl", 1);
  clock.tick(2 * DAY);
  const swept = await call(app, "/api/flows/retention/sweep", { method: "POST" });
  assert.equal(swept.status, 200, JSON.stringify(swept.body));
  assert.equal(swept.body.roots, 1);
  assert.equal("result_files" in swept.body, false);
});
