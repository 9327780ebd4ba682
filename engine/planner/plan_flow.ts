/**
 * `planFlow()`: from a flow module's source to its static plan.
 *
 * @module
 */

import { isFunction } from "./_ast.ts";
import { PlanBuilder } from "./_builder.ts";
import { analyzeModule, type FlowDefinition } from "./_module.ts";
import { parseModule } from "./_parse.ts";
import { WALK } from "./_walk.ts";
import { DiagnosticCode } from "./diagnostic_code.ts";
import { planFingerprint } from "./fingerprint.ts";
import { computeForecast } from "./forecast.ts";
import type { Diagnostic, FlowPlan, PlanOptions } from "./types.ts";

/**
 * Plans a flow statically from the source of the module that defines it.
 *
 * Never throws on user code: syntax errors and an unknown or ambiguous flow
 * come back as `error` diagnostics with an empty plan; regions that cannot be
 * bounded come back as `warning` diagnostics and make the plan `dynamic`.
 *
 * @example Two tasks, one data edge
 * ```ts
 * import assert from "node:assert/strict";
 * import { planFlow } from "./plan_flow.ts";
 * const plan = planFlow(`
 *   import { flow, task } from "./sdk/mod.ts";
 *   const extract = task(async () => 1);
 *   const load = task(async (x: number) => x);
 *   export const etl = flow(async () => {
 *     const rows = extract.submit();
 *     await load(rows);
 *   });
 * `);
 * assert.deepEqual(plan.nodes.map((n) => n.id), ["extract#0", "load#0"]);
 * assert.deepEqual(plan.edges, [{ from: "extract#0", to: "load#0", kind: "data" }]);
 * ```
 */
export function planFlow(source: string, options: PlanOptions = {}): FlowPlan {
  const fileName = options.fileName ?? "flow.ts";
  const parsed = parseModule(source, fileName);
  if (!parsed.ok) return finish(options.flowName ?? "", new PlanBuilder(WALK), parsed.diagnostics);
  const module = analyzeModule(parsed.body);
  const chosen = chooseFlow(module.flows, options.flowName, fileName);
  if ("error" in chosen) {
    return finish(options.flowName ?? "", new PlanBuilder(WALK), [chosen.error]);
  }
  const { flow } = chosen;
  if (!isFunction(flow.fn)) {
    const error = failure(
      DiagnosticCode.FlowBodyNotFound,
      `Cannot find the function of flow "${flow.name}" in "${fileName}"`,
    );
    return finish(flow.name, new PlanBuilder(WALK), [error]);
  }
  const builder = new PlanBuilder(WALK);
  WALK.walkFunction(builder, flow.fn, module.scope, []);
  return finish(flow.name, builder, []);
}

function chooseFlow(
  flows: readonly FlowDefinition[],
  flowName: string | undefined,
  fileName: string,
): { flow: FlowDefinition } | { error: Diagnostic } {
  const listed = flows.map((f) => `"${f.name}"`).join(", ");
  if (flowName !== undefined) {
    const flow = flows.find((f) => f.name === flowName) ??
      flows.find((f) => f.variableName === flowName);
    if (flow) return { flow };
    const known = flows.length > 0 ? `defined flows: ${listed}` : "it defines no flow";
    return {
      error: failure(
        DiagnosticCode.FlowNotFound,
        `Flow "${flowName}" is not defined in "${fileName}"; ${known}`,
      ),
    };
  }
  const [only] = flows;
  if (flows.length === 1 && only) return { flow: only };
  if (flows.length === 0) {
    return { error: failure(DiagnosticCode.NoFlow, `No flow is defined in "${fileName}"`) };
  }
  const message =
    `"${fileName}" defines ${flows.length} flows (${listed}); pass flowName to choose one`;
  return { error: failure(DiagnosticCode.AmbiguousFlow, message) };
}

function failure(code: DiagnosticCode, message: string): Diagnostic {
  return { severity: "error", code, message };
}

function finish(flowName: string, builder: PlanBuilder, errors: Diagnostic[]): FlowPlan {
  const { nodes, edges } = builder;
  const diagnostics = [
    ...errors,
    ...builder.diagnostics.toSorted(
      (a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0),
    ),
  ];
  return {
    flowName,
    nodes,
    edges,
    diagnostics,
    dynamic: builder.diagnostics.length > 0 || nodes.some((node) => node.dynamic === true),
    forecast: computeForecast(nodes, edges),
    fingerprint: planFingerprint(nodes, edges),
  };
}
