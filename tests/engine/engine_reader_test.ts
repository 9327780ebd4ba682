import assert from "node:assert/strict";
import {
  createEngine,
  createMemoryStore,
  type Engine,
  FakeClock,
  SequentialIds,
} from "../../engine/mod.ts";

// Checked by `deno check`: the engine hands out reads of its store, never writes.
function typeChecks(engine: Engine): void {
  // @ts-expect-error: the engine does not hand out its store
  engine.store.write(() => {});
  // @ts-expect-error: the reader has no writes
  engine.reader.write(() => {});
  // @ts-expect-error: documents are written in an engine transaction
  engine.reader.putDocument({});
  // @ts-expect-error: limits are written in an engine transaction
  engine.reader.putConcurrencyLimit({});
  // @ts-expect-error: closing is the engine's
  engine.reader.close();
  // @ts-expect-error: purging is the engine's
  engine.reader.purgeRuns([]);
}

Deno.test("engine.reader reads the store and cannot be cast back into it", async () => {
  const engine = createEngine({
    store: createMemoryStore(),
    clock: new FakeClock(),
    ids: new SequentialIds("run"),
  });
  assert.equal(typeof typeChecks, "function");
  const run = await engine.createFlowRun({ name: "etl" });
  await engine.transact((tx) =>
    tx.putDocument({
      collection: "note",
      key: "k",
      ref: run.id,
      data: 1,
      createdAt: 0,
      updatedAt: 0,
      expiresAt: null,
    })
  );
  assert.equal(engine.reader.getRun(run.id)?.id, run.id);
  assert.equal(engine.reader.getDocument("note", "k")?.data, 1);
  assert.equal("write" in engine.reader, false);
  assert.equal("putDocument" in engine.reader, false);
  assert.equal("store" in engine, false);
  await engine.close();
});
