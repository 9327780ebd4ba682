/**
 * Routes of the operator actions on flow runs.
 *
 * @module
 */
import { z } from "zod";
import {
  type ActionOutcome,
  cancelFlowRun,
  heartbeatFlowRuns,
  type Json,
  pauseFlowRun,
  resumeFlowRun,
  retryFlowRun,
} from "../../engine/mod.ts";
import { toApiProposalResult, toApiRun } from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { ApiProposalResultSchema, ApiRunSchema } from "../../wire/run_schemas.ts";

const Reason = z.string().min(1).max(2000).optional()
  .meta({ description: "Recorded as the state message" });

const ActionResult = z.object({ result: ApiProposalResultSchema, run: ApiRunSchema })
  .meta({ id: "ActionResult" });

const ID = { id: "Flow run id" };

function answer(outcome: ActionOutcome) {
  return { result: toApiProposalResult(outcome.result), run: toApiRun(outcome.run) };
}

const HeartbeatAnswer = z.object({
  run_id: z.string(),
  state: z.string().nullable(),
  state_name: z.string().nullable(),
  stop: z.boolean().meta({
    description: "The executor must stop this run: it ended or is unknown",
  }),
}).meta({ id: "HeartbeatAnswer" });

/** Registers cancel, pause, resume, retry and executor heartbeats. */
export function actionRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;

  router.add(
    {
      method: "post",
      path: "/flow-runs/heartbeat",
      tag: "Flow run actions",
      summary: "Heartbeat the flow runs an executor holds",
      description: "Moves each live run's liveness deadline ahead by the server's liveness " +
        "timeout (IRONFLOW_LIVENESS_TIMEOUT_MS, default 60 s); a run whose executor stops " +
        "heartbeating is ended CRASHED (CANCELLED when it was CANCELLING) by the services loop. " +
        "`stop` is true for runs that ended or do not exist: their executor must stop them.",
      body: z.strictObject({ run_ids: z.array(z.string().min(1).max(200)).max(10_000) }),
      response: z.object({ items: z.array(HeartbeatAnswer) }),
    },
    async (c, { body }) => {
      const answers = await heartbeatFlowRuns(engine, body.run_ids);
      return c.json({
        items: answers.map((answer) => ({
          run_id: answer.runId,
          state: answer.state,
          state_name: answer.stateName,
          stop: answer.stop,
        })),
      });
    },
  );

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
    async (c, { params, body }) =>
      c.json(answer(await cancelFlowRun(engine, params.id!, { reason: body.reason }))),
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
      c.json(
        answer(await pauseFlowRun(engine, params.id!, { mode: body.mode, reason: body.reason })),
      ),
  );

  router.add({
    method: "post",
    path: "/flow-runs/:id/resume",
    tag: "Flow run actions",
    summary: "Resume a PAUSED flow run",
    description: "A run whose process waits (paused from its body, or drained) returns to " +
      "RUNNING (kind resume or operator_resume). A run paused with `waitForInput` needs " +
      "`input`, checked against the schema the flow gave: 400 invalid_input with the " +
      "problems, and the run stays PAUSED. A suspended deployment run (terminated) goes to " +
      "SCHEDULED and into its work pool's queue. Not PAUSED → 409.",
    params: ID,
    body: z.strictObject({
      input: z.json().optional().meta({ description: "Input for a flow waiting for input" }),
    }),
    bodyOptional: true,
    response: ActionResult,
  }, async (c, { params, body }) =>
    c.json(
      answer(
        await resumeFlowRun(
          engine,
          params.id!,
          body.input === undefined ? {} : { input: body.input as Json },
        ),
      ),
    ));

  router.add({
    method: "post",
    path: "/flow-runs/:id/retry",
    tag: "Flow run actions",
    summary: "Retry a FAILED, CRASHED or CANCELLED flow run as a new attempt",
    description: "Creates a new SCHEDULED flow run, due now, with the same flow, run name, " +
      "parameters, tags, deployment and lineage_id, and attempt + 1. A deployment run is queued " +
      "for its work pool at once, so a worker picks it up. Only the newest attempt of a root " +
      "flow run is retried; otherwise 409.",
    params: ID,
    // An empty JSON object, as clients send with every action, or no body.
    body: z.strictObject({}),
    bodyOptional: true,
    status: 201,
    response: ApiRunSchema,
  }, async (c, { params }) => c.json(toApiRun(await retryFlowRun(engine, params.id!)), 201));
}
