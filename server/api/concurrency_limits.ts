/**
 * Concurrency limits CRUD. `active_slots` is read-only: it is derived from
 * the live leases (or the decaying level of a rate limit).
 *
 * @module
 */
import {
  activeSlotsOf,
  type ConcurrencyLimit,
  ConflictError,
  NotFoundError,
  slotStoreOf,
} from "../../engine/mod.ts";
import type { AppDeps } from "../deps.ts";
import {
  CreateLimitBody,
  LimitSchema,
  toApiLimit,
  UpdateLimitBody,
} from "./concurrency_limit_schemas.ts";
import type { ApiRouter } from "./router.ts";
import { pageOf } from "./schemas.ts";

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
    body: CreateLimitBody,
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
    body: UpdateLimitBody,
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
