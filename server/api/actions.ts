/**
 * Routes of the operator actions on flow runs.
 *
 * @module
 */
import { z } from "zod";
import { toApiProposalResult, toApiRun } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { RunRetrier } from "./retry_run.ts";
import { type ActionOutcome, cancelRun, pauseRun, resumeRun } from "./run_actions.ts";
import { ApiProposalResultSchema, ApiRunSchema } from "./wire_schemas.ts";

const Reason = z.string().min(1).max(2000).optional()
  .meta({ description: "Recorded as the state message" });

const ActionResult = z.object({ result: ApiProposalResultSchema, run: ApiRunSchema })
  .meta({ id: "ActionResult" });

const ID = { id: "Flow run id" };

function answer(outcome: ActionOutcome) {
  return { result: toApiProposalResult(outcome.result), run: toApiRun(outcome.run) };
}

/** Registers cancel, pause, resume and retry. */
export function actionRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const retrier = new RunRetrier(engine);

  router.add(
    {
      method: "post",
      path: "/flow-runs/:id/cancel",
      tag: "Flow run actions",
      summary: "Cancel a flow run",
      description:
        "SCHEDULED, PENDING or suspended runs become CANCELLED at once; executing runs " +
        "become CANCELLING and their executor ends them CANCELLED. Terminal or CANCELLING → 409.",
      params: ID,
      body: z.strictObject({ reason: Reason }),
      bodyOptional: true,
      response: ActionResult,
    },
    async (c, { params, body }) => c.json(answer(await cancelRun(engine, params.id!, body.reason))),
  );

  router.add(
    {
      method: "post",
      path: "/flow-runs/:id/pause",
      tag: "Flow run actions",
      summary: "Pause a RUNNING flow run",
      description: 'mode drain → PAUSED "Paused" (kind operator_pause_drain): running tasks ' +
        'finish, no new ones start. mode terminate → PAUSED "Suspended" ' +
        "(kind operator_pause_terminate): the executor stops. Not RUNNING → 409.",
      params: ID,
      body: z.strictObject({ mode: z.enum(["drain", "terminate"]), reason: Reason }),
      response: ActionResult,
    },
    async (c, { params, body }) =>
      c.json(answer(await pauseRun(engine, params.id!, body.mode, body.reason))),
  );

  router.add({
    method: "post",
    path: "/flow-runs/:id/resume",
    tag: "Flow run actions",
    summary: "Resume a PAUSED flow run",
    description: 'A drained run (PAUSED "Paused") returns to RUNNING: its executor is waiting. ' +
      'A suspended run (PAUSED "Suspended") goes to SCHEDULED for a worker to pick up. ' +
      "Kind operator_resume. Not PAUSED → 409.",
    params: ID,
    response: ActionResult,
  }, async (c, { params }) => c.json(answer(await resumeRun(engine, params.id!))));

  router.add({
    method: "post",
    path: "/flow-runs/:id/retry",
    tag: "Flow run actions",
    summary: "Retry a FAILED, CRASHED or CANCELLED flow run as a new attempt",
    description: "Creates a new SCHEDULED flow run with the same flow, run name, parameters, " +
      "tags, deployment and lineage_id, and attempt + 1; a worker picks it up. Only the newest " +
      "attempt of a root flow run is retried; otherwise 409.",
    params: ID,
    status: 201,
    response: ApiRunSchema,
  }, async (c, { params }) => c.json(toApiRun(await retrier.retry(params.id!)), 201));
}
