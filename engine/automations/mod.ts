/**
 * Automations: triggers over the event log (reactive, proactive, run-state)
 * and the actions their firings run. Evaluation is pure (`evaluate.ts`); a
 * pass (`pass.ts`) commits firings, states and the log position together.
 *
 * @example A run-state trigger fires once for a failed run
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * import { appendEvents } from "../events/mod.ts";
 * import { evaluateAutomations, putAutomation } from "./mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * await engine.transact((tx) => putAutomation(tx, {
 *   id: "a1", name: "on-landing", description: "", enabled: true, createdAt: 0, updatedAt: 0,
 *   trigger: { type: "event", posture: "reactive", match: ["acme.file.landed"], threshold: 1, withinSeconds: 0 },
 *   actions: [{ type: "emit-event", event: "acme.seen", resource: "acme.x" }],
 * }, clock.now()));
 * await evaluateAutomations(engine, { now: clock.now() });
 * await engine.transact((tx) => appendEvents(tx, [{ event: "acme.file.landed", resource: "acme.b" }], { now: clock.now() }));
 * const report = await evaluateAutomations(engine, { now: clock.now() });
 * console.log(report.firings.length); // 1
 * ```
 *
 * @module
 */
export {
  type Action,
  type Automation,
  type EventTrigger,
  eventTriggerOf,
  type RunStateTrigger,
  type Trigger,
} from "./model.ts";
export {
  evaluateTrigger,
  type Firing,
  freshState,
  groupOf,
  triggerMatches,
  type TriggerState,
  type WindowState,
} from "./evaluate.ts";
export {
  A as AUTOMATION_COLLECTIONS,
  ACTION_TEMPLATE_ROOTS,
  type ActionResult,
  automationProblems,
  deleteAutomation,
  findAutomation,
  type FiringRecord,
  listAutomations,
  listFirings,
  putAutomation,
  putFiring,
  type StoredTriggerState,
  triggerState,
} from "./store.ts";
export { evaluateAutomations, type PassOptions, type PassReport } from "./pass.ts";
