/**
 * Schemas of concurrency limits on the wire.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { ConcurrencyLimit, SlotReset } from "../engine/mod.ts";

/** A concurrency limit on the wire. */
export const LimitSchema = z.object({
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

/** Body of `POST /concurrency-limits`. */
export const CreateLimitBody = z.strictObject({
  name: Name,
  limit: Limit,
  slot_decay_per_second: Decay.optional().meta({ description: "Default 0" }),
});

/** Body of `PATCH /concurrency-limits/:name`. */
export const UpdateLimitBody = z.strictObject({
  limit: Limit.optional(),
  slot_decay_per_second: Decay.optional(),
}).refine((body) => body.limit !== undefined || body.slot_decay_per_second !== undefined, {
  error: "give limit or slot_decay_per_second",
});

/** A limit as API JSON. */
export function toApiLimit(
  limit: ConcurrencyLimit,
  activeSlots: number,
): z.infer<typeof LimitSchema> {
  return {
    name: limit.name,
    limit: limit.limit,
    slot_decay_per_second: limit.slotDecayPerSecond,
    active_slots: activeSlots,
    created_at: new Date(limit.createdAt).toISOString(),
    updated_at: new Date(limit.updatedAt).toISOString(),
  };
}

/** Answer of `POST /concurrency-limits/:name/reset`. */
export const LimitResetSchema = z.object({
  limit: LimitSchema,
  freed_slots: z.number().meta({ description: "Slots that were in use and are now free" }),
  released_leases: z.number().int()
    .meta({ description: "Leases released; their holders' later release or renew is a no-op" }),
  narrowed_leases: z.number().int()
    .meta({ description: "Leases over several limits that keep the others" }),
  reset_at: z.string(),
}).meta({ id: "ConcurrencyLimitReset" });

/** A reset as API JSON. */
export function toApiLimitReset(
  limit: ConcurrencyLimit,
  activeSlots: number,
  reset: SlotReset,
): z.infer<typeof LimitResetSchema> {
  return {
    limit: toApiLimit(limit, activeSlots),
    freed_slots: reset.freed,
    released_leases: reset.released.length,
    narrowed_leases: reset.narrowed.length,
    reset_at: new Date(reset.at).toISOString(),
  };
}
