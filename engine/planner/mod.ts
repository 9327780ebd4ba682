/**
 * The static planner: reads a flow module's TypeScript source (without running
 * it) and returns the DAG its flow will submit, with a forecast and
 * diagnostics for the parts it cannot bound.
 *
 * @example Plan a flow from its source
 * ```ts
 * import assert from "node:assert/strict";
 * import { planFlow, renderPlanText } from "./mod.ts";
 * const plan = planFlow(`
 *   import { flow, task } from "../../sdk/mod.ts";
 *   const inc = task(async (x: number) => x + 1);
 *   export const f = flow(async () => {
 *     const a = inc.submit(1);
 *     await inc(a);
 *   });
 * `);
 * assert.deepEqual(plan.edges, [{ from: "inc#0", to: "inc#1", kind: "data" }]);
 * assert.equal(plan.dynamic, false);
 * // Layers of nodes with "-> inc#1 (data)" arrows, the forecast and the diagnostics.
 * assert.match(renderPlanText(plan), /-> inc#1 \(data\)/);
 * ```
 *
 * @module
 */

export { planFlow } from "./plan_flow.ts";
export { renderPlanText } from "./render.ts";
export {
  computeForecast,
  type ForecastEdge,
  type ForecastNode,
  type Layering,
  layerNodes,
} from "./forecast.ts";
export { fnv1a64, planFingerprint } from "./fingerprint.ts";
export { DiagnosticCode } from "./diagnostic_code.ts";
export {
  type Diagnostic,
  type FlowPlan,
  type Forecast,
  NodeOp,
  type PlannedEdge,
  type PlannedNode,
  type PlanOptions,
  type Span,
} from "./types.ts";
