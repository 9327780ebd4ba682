/**
 * Real id source: a random prefix per process plus a counter, so ids are
 * unique across processes and cheap to make on the hot path.
 *
 * @module
 */
import type { IdSource } from "./core/mod.ts";

/** Creates an id source whose ids sort by creation within one process. */
export function createIdSource(): IdSource {
  const prefix = crypto.randomUUID().slice(0, 8);
  const epoch = Date.now().toString(36);
  let counter = 0;
  return {
    next() {
      counter += 1;
      return `${epoch}-${prefix}-${counter.toString(36).padStart(6, "0")}`;
    },
  };
}

/** The wall clock. */
export const systemClock = { now: () => Date.now() };
