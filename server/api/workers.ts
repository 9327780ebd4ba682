/**
 * Workers: heartbeats (ONLINE; OFFLINE after 120 s of silence), lease
 * renewal of claimed runs while they are alive, and release when they end.
 * Starting and finishing a claimed run are ordinary transitions
 * (`/api/transitions`).
 *
 * @module
 */
import { z } from "zod";
import {
  claimOf,
  DEFAULT_LEASE_SECONDS,
  heartbeat,
  listWorkers,
  releaseClaim,
  renewClaim,
} from "../../engine/deployments/mod.ts";
import { toApiWorker } from "../../wire/mod.ts";
import { WorkerSchema } from "../../wire/mod.ts";
import { NotFoundError } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { pageOf, StateSchema } from "../../wire/schemas.ts";

const TAG = "Workers";
const IDS = { id: "Worker id", run_id: "Claimed flow run id" };

/** Registers the worker routes. */
export function workerRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;

  router.add({
    method: "get",
    path: "/workers",
    tag: TAG,
    summary: "Every worker with its status",
    response: pageOf(WorkerSchema),
  }, (c) => c.json({ items: listWorkers(engine).map(toApiWorker), next_cursor: null }));

  router.add({
    method: "post",
    path: "/workers/:id/heartbeat",
    tag: TAG,
    summary: "Record a heartbeat (creates the worker on first use); it is ONLINE",
    params: { id: "Worker id" },
    body: z.strictObject({
      work_pool: z.string().min(1).max(200).optional().meta({ description: "Default default" }),
      name: z.string().min(1).max(200).optional(),
    }),
    bodyOptional: true,
    response: WorkerSchema,
  }, async (c, { params, body }) => {
    const worker = await heartbeat(engine, {
      id: params.id!,
      pool: body.work_pool ?? "default",
      ...(body.name ? { name: body.name } : {}),
    });
    return c.json(toApiWorker(worker));
  });

  router.add({
    method: "post",
    path: "/workers/:id/claims/:run_id/renew",
    tag: TAG,
    summary: "Extend the lease of a claimed run; answers the run's state",
    description: "`held: false` means the claim was lost (expired and reclaimed): stop the run.",
    params: IDS,
    body: z.strictObject({
      claim_id: z.string().min(1),
      lease_seconds: z.number().int().min(1).max(3600).optional(),
    }),
    response: z.object({
      held: z.boolean(),
      lease_expires_at: z.string().nullable(),
      state: StateSchema.nullable(),
    }),
  }, async (c, { params, body }) => {
    const result = await renewClaim(
      engine,
      params.run_id!,
      body.claim_id,
      body.lease_seconds ?? DEFAULT_LEASE_SECONDS,
    );
    return c.json({
      held: result.held,
      lease_expires_at: result.leaseExpiresAt === null
        ? null
        : new Date(result.leaseExpiresAt).toISOString(),
      state: result.state,
    });
  });

  router.add({
    method: "post",
    path: "/workers/:id/claims/:run_id/release",
    tag: TAG,
    summary: "Release the claim of a run that ended",
    params: IDS,
    body: z.strictObject({ claim_id: z.string().min(1) }),
    status: 204,
  }, async (c, { params, body }) => {
    const claim = claimOf(engine, params.run_id!);
    if (claim && claim.workerId !== params.id) {
      throw new NotFoundError(`Worker "${params.id}" holds no claim on run "${params.run_id}"`, {
        code: "claim_not_found",
      });
    }
    await releaseClaim(engine, params.run_id!, body.claim_id);
    return c.body(null, 204);
  });
}
