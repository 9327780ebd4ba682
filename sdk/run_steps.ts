/**
 * Steps that flow runs and task runs share: proposing RUNNING (waiting out
 * what the engine asks for), one attempt of a body under its timeout and the
 * run's cancellation, the retry delay, and what a failure or a result records.
 *
 * @module
 */
import { type Json, type ProposalResult, StateName, StateType, type Timer } from "../engine/mod.ts";
import type { ControlPlane } from "./control_plane.ts";
import { asError, CancelledError, FlowRunError, TimeoutError } from "./errors.ts";
import type { TaskFuture } from "./future.ts";
import type { TransitionHook } from "./hooks.ts";
import { allHooks, type RunOptions, type TaskOptions } from "./options.ts";
import { createFileResultStore, encodeResult } from "./results.ts";
import { retryDelayMs } from "./retry.ts";
import type { RunMirror, TransitionRequest } from "./run_mirror.ts";

const { RUNNING, COMPLETED, CANCELLED, CANCELLING, SCHEDULED } = StateType;

/** How one attempt of a body ended. */
export interface Attempt<T> {
  ok: boolean;
  value?: T;
  error?: Error;
  timedOut?: boolean;
  cancelled?: boolean;
}

/** How proposing RUNNING ended: running, or not (with the cache hit's data when it was one). */
export interface Start {
  started: boolean;
  cached?: { [key: string]: Json };
}

/**
 * Runs attempts of bodies (a flow's, its task runs') under their timeouts,
 * and stops waiting for them when the flow run's signal aborts.
 */
export class Attempts {
  readonly #signal: AbortSignal;
  readonly #timer: Timer;
  // One listener on the run's signal fans out to every attempt: thousands of
  // listeners on one AbortSignal would make each add linear.
  readonly #onAbort = new Set<() => void>();

  constructor(signal: AbortSignal, timer: Timer) {
    this.#signal = signal;
    this.#timer = timer;
    signal.addEventListener("abort", () => {
      for (const callback of [...this.#onAbort]) callback();
    }, { once: true });
  }

  /**
   * Runs one attempt of `body` with the run's timeout, and stops waiting for
   * it when the flow run is cancelled.
   */
  run<T>(
    timeoutSeconds: number | undefined,
    body: (signal: AbortSignal) => Promise<T>,
    label: string,
  ): Promise<Attempt<T>> {
    // Not an async function on this path: thousands of mapped tasks wait here
    // at once, and each suspended async frame is memory held until they end.
    if (timeoutSeconds === undefined) return this.#runUntimed(body);
    return this.#runTimed(timeoutSeconds, body, label);
  }

  async #runTimed<T>(
    timeoutSeconds: number,
    body: (signal: AbortSignal) => Promise<T>,
    label: string,
  ): Promise<Attempt<T>> {
    const local = new AbortController();
    const onParentAbort = () => local.abort(this.#signal.reason);
    if (this.#signal.aborted) onParentAbort();
    else this.#onAbort.add(onParentAbort);
    const stopTimer = new AbortController();
    // Only this attempt's own timer makes it TimedOut: an abort from the flow
    // run (cancelled, or the flow itself timed out) cancels it.
    let ownTimeout: TimeoutError | undefined;
    try {
      const stopped = new Promise<Attempt<T>>((resolve) => {
        local.signal.addEventListener("abort", () => {
          const reason = local.signal.reason;
          resolve(
            reason === ownTimeout && ownTimeout !== undefined
              ? { ok: false, error: ownTimeout, timedOut: true }
              : { ok: false, error: asError(reason), cancelled: true },
          );
        }, { once: true });
      });
      this.#timer.sleep(timeoutSeconds * 1000, stopTimer.signal).then(
        () => {
          ownTimeout = new TimeoutError(`${label} timed out after ${timeoutSeconds} s`);
          local.abort(ownTimeout);
        },
        () => {},
      );
      if (local.signal.aborted) return await stopped;
      const ran = (async (): Promise<Attempt<T>> => {
        try {
          return { ok: true, value: await body(local.signal) };
        } catch (error) {
          return { ok: false, error: asError(error) };
        }
      })();
      return await Promise.race([ran, stopped]);
    } finally {
      stopTimer.abort();
      this.#onAbort.delete(onParentAbort);
    }
  }

  // Without a timeout the body sees the run's own signal: no AbortController
  // or event listener per task, and one promise settled by whichever comes
  // first (the body or a cancellation), which matters for thousands of mapped tasks.
  #runUntimed<T>(body: (signal: AbortSignal) => Promise<T>): Promise<Attempt<T>> {
    const signal = this.#signal;
    if (signal.aborted) {
      return Promise.resolve({ ok: false, error: asError(signal.reason), cancelled: true });
    }
    const onAbort = this.#onAbort;
    return new Promise<Attempt<T>>((resolve) => {
      const stop = () => resolve({ ok: false, error: asError(signal.reason), cancelled: true });
      onAbort.add(stop);
      let running: Promise<T>;
      try {
        running = body(signal);
      } catch (error) {
        onAbort.delete(stop);
        return resolve({ ok: false, error: asError(error) });
      }
      running.then(
        (value) => {
          onAbort.delete(stop);
          resolve({ ok: true, value });
        },
        (error) => {
          onAbort.delete(stop);
          resolve({ ok: false, error: asError(error) });
        },
      );
    });
  }
}

/**
 * Proposes RUNNING and waits out what the engine asks for: a delay (a
 * scheduled retry), or SCHEDULED "AwaitingConcurrencySlot" until a tag slot
 * frees. Resolves with the cached result's data when the engine answered a
 * cache hit instead.
 */
export async function proposeStart(
  mirror: RunMirror,
  timer: Timer,
  signal: AbortSignal,
  request: TransitionRequest,
  sent?: Promise<ProposalResult>,
): Promise<Start> {
  while (true) {
    const result = await mirror.transition(RUNNING, request, sent);
    sent = undefined;
    if (result.status === "wait") {
      await timer.sleep(result.retryAfterMs ?? 0, signal);
      continue;
    }
    const state = mirror.state as StateType;
    if (state === RUNNING) return { started: true };
    if (state === SCHEDULED && mirror.run.stateName === StateName.AwaitingConcurrencySlot) {
      const due = result.data?.["scheduledTime"];
      const wait = typeof due === "number" ? due - timer.now() : 250;
      await timer.sleep(Math.max(0, wait), signal);
      continue;
    }
    if (state === COMPLETED && result.data?.["cache_hit"] === true) {
      return { started: false, cached: result.data };
    }
    return { started: false };
  }
}

/** The RUNNING proposal of a start (`Retrying` on later attempts). */
export function startRequest(
  name: string | undefined,
  data: { [key: string]: Json } | undefined,
): TransitionRequest {
  const request: TransitionRequest = { kind: "start" };
  if (name) request.name = name;
  if (data) request.data = data;
  return request;
}

/** What a task run's start records about its cache key. */
export function startData(
  cacheKey: string | undefined,
  options: TaskOptions,
): { [key: string]: Json } | undefined {
  if (cacheKey === undefined) return undefined;
  return options.refreshCache ? { cacheKey, refreshCache: true } : { cacheKey };
}

/** Milliseconds until the next attempt, or `undefined` when the run is not retried. */
export async function retryDelay(
  options: RunOptions,
  error: Error,
  attempt: number,
  warn: (message: string) => void,
): Promise<number | undefined> {
  if (attempt > (options.retries ?? 0) || error instanceof CancelledError) return undefined;
  if (options.retryCondition) {
    try {
      if (!await options.retryCondition(error, attempt)) return undefined;
    } catch (conditionError) {
      warn(`retryCondition threw, not retrying: ${asError(conditionError).message}`);
      return undefined;
    }
  }
  return retryDelayMs(options.retryDelaySeconds, attempt, options.retryJitterFactor ?? 0);
}

/** What a FAILED event records: the error, and the retry when one follows. */
export function failureData(
  error: Error,
  delay: number | undefined,
  retries: number,
): { [key: string]: Json } {
  const data: { [key: string]: Json } = {
    message: `${error.name}: ${error.message}`,
    error: { name: error.name, message: error.message, stack: error.stack ?? null },
  };
  if (delay !== undefined) {
    data["retries"] = retries;
    data["retryDelayMs"] = delay;
  }
  return data;
}

/**
 * What the COMPLETED event records about a value: always "no result" for
 * `undefined` (so it can be resumed), the stored result when persisting,
 * and the input fingerprint. A value that cannot be stored is reported.
 */
export async function resultData(
  plane: ControlPlane,
  value: unknown,
  persist: boolean,
  inputs: string | undefined,
  warn: (message: string) => void,
  options: Pick<RunOptions, "resultSerializer" | "resultStorage"> = {},
): Promise<{ [key: string]: Json } | undefined> {
  const data: { [key: string]: Json } = {};
  if (inputs !== undefined) data["inputs"] = inputs;
  if (value === undefined) {
    data["result"] = { kind: "none" };
  } else if (persist) {
    try {
      const location = options.resultStorage;
      const store = location === undefined ? plane.results : createFileResultStore(location);
      const stored = await encodeResult(value, store, undefined, options.resultSerializer);
      data["result"] = (location !== undefined && stored.kind === "ref"
        ? { ...stored, location }
        : stored) as unknown as Json;
    } catch (error) {
      data["resultPersisted"] = false;
      warn(`Result not persisted: ${asError(error).message}`);
    }
  }
  return Object.keys(data).length > 0 ? data : undefined;
}

/** The error of a run that did not end as its body did (cancelled, or moved by others). */
export function stoppedError(mirror: RunMirror): Error {
  const { type, message } = mirror.snapshot();
  return type === CANCELLED || type === CANCELLING
    ? new CancelledError(
      `Run "${mirror.run.runName}" was cancelled${message ? `: ${message}` : ""}`,
    )
    : new FlowRunError(
      `Run "${mirror.run.runName}" is ${type}${message ? `: ${message}` : ""}`,
      mirror.id,
      type,
    );
}

// Ends a task future with the run's state (a function, not a closure per task run).
export function settleFuture<T>(
  future: TaskFuture<T>,
  mirror: RunMirror,
  value?: T,
  error?: Error,
): void {
  const state = mirror.snapshot();
  future._settle(error ? { state, error } : { state, value: value as T });
}

const hooksByOptions = new WeakMap<RunOptions, TransitionHook[]>();

/** The transition hooks of a run's options (worked out once per options object). */
export function hooksOf(options: RunOptions): TransitionHook[] {
  let hooks = hooksByOptions.get(options);
  if (!hooks) hooksByOptions.set(options, hooks = allHooks(options));
  return hooks;
}

/** Whether a value is a task future (a flow body may return one). */
export function isFuture(value: unknown): value is TaskFuture<unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as TaskFuture<unknown>)._outcome === "function";
}
