/**
 * The endpoints the SDK's remote control plane calls: batched run creation,
 * batched proposals, run look-up and log shipping. Shapes are those of
 * `wire/runs.ts`.
 *
 * @module
 */
import { z } from "zod";
import { NotFoundError } from "../../engine/mod.ts";
import {
  type ApiLog,
  type ApiNewRun,
  type ApiProposal,
  fromApiLog,
  toApiRun,
} from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import {
  ApiItemErrorSchema,
  ApiLogSchema,
  ApiNewRunSchema,
  ApiProposalResultSchema,
  ApiProposalSchema,
  ApiRunSchema,
  MAX_BATCH,
} from "../../wire/run_schemas.ts";
import { remoteBatchRoute } from "./remote_batch.ts";
import { flowRunNotFound, itemErrorOf, keepsLogs, propose, RunCreator } from "./_remote_items.ts";

const TAG = "Remote SDK";

/** Registers `/batch`, `/runs/batch`, `/transitions`, `/runs/:id` and `/logs`. */
export function remoteRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  remoteBatchRoute(router, deps);

  router.add({
    method: "post",
    path: "/runs/batch",
    tag: TAG,
    summary: "Create flow and task runs; a caller-given id makes creation idempotent",
    body: z.strictObject({ runs: z.array(ApiNewRunSchema).max(MAX_BATCH) }),
    response: z.object({ runs: z.array(ApiRunSchema) }),
  }, async (c, { body }) => {
    const creator = new RunCreator(engine);
    const created = await Promise.all(body.runs.map((run) => creator.create(run as ApiNewRun)));
    return c.json({ runs: created.map(toApiRun) });
  });

  router.add({
    method: "post",
    path: "/transitions",
    tag: TAG,
    summary: "Propose state transitions; one result (or error) per proposal, in order",
    description: "All proposals of a request are judged in one engine batch. A proposal for an " +
      "unknown run gets `{ error: { code, message } }` in its place; the others are applied.",
    body: z.strictObject({ proposals: z.array(ApiProposalSchema).max(MAX_BATCH) }),
    response: z.object({
      results: z.array(z.union([ApiProposalResultSchema, ApiItemErrorSchema])),
    }),
  }, async (c, { body }) => {
    const settled = await Promise.allSettled(
      body.proposals.map((item) => propose(engine, item as ApiProposal)),
    );
    const results = settled.map((outcome) => {
      if (outcome.status === "fulfilled") return outcome.value;
      const item = itemErrorOf(outcome.reason);
      if (!item) throw outcome.reason;
      return item;
    });
    return c.json({ results });
  });

  router.add({
    method: "get",
    path: "/runs/:id",
    tag: TAG,
    summary: "A flow or task run",
    params: { id: "Run id" },
    response: ApiRunSchema,
  }, (c, { params }) => {
    const run = engine.getRun(params.id!);
    if (!run) {
      throw new NotFoundError(`Run "${params.id}" does not exist`, { code: "run_not_found" });
    }
    return c.json(toApiRun(run));
  });

  router.add({
    method: "post",
    path: "/logs",
    tag: TAG,
    summary: "Ship log lines; they commit with the engine's next batch",
    description:
      "Every flow_run_id must name an existing flow run (or a task run of no flow), else 404 and nothing is kept.",
    body: z.strictObject({ logs: z.array(ApiLogSchema).max(MAX_BATCH) }),
    status: 202,
    response: z.object({ accepted: z.number().int() }),
  }, (c, { body }) => {
    const logs = body.logs as ApiLog[];
    for (const id of new Set(logs.map((log) => log.flow_run_id))) {
      if (!keepsLogs(engine, id)) throw flowRunNotFound(id);
    }
    engine.log(logs.map(fromApiLog));
    return c.json({ accepted: logs.length }, 202);
  });
}
