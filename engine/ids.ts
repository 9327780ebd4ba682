/**
 * Real id source and wall clock.
 *
 * @module
 */
import type { IdSource, Timer } from "./core/mod.ts";
import { uuidv7 } from "./uuid7.ts";

/** Creates an id source of time-ordered UUIDs (v7). */
export function createIdSource(): IdSource {
  return { next: () => uuidv7() };
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
