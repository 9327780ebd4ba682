/**
 * A human-readable rendering of a plan, for `ironflow plan`.
 *
 * @module
 */

import { layerNodes } from "./forecast.ts";
import type { FlowPlan, PlannedNode } from "./types.ts";

/**
 * Renders a plan as text: a header, the forecast, the nodes layer by layer
 * with their outgoing edges as arrows, and the diagnostics.
 *
 * @example Render a plan
 * ```ts
 * import assert from "node:assert/strict";
 * import { planFlow, renderPlanText } from "./mod.ts";
 * const text = renderPlanText(planFlow(`
 *   const a = task(async () => 1);
 *   const b = task(async (x: number) => x);
 *   export const f = flow(async () => { await b(a.submit()); });
 * `));
 * assert.match(text, /a#0 \(submit\)/);
 * assert.match(text, /-> b#0 \(data\)/);
 * ```
 */
export function renderPlanText(plan: FlowPlan): string {
  const { forecast } = plan;
  const lines = [
    `Flow "${plan.flowName}"${plan.dynamic ? " (dynamic: partly planned)" : ""}`,
    `fingerprint ${plan.fingerprint}`,
    `tasks ${forecast.taskCount}, edges ${forecast.edgeCount}, critical path ${forecast.criticalPathLength}, ` +
    `max width ${forecast.maxWidth}, parallelism ${forecast.estimatedParallelism.toFixed(2)}` +
    (forecast.hasCycle ? ", has a cycle" : ""),
  ];
  const byId = new Map(plan.nodes.map((node) => [node.id, node]));
  const { layers, unordered } = layerNodes(plan.nodes, plan.edges);
  const section = (title: string, ids: readonly string[]) => {
    lines.push("", title);
    for (const id of ids) {
      const node = byId.get(id);
      if (!node) continue;
      lines.push(`  ${describe(node)}`);
      for (const edge of plan.edges) {
        if (edge.from === id) lines.push(`      -> ${edge.to} (${edge.kind})`);
      }
    }
  };
  layers.forEach((ids, i) => section(`layer ${i + 1}`, ids));
  if (unordered.length > 0) section("in a cycle", unordered);
  if (plan.diagnostics.length > 0) {
    lines.push("", "diagnostics");
    for (const d of plan.diagnostics) {
      const at = d.span ? ` ${d.span.line}:${d.span.column}` : "";
      lines.push(`  ${d.severity} ${d.code}${at} ${d.message}`);
    }
  }
  return lines.join("\n") + "\n";
}

function describe(node: PlannedNode): string {
  const flags = [
    node.fanOut ? "fan-out" : "",
    node.dynamic ? "dynamic" : "",
    node.op === "deployment" && node.deploymentName ? `deployment "${node.deploymentName}"` : "",
  ].filter(Boolean);
  const extra = flags.length > 0 ? ` [${flags.join(", ")}]` : "";
  return `${node.id} (${node.op})${extra}  line ${node.span.line}`;
}
