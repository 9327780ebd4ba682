import assert from "node:assert/strict";
import {
  evaluateTrigger,
  type EventTrigger,
  eventTriggerOf,
  freshState,
  type TriggerState,
} from "../../../engine/automations/mod.ts";
import type { IronEvent } from "../../../engine/events/mod.ts";

const S = 1000;

function ev(event: string, at: number, related: IronEvent["related"] = []): IronEvent {
  return { id: `${event}@${at}`, event, occurred: at, resource: "acme.r", related, payload: {} };
}

// Feeds batches of events, each followed by a pass at `now`, and collects the firings.
function feed(
  trigger: EventTrigger,
  passes: { events: IronEvent[]; now: number }[],
  since = 0,
): { fired: { group: string; at: number; count: number }[]; state: TriggerState } {
  let state = freshState();
  const fired: { group: string; at: number; count: number }[] = [];
  for (const pass of passes) {
    const out = evaluateTrigger(trigger, state, pass.events, { now: pass.now, since });
    state = out.state;
    fired.push(...out.firings.map(({ group, at, count }) => ({ group, at, count })));
  }
  return { fired, state };
}

const reactive: EventTrigger = {
  type: "event",
  posture: "reactive",
  match: ["acme.fail"],
  threshold: 3,
  withinSeconds: 60,
};

Deno.test("a reactive trigger fires when threshold events occur within the window", async (t) => {
  await t.step("three within 60 s fire once, at the third", () => {
    const { fired } = feed(reactive, [
      { events: [ev("acme.fail", 0), ev("acme.fail", 10 * S)], now: 10 * S },
      { events: [ev("acme.fail", 50 * S), ev("acme.fail", 55 * S)], now: 55 * S },
    ]);
    assert.deepEqual(fired, [{ group: "", at: 50 * S, count: 3 }]);
  });
  await t.step("three spread over more than 60 s never fire", () => {
    const { fired } = feed(reactive, [
      { events: [ev("acme.fail", 0), ev("acme.fail", 40 * S)], now: 40 * S },
      { events: [ev("acme.fail", 61 * S), ev("acme.fail", 130 * S)], now: 130 * S },
    ]);
    assert.deepEqual(fired, []);
  });
  await t.step("other event names do not count", () => {
    const { fired } = feed(reactive, [{
      events: [ev("acme.fail", 0), ev("acme.ok", 1), ev("acme.failure", 2), ev("acme.fail", 3)],
      now: 3,
    }]);
    assert.deepEqual(fired, []);
  });
});

Deno.test("a reactive trigger with for_each counts each related resource apart", () => {
  const trigger: EventTrigger = { ...reactive, threshold: 2, forEach: "deployment" };
  const of = (dep: string, at: number) =>
    ev("acme.fail", at, [{ id: `ironflow.deployment.${dep}`, role: "deployment" }]);
  const { fired } = feed(trigger, [
    { events: [of("a", 0), of("b", 1 * S), of("a", 2 * S), of("b", 100 * S)], now: 100 * S },
  ]);
  assert.deepEqual(fired, [{ group: "ironflow.deployment.a", at: 2 * S, count: 2 }]);
});

Deno.test("a proactive trigger fires when the expected event did not happen within the window", async (t) => {
  const trigger: EventTrigger = {
    type: "event",
    posture: "proactive",
    match: ["ironflow.flow-run.Completed"],
    threshold: 1,
    withinSeconds: 3600,
  };
  await t.step("no event in the hour: fires once at the window's end", () => {
    const { fired } = feed(trigger, [
      { events: [], now: 1800 * S },
      { events: [], now: 3600 * S },
      { events: [], now: 3700 * S },
    ]);
    assert.deepEqual(fired, [{ group: "", at: 3600 * S, count: 0 }]);
  });
  await t.step("an event in the hour: silent, and the next window starts empty", () => {
    const { fired } = feed(trigger, [
      { events: [ev("ironflow.flow-run.Completed", 100 * S)], now: 3600 * S },
      { events: [], now: 7200 * S },
    ]);
    assert.deepEqual(fired, [{ group: "", at: 7200 * S, count: 0 }]);
  });
  await t.step("a pass after several silent windows judges each one", () => {
    const { fired } = feed(trigger, [{ events: [], now: 3 * 3600 * S + 1 }]);
    assert.equal(fired.length, 3);
  });
});

Deno.test("a proactive trigger with for_each watches each group it has seen", () => {
  const trigger: EventTrigger = {
    type: "event",
    posture: "proactive",
    match: ["acme.heartbeat"],
    threshold: 1,
    withinSeconds: 60,
    forEach: "resource",
  };
  const beat = (resource: string, at: number): IronEvent => ({
    ...ev("acme.heartbeat", at),
    resource,
  });
  const { fired } = feed(trigger, [
    { events: [beat("acme.host.a", 0), beat("acme.host.b", 0)], now: 0 },
    { events: [beat("acme.host.a", 59 * S)], now: 60 * S },
    { events: [beat("acme.host.a", 100 * S)], now: 120 * S },
  ]);
  assert.deepEqual(fired, [{ group: "acme.host.b", at: 120 * S, count: 0 }]);
});

Deno.test("a run-state trigger is a reactive trigger on the deployment's flow run states", () => {
  const trigger = eventTriggerOf({ type: "run-state", deploymentId: "d1", states: ["Failed"] });
  const failed = ev("ironflow.flow-run.Failed", 5, [{
    id: "ironflow.deployment.d1",
    role: "deployment",
  }]);
  const elsewhere = ev("ironflow.flow-run.Failed", 6, [{
    id: "ironflow.deployment.d2",
    role: "deployment",
  }]);
  const { fired } = feed(trigger, [{ events: [elsewhere, failed], now: 6 }]);
  assert.deepEqual(fired, [{ group: "", at: 5, count: 1 }]);
});
