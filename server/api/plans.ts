/**
 * Static plans of flows: the latest plan a run of the flow recorded (its DAG
 * before it runs, with forecast and diagnostics).
 *
 * @module
 */
import { z } from "zod";
import { InvalidArgumentError, latestPlan, NotFoundError, savePlan } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";

const PlannedNode = z.looseObject({ id: z.string(), taskName: z.string(), op: z.string() });
const PlannedEdge = z.looseObject({ from: z.string(), to: z.string(), kind: z.string() });

const FlowPlanSchema = z.looseObject({
  flowName: z.string(),
  nodes: z.array(PlannedNode),
  edges: z.array(PlannedEdge),
  diagnostics: z.array(z.looseObject({ severity: z.string(), message: z.string() })),
  dynamic: z.boolean(),
  forecast: z.looseObject({ taskCount: z.number(), edgeCount: z.number() }),
  fingerprint: z.string(),
}).meta({ id: "FlowPlan" });

/** Registers `GET /flows/:name/plan` and `POST /flows/:name/plan`. */
export function planRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine, clock } = deps;
  router.add({
    method: "get",
    path: "/flows/:name/plan",
    tag: "Flows",
    summary: "The flow's static plan, as recorded by its latest run",
    description: "Runs record the plan of their flow (graphMode auto or static). " +
      "Plan a module without running it with `ironflow plan <module>`.",
    params: { name: "Flow name" },
    response: FlowPlanSchema,
  }, (c, { params }) => {
    const plan = latestPlan(engine.reader, params.name!);
    if (plan === undefined) {
      throw new NotFoundError(
        `No plan recorded for flow "${params.name}": run it once, or use "ironflow plan"`,
      );
    }
    return c.json(plan);
  });

  router.add({
    method: "post",
    path: "/flows/:name/plan",
    tag: "Flows",
    summary: "Record the flow's static plan (the remote SDK does this when a run starts)",
    params: { name: "Flow name" },
    body: FlowPlanSchema,
    response: z.object({ fingerprint: z.string() }),
  }, async (c, { params, body }) => {
    if (body.flowName !== params.name) {
      throw new InvalidArgumentError(
        `The plan is of flow "${body.flowName}", not "${params.name}"`,
      );
    }
    await savePlan(engine, clock.now(), params.name!, body);
    return c.json({ fingerprint: body.fingerprint });
  });
}
