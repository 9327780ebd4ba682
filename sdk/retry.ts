/**
 * Retry delays: fixed, per attempt, computed, with jitter.
 *
 * @module
 */

/** Seconds to wait before a retry: one number, one per attempt, or a function of the attempt. */
export type RetryDelay = number | readonly number[] | ((attempt: number) => number);

/**
 * Delays that double each attempt: `base`, `2 × base`, `4 × base`, ...
 *
 * @example
 * ```ts
 * import { exponentialBackoff, task } from "./mod.ts";
 * const fetchPage = task(async (url: string) => url, { retries: 3, retryDelaySeconds: exponentialBackoff(1) });
 * ```
 */
export function exponentialBackoff(baseSeconds: number): (attempt: number) => number {
  if (!(baseSeconds >= 0)) {
    throw new RangeError(`Cannot back off from ${baseSeconds} seconds: must be zero or more`);
  }
  return (attempt) => baseSeconds * 2 ** Math.max(0, attempt - 1);
}

/**
 * Milliseconds to wait before retry number `attempt` (1-based), with up to
 * `jitterFactor` × delay added at random.
 */
export function retryDelayMs(
  delay: RetryDelay | undefined,
  attempt: number,
  jitterFactor = 0,
  random: () => number = Math.random,
): number {
  let seconds: number;
  if (delay === undefined) seconds = 0;
  else if (typeof delay === "number") seconds = delay;
  else if (typeof delay === "function") seconds = delay(attempt);
  else seconds = delay[Math.min(attempt, delay.length) - 1] ?? 0;
  if (!(seconds >= 0)) return 0;
  const jitter = jitterFactor > 0 ? seconds * jitterFactor * random() : 0;
  return Math.round((seconds + jitter) * 1000);
}
