/**
 * Slot leases on concurrency limits, for the SDK's `concurrency()` helper
 * over the remote control plane: acquire (all or nothing), release, renew.
 *
 * @module
 */
import { z } from "zod";
import { acquireSlots, releaseSlots, renewLease } from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";

const TAG = "Concurrency limits";
const LeaseMs = z.number().int().min(1).max(86_400_000);

const AcquireBody = z.strictObject({
  names: z.array(z.string().min(1).max(200)).min(1).max(100),
  occupy: z.number().int().min(1).optional().meta({ description: "Slots per limit; default 1" }),
  strict: z.boolean().optional()
    .meta({ description: "Fail (404) on a limit that does not exist; default false" }),
  lease_ms: LeaseMs.optional().meta({ description: "Lease duration; default 300000" }),
  holder: z.string().min(1).nullable().optional()
    .meta({ description: "Run holding the slots; they are released with it" }),
});

const SlotGrant = z.object({
  acquired: z.boolean(),
  lease_id: z.string().nullable().optional(),
  names: z.array(z.string()).optional(),
  retry_after_ms: z.number().optional(),
  reason: z.string().optional(),
}).meta({ id: "SlotGrant" });

const LEASE = { id: "Lease id" };

/** Registers acquire, release and renew. */
export function concurrencyLeaseRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine, clock } = deps;

  router.add({
    method: "post",
    path: "/concurrency-limits/acquire",
    tag: TAG,
    summary: "Take slots on every named limit at once, or learn when to try again",
    description: "A limit of 0, or occupying more slots than a limit has, answers 409.",
    body: AcquireBody,
    response: SlotGrant,
  }, async (c, { body }) => {
    const grant = await acquireSlots(engine, clock, {
      names: body.names,
      ...(body.occupy !== undefined ? { occupy: body.occupy } : {}),
      ...(body.strict !== undefined ? { strict: body.strict } : {}),
      ...(body.lease_ms !== undefined ? { leaseMs: body.lease_ms } : {}),
      ...(body.holder !== undefined ? { holder: body.holder } : {}),
    });
    return c.json(
      grant.acquired
        ? { acquired: true, lease_id: grant.leaseId, names: grant.names }
        : { acquired: false, retry_after_ms: grant.retryAfterMs, reason: grant.reason },
    );
  });

  router.add({
    method: "post",
    path: "/concurrency-leases/:id/release",
    tag: TAG,
    summary: "Release a lease; releasing twice answers released: false",
    params: LEASE,
    body: z.strictObject({}),
    bodyOptional: true,
    response: z.object({ released: z.boolean() }),
  }, async (c, { params }) => c.json({ released: await releaseSlots(engine, params.id!) }));

  router.add({
    method: "post",
    path: "/concurrency-leases/:id/renew",
    tag: TAG,
    summary: "Extend a live lease; renewed: false when it expired or was released",
    params: LEASE,
    body: z.strictObject({ lease_ms: LeaseMs }),
    response: z.object({ renewed: z.boolean() }),
  }, async (c, { params, body }) => {
    const renewed = await engine.transact((tx) =>
      renewLease(tx, params.id!, clock.now(), body.lease_ms)
    );
    return c.json({ renewed });
  });
}
