/**
 * A wall-clock sleep that a signal cuts short, for loops that run beside
 * the flows (heartbeats, a worker's polls) rather than inside them.
 *
 * @module
 */

/** Options of {@linkcode abortableSleep}. */
export interface SleepOptions {
  /** Let the process exit while it sleeps. @default false */
  unref?: boolean;
}

/**
 * Waits `ms` milliseconds, or less when `signal` aborts. Resolves `true`
 * when the time passed, `false` when the signal stopped it first.
 *
 * @example A stopped sleep ends at once
 * ```ts
 * import assert from "node:assert/strict";
 * import { abortableSleep } from "./sleep.ts";
 * const stop = new AbortController();
 * const sleeping = abortableSleep(60_000, stop.signal);
 * stop.abort();
 * assert.equal(await sleeping, false);
 * ```
 */
export function abortableSleep(
  ms: number,
  signal: AbortSignal,
  options: SleepOptions = {},
): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const id = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve(true);
    }, ms);
    const stop = () => {
      clearTimeout(id);
      resolve(false);
    };
    signal.addEventListener("abort", stop, { once: true });
    if (options.unref) Deno.unrefTimer(id);
  });
}
