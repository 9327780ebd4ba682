/**
 * Creating and changing global concurrency limits: one definition, called by
 * the API and by the dashboard's forms.
 *
 * @module
 */
import { type ConcurrencyLimit, ConflictError, NotFoundError } from "./core/mod.ts";
import { resetSlots, type SlotReset } from "./concurrency.ts";
import type { Engine } from "./engine.ts";

/** What a new limit needs. */
export interface NewConcurrencyLimit {
  name: string;
  limit: number;
  /** Slots freed per second (a rate limit). @default 0 */
  slotDecayPerSecond?: number;
}

/** Creates a limit; a {@linkcode ConflictError} when the name is taken. */
export function createConcurrencyLimit(
  engine: Engine,
  input: NewConcurrencyLimit,
): Promise<ConcurrencyLimit> {
  return engine.transact((tx) => {
    if (tx.getConcurrencyLimit(input.name)) {
      throw new ConflictError(`Concurrency limit "${input.name}" already exists`);
    }
    const now = engine.clock.now();
    const limit: ConcurrencyLimit = {
      name: input.name,
      limit: input.limit,
      slotDecayPerSecond: input.slotDecayPerSecond ?? 0,
      activeSlots: 0,
      createdAt: now,
      updatedAt: now,
    };
    tx.putConcurrencyLimit(limit);
    return limit;
  });
}

/** Changes a limit's size or decay; a {@linkcode NotFoundError} when it does not exist. */
export function updateConcurrencyLimit(
  engine: Engine,
  name: string,
  patch: { limit?: number; slotDecayPerSecond?: number },
): Promise<ConcurrencyLimit> {
  return engine.transact((tx) => {
    const limit = tx.getConcurrencyLimit(name);
    if (!limit) {
      throw new NotFoundError(`Concurrency limit "${name}" does not exist`, {
        code: "concurrency_limit_not_found",
      });
    }
    const next: ConcurrencyLimit = {
      ...limit,
      limit: patch.limit ?? limit.limit,
      slotDecayPerSecond: patch.slotDecayPerSecond ?? limit.slotDecayPerSecond,
      updatedAt: engine.clock.now(),
    };
    tx.putConcurrencyLimit(next);
    return next;
  });
}

/**
 * Frees every active slot of a limit (Prefect's `prefect gcl reset`); a
 * {@linkcode NotFoundError} when it does not exist. Holders of freed slots
 * that release or heartbeat later change nothing.
 */
export function resetConcurrencyLimit(engine: Engine, name: string): Promise<SlotReset> {
  return engine.transact((tx) => resetSlots(tx, name, engine.clock.now()));
}
