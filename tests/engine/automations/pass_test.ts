import assert from "node:assert/strict";
import {
  type Automation,
  AUTOMATION_COLLECTIONS,
  evaluateAutomations,
  putAutomation,
} from "../../../engine/automations/mod.ts";
import { appendEvents } from "../../../engine/events/mod.ts";
import { FakeClock, type Store } from "../../../engine/mod.ts";
import { STORE_ADAPTERS, T0, testEngine } from "../_helpers.ts";

function watching(id: string, match: string[], threshold = 1): Automation {
  return {
    id,
    name: id,
    description: "",
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
    trigger: { type: "event", posture: "reactive", match, threshold, withinSeconds: 0 },
    actions: [{ type: "emit-event", event: "acme.alert", resource: "acme.pager" }],
  };
}

Deno.test("evaluateAutomations() gives each automation the events its name patterns match, in log order", async (t) => {
  for (const adapter of STORE_ADAPTERS) {
    await t.step(adapter.name, async () => {
      await using fixture = await adapter.open();
      await matchesByName(fixture.store);
    });
  }
});

async function matchesByName(store: Store) {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(store, { clock });
  await engine.transact((tx) => {
    putAutomation(tx, watching("exact", ["acme.a"]), clock.now());
    putAutomation(tx, watching("prefix", ["acme.*"]), clock.now());
    putAutomation(tx, watching("two-names", ["acme.c", "acme.b"]), clock.now());
    putAutomation(tx, watching("none", ["other.z"]), clock.now());
  });
  await evaluateAutomations(engine, { now: clock.now() });
  clock.tick(1000);
  await engine.transact((tx) =>
    appendEvents(
      tx,
      ["acme.a", "acme.b", "x.y", "acme.c", "acme.a", "acme.b"].map((event) => ({
        event,
        resource: "acme.r",
      })),
      { now: clock.now() },
    )
  );
  const report = await evaluateAutomations(engine, { now: clock.now() });
  const fired = (id: string) =>
    report.firings.filter((f) => f.automationId === id).map((f) =>
      (f.event as { event: string }).event
    );
  assert.deepEqual(fired("exact"), ["acme.a", "acme.a"]);
  assert.deepEqual(fired("prefix"), ["acme.a", "acme.b", "acme.c", "acme.a", "acme.b"]);
  assert.deepEqual(fired("two-names"), ["acme.b", "acme.c", "acme.b"]);
  assert.deepEqual(fired("none"), []);
  await engine.close();
}

Deno.test("evaluateAutomations() leaves an automation that saw nothing unwritten, and it still counts later events", async (t) => {
  for (const adapter of STORE_ADAPTERS) {
    await t.step(adapter.name, async () => {
      await using fixture = await adapter.open();
      await idleNotWritten(fixture.store);
    });
  }
});

async function idleNotWritten(store: Store) {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(store, { clock });
  await engine.transact((tx) => putAutomation(tx, watching("pair", ["acme.a"], 2), clock.now()));
  await evaluateAutomations(engine, { now: clock.now() });
  const stateDoc = () => engine.reader.getDocument(AUTOMATION_COLLECTIONS.state, "pair");
  const before = stateDoc();
  clock.tick(1000);
  await engine.transact((tx) =>
    appendEvents(tx, [{ event: "acme.other", resource: "r" }], { now: clock.now() })
  );
  await evaluateAutomations(engine, { now: clock.now() });
  assert.deepEqual(stateDoc(), before, "nothing matched: the state is not rewritten");
  for (const n of [1, 2]) {
    clock.tick(1000);
    await engine.transact((tx) =>
      appendEvents(tx, [{ event: "acme.a", resource: "r" }], { now: clock.now() })
    );
    const report = await evaluateAutomations(engine, { now: clock.now() });
    assert.equal(report.firings.length, n === 2 ? 1 : 0, "the second acme.a completes the pair");
  }
  await engine.close();
}

Deno.test("with no enabled automation a pass reads no events, and one enabled later sees only what follows", async (t) => {
  for (const adapter of STORE_ADAPTERS) {
    await t.step(adapter.name, async () => {
      await using fixture = await adapter.open();
      await skipsWhenNobodyWatches(fixture.store);
    });
  }
});

async function skipsWhenNobodyWatches(store: Store) {
  const clock = new FakeClock(T0);
  const { engine } = testEngine(store, { clock });
  const paused = { ...watching("paused", ["acme.*"]), enabled: false };
  await engine.transact((tx) => putAutomation(tx, paused, clock.now()));
  await evaluateAutomations(engine, { now: clock.now() });
  clock.tick(1000);
  await engine.transact((tx) =>
    appendEvents(tx, [{ event: "acme.before", resource: "acme.r" }], { now: clock.now() })
  );
  const skipped = await evaluateAutomations(engine, { now: clock.now() });
  assert.deepEqual([skipped.events, skipped.firings.length, skipped.more], [0, 0, false]);

  clock.tick(1000);
  await engine.transact((tx) => putAutomation(tx, { ...paused, enabled: true }, clock.now()));
  clock.tick(1000);
  await engine.transact((tx) =>
    appendEvents(tx, [{ event: "acme.after", resource: "acme.r" }], { now: clock.now() })
  );
  const report = await evaluateAutomations(engine, { now: clock.now() });
  assert.deepEqual(
    report.firings.map((f) => (f.event as { event: string }).event),
    ["acme.after"],
    "the event of the quiet time is not read again",
  );
  await engine.close();
}
