import assert from "node:assert/strict";
import {
  acquireSlots,
  activeSlotsOf,
  createConcurrencyLimit,
  createMemoryStore,
  type Engine,
  type FakeClock,
  lastSlotReset,
  NotFoundError,
  planSlotReset,
  releaseSlots,
  renewLease,
  resetConcurrencyLimit,
} from "../../engine/mod.ts";
import { STORE_ADAPTERS, testEngine } from "./_helpers.ts";

Deno.test("planSlotReset() releases single-limit leases and narrows shared ones", async (t) => {
  const cases: Array<
    [string, Parameters<typeof planSlotReset>[1], ReturnType<typeof planSlotReset>]
  > = [
    ["no lease", [], { release: [], narrow: [], freed: 0 }],
    ["other limits only", [{ key: "a", names: ["api"], occupy: 1 }], {
      release: [],
      narrow: [],
      freed: 0,
    }],
    ["one lease of 3 slots", [{ key: "a", names: ["db"], occupy: 3 }], {
      release: ["a"],
      narrow: [],
      freed: 3,
    }],
    ["a lease over two limits keeps the other", [{ key: "b", names: ["api", "db"], occupy: 2 }], {
      release: [],
      narrow: [{ key: "b", names: ["api"] }],
      freed: 2,
    }],
  ];
  for (const [label, leases, expected] of cases) {
    await t.step(label, () => assert.deepEqual(planSlotReset("db", leases), expected));
  }
});

function active(engine: Engine, name: string): Promise<number> {
  const limit = engine.reader.getConcurrencyLimit(name)!;
  return engine.transact((tx) => activeSlotsOf(tx, limit, engine.clock.now()));
}

Deno.test("resetConcurrencyLimit() frees a running task's tag slot; its later release leaves the count alone", async (t) => {
  for (const adapter of STORE_ADAPTERS) {
    await t.step(adapter.name, async () => {
      await using fixture = await adapter.open();
      const { engine, clock } = testEngine(fixture.store);
      try {
        await tagSlotScenario(engine, clock);
      } finally {
        await engine.close();
      }
    });
  }
});

async function tagSlotScenario(engine: Engine, clock: FakeClock): Promise<void> {
  // A task run tagged "db" takes a slot of the limit "tag:db".
  await createConcurrencyLimit(engine, { name: "tag:db", limit: 1 });
  await createConcurrencyLimit(engine, { name: "api", limit: 1 });
  const first = await engine.createTaskRun({ name: "load", tags: ["db"] });
  const started = await engine.propose(first.id, { to: "RUNNING", token: "s1", kind: "start" });
  assert.equal(started.status, "accepted");
  assert.equal(await active(engine, "tag:db"), 1);
  const second = await engine.createTaskRun({ name: "load-2", tags: ["db"] });
  await engine.propose(second.id, { to: "RUNNING", token: "s2", kind: "start" });
  assert.equal(engine.getRun(second.id)!.stateName, "AwaitingConcurrencySlot");

  const reset = await resetConcurrencyLimit(engine, "tag:db");
  assert.equal(reset.freed, 1);
  assert.equal(await active(engine, "tag:db"), 0);
  assert.deepEqual(lastSlotReset(engine.reader, "tag:db"), reset);
  clock.tick(1_000);

  const retried = await engine.propose(second.id, { to: "RUNNING", token: "s3", kind: "start" });
  assert.equal(retried.status, "accepted");
  assert.equal(await active(engine, "tag:db"), 1);
  // The first holder ends after the reset: it frees nothing it no longer holds.
  await engine.propose(first.id, { to: "COMPLETED", token: "c1", kind: "complete" });
  assert.equal(await active(engine, "tag:db"), 1);
  await engine.propose(second.id, { to: "COMPLETED", token: "c2", kind: "complete" });
  assert.equal(await active(engine, "tag:db"), 0);

  // A lease over two limits: the reset of one leaves the other held and renewable.
  const both = await acquireSlots(engine, clock, { names: ["tag:db", "api"] });
  assert.ok(both.acquired && both.leaseId !== null);
  await resetConcurrencyLimit(engine, "tag:db");
  assert.deepEqual([await active(engine, "tag:db"), await active(engine, "api")], [0, 1]);
  assert.equal(
    await engine.transact((tx) => renewLease(tx, both.leaseId!, clock.now(), 60_000)),
    true,
  );
  await releaseSlots(engine, both.leaseId!);
  assert.deepEqual([await active(engine, "tag:db"), await active(engine, "api")], [0, 0]);
}

Deno.test("resetConcurrencyLimit() refuses a limit that does not exist", async () => {
  const { engine } = testEngine(createMemoryStore());
  await assert.rejects(
    () => resetConcurrencyLimit(engine, "nope"),
    (error) => error instanceof NotFoundError && /"nope" does not exist/.test(error.message),
  );
});
