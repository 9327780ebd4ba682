/**
 * Real id source: a random prefix per process plus a counter, so ids are
 * unique across processes and cheap to make on the hot path.
 *
 * @module
 */
import type { IdSource, Timer } from "./core/mod.ts";

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

/** The wall clock, with real timers. */
export const systemClock: Timer = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};
