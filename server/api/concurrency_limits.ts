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
  createConcurrencyLimit,
  NotFoundError,
  resetConcurrencyLimit,
  updateConcurrencyLimit,
} from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import {
  CreateLimitBody,
  LimitResetSchema,
  LimitSchema,
  toApiLimit,
  toApiLimitReset,
  UpdateLimitBody,
} from "../../wire/concurrency_limit_schemas.ts";
import type { ApiRouter } from "./router.ts";
import { pageOf } from "../../wire/schemas.ts";

const NAME = { name: "Limit name" };
const TAG = "Concurrency limits";

/** Registers the concurrency limit routes. */
export function concurrencyLimitRoutes(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  const store = engine.reader;
  // Reading active slots also reclaims expired leases: a write.
  const toApiAll = (limits: readonly ConcurrencyLimit[]) =>
    engine.transact((tx) => {
      const now = deps.clock.now();
      return limits.map((limit) => toApiLimit(limit, activeSlotsOf(tx, limit, now)));
    });
  const toApi = async (limit: ConcurrencyLimit) => (await toApiAll([limit]))[0]!;
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
    async (c) => c.json({ items: await toApiAll(store.concurrencyLimits()), next_cursor: null }),
  );

  router.add({
    method: "post",
    path: "/concurrency-limits",
    tag: TAG,
    summary: "Create a concurrency limit",
    body: CreateLimitBody,
    status: 201,
    response: LimitSchema,
  }, async (c, { body }) => {
    const limit = await createConcurrencyLimit(engine, {
      name: body.name,
      limit: body.limit,
      ...(body.slot_decay_per_second !== undefined
        ? { slotDecayPerSecond: body.slot_decay_per_second }
        : {}),
    });
    return c.json(await toApi(limit), 201);
  });

  router.add({
    method: "get",
    path: "/concurrency-limits/:name",
    tag: TAG,
    summary: "A concurrency limit",
    params: NAME,
    response: LimitSchema,
  }, async (c, { params }) => c.json(await toApi(existing(params.name!))));

  router.add({
    method: "patch",
    path: "/concurrency-limits/:name",
    tag: TAG,
    summary: "Change a concurrency limit",
    params: NAME,
    body: UpdateLimitBody,
    response: LimitSchema,
  }, async (c, { params, body }) => {
    const next = await updateConcurrencyLimit(engine, params.name!, {
      ...(body.limit !== undefined ? { limit: body.limit } : {}),
      ...(body.slot_decay_per_second !== undefined
        ? { slotDecayPerSecond: body.slot_decay_per_second }
        : {}),
    });
    return c.json(await toApi(next));
  });

  router.add({
    method: "delete",
    path: "/concurrency-limits/:name",
    tag: TAG,
    summary: "Delete a concurrency limit",
    params: NAME,
    status: 204,
  }, async (c, { params }) => {
    existing(params.name!);
    await engine.transact((tx) => tx.deleteConcurrencyLimit(params.name!));
    return c.body(null, 204);
  });

  router.add({
    method: "post",
    path: "/concurrency-limits/:name/reset",
    tag: TAG,
    summary: "Free every active slot of a concurrency limit",
    description: "Holders of freed slots that release or renew later change nothing: " +
      "active slots never go below 0 nor above the limit.",
    params: NAME,
    body: z.strictObject({}),
    bodyOptional: true,
    response: LimitResetSchema,
  }, async (c, { params }) => {
    const reset = await resetConcurrencyLimit(engine, params.name!);
    const limit = existing(params.name!);
    const [api] = await toApiAll([limit]);
    return c.json(toApiLimitReset(limit, api!.active_slots, reset));
  });
}
