/**
 * Subscribers also learn of events other processes commit to the same
 * SQLite file (a CLI run or worker beside the server).
 */
import assert from "node:assert/strict";
import {
  createEngine,
  createSqliteStore,
  type EngineEvent,
  FakeClock,
  SequentialIds,
} from "../../engine/mod.ts";

async function twoEngines() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ironflow.db`;
  const clock = new FakeClock();
  const server = createEngine({
    store: createSqliteStore(path),
    clock,
    ids: new SequentialIds("s"),
  });
  const other = createEngine({
    store: createSqliteStore(path),
    clock,
    ids: new SequentialIds("o"),
  });
  return {
    server,
    other,
    async [Symbol.asyncDispose]() {
      await server.close();
      await other.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("pollExternalEvents() delivers events another engine committed, once and in order", async () => {
  await using engines = await twoEngines();
  const seen: EngineEvent[] = [];
  engines.server.subscribe((event) => seen.push(event));
  const run = await engines.other.createFlowRun({ name: "etl" });
  await engines.other.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
  assert.equal(seen.length, 0);
  assert.equal(engines.server.pollExternalEvents(), 2);
  assert.deepEqual(seen.map((e) => [e.seq, e.to]), [[1, "PENDING"], [2, "RUNNING"]]);
  assert.equal(engines.server.pollExternalEvents(), 0);
});

Deno.test("an engine's own commit after another's delivers the other's events first", async () => {
  await using engines = await twoEngines();
  const seen: number[] = [];
  engines.server.subscribe((event) => seen.push(event.seq));
  const external = await engines.other.createFlowRun({ name: "etl" });
  const own = await engines.server.createFlowRun({ name: "load" });
  assert.notEqual(external.id, own.id);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("a new subscriber is told only what commits after it subscribed", async () => {
  await using engines = await twoEngines();
  await engines.other.createFlowRun({ name: "before" });
  const seen: number[] = [];
  engines.server.subscribe((event) => seen.push(event.seq));
  assert.equal(engines.server.pollExternalEvents(), 0);
  await engines.other.createFlowRun({ name: "after" });
  engines.server.pollExternalEvents();
  assert.deepEqual(seen, [2]);
});
