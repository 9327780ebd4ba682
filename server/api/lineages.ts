/**
 * A lineage's history for the remote SDK: what earlier attempts completed,
 * so a retried run executed by a worker restores finished task runs.
 *
 * @module
 */
import { z } from "zod";
import { lineageRecords } from "../../engine/mod.ts";
import { toApiEvent, toApiRun } from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { ApiEventSchema, ApiRunSchema } from "../../wire/run_schemas.ts";

const LineageHistorySchema = z.object({
  flow_runs: z.array(ApiRunSchema),
  completions: z.array(z.object({ run: ApiRunSchema, event: ApiEventSchema })),
  plan_fingerprints: z.record(z.string(), z.string()),
}).meta({ id: "LineageHistory" });

/** Registers `GET /lineages/:id/history`. */
export function lineageRoutes(router: ApiRouter, deps: AppDeps): void {
  router.add({
    method: "get",
    path: "/lineages/:id/history",
    tag: "Remote SDK",
    summary: "Attempts of a lineage and the task runs they completed (for resume on retry)",
    params: { id: "Lineage id (a flow run's lineage_id)" },
    response: LineageHistorySchema,
  }, (c, { params }) => {
    const records = lineageRecords(deps.engine, params.id!);
    return c.json({
      flow_runs: records.flowRuns.map(toApiRun),
      completions: records.completions.map(({ run, event }) => ({
        run: toApiRun(run),
        event: toApiEvent(event),
      })),
      plan_fingerprints: Object.fromEntries(records.planFingerprints),
    });
  });
}
