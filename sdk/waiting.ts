/**
 * Waiting on several futures, as Prefect 3's `wait` and `as_completed`:
 * `wait(futures)` gives their states, `wait(futures, { timeout })` splits them
 * into `{ done, notDone }`, and `asCompleted(futures)` yields each as it ends.
 * Timeouts use the control plane's timer, so tests drive them with a fake clock.
 *
 * @module
 */
import { systemClock, type Timer } from "../engine/mod.ts";
import { currentContext } from "./context.ts";
import { TaskFuture } from "./future.ts";
import type { State } from "./state.ts";

/** Futures split by whether they ended within the timeout. */
export interface DoneAndNotDone<F> {
  readonly done: Set<F>;
  readonly notDone: Set<F>;
}

/** Options of `wait()` and `asCompleted()`. */
export interface WaitOptions {
  /** Seconds to wait at most. @default no limit */
  timeout?: number;
  /** The timer that measures `timeout`. @default the current run's control plane's, or the system clock */
  timer?: Timer;
}

/**
 * Waits for every future. Without a timeout it resolves with their states
 * (never throws); with `{ timeout }` (seconds) it resolves once all ended or
 * the time is up, with the futures split into `done` and `notDone`.
 *
 * @example
 * ```ts
 * import { flow, task, wait } from "./mod.ts";
 * const inc = task(async (x: number) => x + 1);
 * export const f = flow(async () => {
 *   const states = await wait(inc.map([1, 2]));
 *   const { done, notDone } = await wait(inc.map([3, 4]), { timeout: 10 });
 *   return [states.every((s) => s.isCompleted()), done.size, notDone.size];
 * });
 * ```
 */
export function wait(futures: Iterable<TaskFuture<unknown>>): Promise<State[]>;
export function wait<F extends TaskFuture<unknown>>(
  futures: Iterable<F>,
  options: WaitOptions & { timeout: number },
): Promise<DoneAndNotDone<F>>;
export async function wait<F extends TaskFuture<unknown>>(
  futures: Iterable<F>,
  options?: WaitOptions,
): Promise<State[] | DoneAndNotDone<F>> {
  const list = checked(futures, "wait");
  if (options?.timeout === undefined) return await Promise.all(list.map((f) => f.wait()));
  const done = new Set<F>();
  const all = Promise.all(list.map((future) => future.wait().then(() => done.add(future))));
  await withTimeout(all, options);
  return { done, notDone: new Set(list.filter((future) => !done.has(future))) };
}

/**
 * Yields the futures in the order they end (Prefect's `as_completed`). With a
 * `timeout` (seconds), throws a `TimeoutError` when it passes with futures left.
 *
 * @example
 * ```ts
 * import { asCompleted, flow, task } from "./mod.ts";
 * const slow = task(async (ms: number) => { await new Promise((r) => setTimeout(r, ms)); return ms; });
 * export const f = flow(async () => {
 *   const order: number[] = [];
 *   for await (const future of asCompleted(slow.map([30, 10, 20]))) order.push(await future);
 *   return order; // [10, 20, 30]
 * });
 * ```
 */
export function asCompleted<F extends TaskFuture<unknown>>(
  futures: Iterable<F>,
  options: WaitOptions = {},
): AsyncIterableIterator<F> {
  const pending = new Map(
    checked(futures, "asCompleted").map((future) => [
      future,
      // Boxed: a future is a thenable, and a promise would unwrap it to its value.
      future.wait().then(() => ({ future })),
    ]),
  );
  // Not an async generator: `yield` would await the future and hand out its value.
  const iterator: AsyncIterableIterator<F> = {
    [Symbol.asyncIterator]: () => iterator,
    async next(): Promise<IteratorResult<F>> {
      if (pending.size === 0) return { done: true, value: undefined };
      const next = await withTimeout(Promise.race(pending.values()), options);
      if (next === undefined) {
        throw new WaitTimeoutError(
          `asCompleted(): ${pending.size} future(s) did not end within ${options.timeout} s`,
        );
      }
      pending.delete(next.future);
      return { done: false, value: next.future };
    },
  };
  return iterator;
}

/** `asCompleted()` ran out of time. */
export class WaitTimeoutError extends Error {
  override name = "TimeoutError";
}

function checked<F>(futures: Iterable<F>, name: string): F[] {
  const list = [...futures];
  if (!list.every((future) => future instanceof TaskFuture)) {
    throw new TypeError(`${name}() needs task futures`);
  }
  return list;
}

/** `promise`'s value, or `undefined` once `timeout` seconds passed on the timer. */
async function withTimeout<T>(promise: Promise<T>, options: WaitOptions): Promise<T | undefined> {
  if (options.timeout === undefined) return await promise;
  if (!(typeof options.timeout === "number" && options.timeout >= 0)) {
    throw new RangeError(`timeout must be seconds (0 or more), got ${options.timeout}`);
  }
  const timer = options.timer ?? currentContext()?.plane.timer ?? systemClock;
  const stop = new AbortController();
  const elapsed = timer.sleep(options.timeout * 1000, stop.signal).then(
    () => undefined,
    () => undefined,
  );
  try {
    return await Promise.race([promise, elapsed]);
  } finally {
    stop.abort();
  }
}
