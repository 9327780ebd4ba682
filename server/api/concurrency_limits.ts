/**
 * Concurrency limits CRUD. `active_slots` is read-only: it is derived from
 * the live leases (or the decaying level of a rate limit).
 *
 * @module
 */
import { z } from "zod";
import {
  activeSlotsOf,
  type ConcurrencyLimit,
  ConflictError,
  NotFoundError,
  slotStoreOf,
} from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { pageOf } from "./schemas.ts";

const LimitSchema = z.object({
  name: z.string(),
  limit: z.number().int(),
  slot_decay_per_second: z.number(),
  active_slots: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: "ConcurrencyLimit" });

const Name = z.string().min(1).max(200).regex(/^[\w.:-]+$/, {
  error: "may hold letters, digits, _ . : and - only",
});
const Limit = z.number().int().min(0).max(1_000_000);
const Decay = z.number().min(0).max(1_000_000);

const CreateBody = z.strictObject({
  name: Name,
  limit: Limit,
  slot_decay_per_second: Decay.optional().meta({ description: "Default 0" }),
});

const UpdateBody = z.strictObject({
  limit: Limit.optional(),
  slot_decay_per_second: Decay.optional(),
}).refine((body) => body.limit !== undefined || body.slot_decay_per_second !== undefined, {
  error: "give limit or slot_decay_per_second",
});

function toApiLimit(limit: ConcurrencyLimit, activeSlots: number): z.infer<typeof LimitSchema> {
  return {
    name: limit.name,
    limit: limit.limit,
    slot_decay_per_second: limit.slotDecayPerSecond,
    active_slots: activeSlots,
    created_at: new Date(limit.createdAt).toISOString(),
    updated_at: new Date(limit.updatedAt).toISOString(),
  };
}

const NAME = { name: "Limit name" };
const TAG = "Concurrency limits";

/** Registers the concurrency limit routes. */
export function concurrencyLimitRoutes(router: ApiRouter, deps: AppDeps): void {
  const { store } = deps.engine;
  // Reading active slots also reclaims expired leases: a write.
  const toApi = (limit: ConcurrencyLimit) =>
    toApiLimit(
      limit,
      store.write((tx) => activeSlotsOf(slotStoreOf(store, tx), limit, deps.clock.now())),
    );
  const existing = (name: string) => {
    const limit = store.getConcurrencyLimit(name);
    if (!limit) {
      throw new NotFoundError(`Concurrency limit "${name}" does not exist`, {
        code: "concurrency_limit_not_found",
      });
    }
    return limit;
  };

  router.add(
    {
      method: "get",
      path: "/concurrency-limits",
      tag: TAG,
      summary: "List concurrency limits",
      response: pageOf(LimitSchema),
    },
    (c) =>
      c.json({ items: store.concurrencyLimits().map((limit) => toApi(limit)), next_cursor: null }),
  );

  router.add({
    method: "post",
    path: "/concurrency-limits",
    tag: TAG,
    summary: "Create a concurrency limit",
    body: CreateBody,
    status: 201,
    response: LimitSchema,
  }, (c, { body }) => {
    if (store.getConcurrencyLimit(body.name)) {
      throw new ConflictError(`Concurrency limit "${body.name}" already exists`);
    }
    const now = deps.clock.now();
    const limit: ConcurrencyLimit = {
      name: body.name,
      limit: body.limit,
      slotDecayPerSecond: body.slot_decay_per_second ?? 0,
      activeSlots: 0,
      createdAt: now,
      updatedAt: now,
    };
    store.putConcurrencyLimit(limit);
    return c.json(toApi(limit), 201);
  });

  router.add({
    method: "get",
    path: "/concurrency-limits/:name",
    tag: TAG,
    summary: "A concurrency limit",
    params: NAME,
    response: LimitSchema,
  }, (c, { params }) => c.json(toApi(existing(params.name!))));

  router.add({
    method: "patch",
    path: "/concurrency-limits/:name",
    tag: TAG,
    summary: "Change a concurrency limit",
    params: NAME,
    body: UpdateBody,
    response: LimitSchema,
  }, (c, { params, body }) => {
    const limit = existing(params.name!);
    const next: ConcurrencyLimit = {
      ...limit,
      limit: body.limit ?? limit.limit,
      slotDecayPerSecond: body.slot_decay_per_second ?? limit.slotDecayPerSecond,
      updatedAt: deps.clock.now(),
    };
    store.putConcurrencyLimit(next);
    return c.json(toApi(next));
  });

  router.add({
    method: "delete",
    path: "/concurrency-limits/:name",
    tag: TAG,
    summary: "Delete a concurrency limit",
    params: NAME,
    status: 204,
  }, (c, { params }) => {
    existing(params.name!);
    store.deleteConcurrencyLimit(params.name!);
    return c.body(null, 204);
  });
}
