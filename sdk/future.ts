/**
 * Futures of submitted task runs: thenables with `.result()`, `.state()` and
 * `.wait()`.
 *
 * @module
 */
import { type RunState, State } from "./state.ts";

/** How a task run ended, as its future knows it. */
export interface TaskOutcome<T> {
  readonly state: RunState;
  readonly value?: T;
  readonly error?: Error;
}

const PENDING_STATE: RunState = { type: "PENDING", name: "Pending", message: null };

/** The eventual result of a submitted task run. */
export class TaskFuture<T> implements PromiseLike<T> {
  /** Name of the task. */
  readonly taskName: string;
  /** Position in a `map()` fan-out, or `null`. */
  readonly mapIndex: number | null;
  /** Detached futures do not count towards the flow's final state. */
  readonly detached: boolean;
  #runId: string | undefined;
  #state: RunState = PENDING_STATE;
  #observed = false;
  #resumed = false;
  // Made only when a dependent asks before the run exists: most never do.
  #runIdReady: Promise<string> | undefined;
  readonly #outcome: Promise<TaskOutcome<T>>;
  #resolveRunId: ((id: string) => void) | undefined;
  // Typed with `unknown` so that `T` stays covariant: a `TaskFuture<number>`
  // must be usable where a `TaskFuture<unknown>` is expected (`waitFor`, `wait()`).
  #resolveOutcome!: (outcome: TaskOutcome<unknown>) => void;

  /** @internal Created by the SDK; user code receives futures from `submit()` and `map()`. */
  constructor(taskName: string, mapIndex: number | null, detached: boolean) {
    this.taskName = taskName;
    this.mapIndex = mapIndex;
    this.detached = detached;
    this.#outcome = new Promise((resolve) => {
      this.#resolveOutcome = resolve as (outcome: TaskOutcome<unknown>) => void;
    });
  }

  /** Id of the task run, known from `submit()` on (the run exists once its creation commits). */
  get runId(): string | undefined {
    return this.#runId;
  }

  /** Whether user code asked for this future's result or state. */
  get observed(): boolean {
    return this.#observed;
  }

  /** The latest known state. */
  state(): RunState {
    return this.#state;
  }

  /**
   * Waits until the task run is final; resolves with its {@linkcode State}
   * (`isCompleted()`, `result()`...), never throws.
   */
  wait(): Promise<State<T>> {
    this.#observed = true;
    return this.#outcome.then(stateOf) as Promise<State<T>>;
  }

  /** The task's return value; throws its error if it did not complete. */
  result(): Promise<T> {
    // Chained, not an async function: a fan-out awaits thousands of futures
    // at once, and each suspended async frame is held until its run ends.
    this.#observed = true;
    return this.#outcome.then(valueOf) as Promise<T>;
  }

  then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result().then(onFulfilled, onRejected);
  }

  /** @internal */
  _runIdReady(): Promise<string> {
    if (this.#runId !== undefined) return Promise.resolve(this.#runId);
    return this.#runIdReady ??= new Promise((resolve) => this.#resolveRunId = resolve);
  }

  /** @internal The outcome without marking the future observed. */
  _outcome(): Promise<TaskOutcome<T>> {
    return this.#outcome;
  }

  /** @internal */
  _setRunId(id: string): void {
    this.#runId = id;
    this.#resolveRunId?.(id);
  }

  /** @internal */
  _setState(state: RunState): void {
    this.#state = state;
  }

  /** @internal Whether the value was restored from an earlier attempt. */
  get _resumed(): boolean {
    return this.#resumed;
  }

  /** @internal */
  _markResumed(): void {
    this.#resumed = true;
  }

  /** @internal */
  _settle(outcome: TaskOutcome<T>): void {
    this.#state = outcome.state;
    this.#resolveOutcome(outcome);
  }
}

function stateOf(outcome: TaskOutcome<unknown>): State<unknown> {
  return new State(outcome.state, outcome.value, outcome.error);
}

function valueOf(outcome: TaskOutcome<unknown>): unknown {
  if (outcome.error) throw outcome.error;
  return outcome.value;
}

/**
 * A future whose failure its dependents accept (Prefect's `allow_failure`):
 * passed as an argument or in `waitFor`, the dependent runs even when it
 * failed, and an argument receives the upstream's error as its value.
 */
export class AllowFailure<T> {
  readonly future: TaskFuture<T>;
  constructor(future: TaskFuture<T>) {
    this.future = future;
  }
}

/**
 * Lets a dependent run when `future` failed.
 *
 * @example
 * ```ts
 * import { allowFailure, flow, task } from "./mod.ts";
 * const extract = task(async (): Promise<number> => await Promise.reject(new Error("down")));
 * const report = task(async (rows: number | Error) => rows instanceof Error ? "no data" : `${rows}`);
 * export const etl = flow(async () => await report(allowFailure(extract.submit())));
 * // etl() resolves "no data" under finalState "explicit" or "prefect"
 * ```
 */
export function allowFailure<T>(future: TaskFuture<T>): AllowFailure<T> & TaskFuture<T | Error> {
  if (!(future instanceof TaskFuture)) throw new TypeError("allowFailure() needs a task future");
  return new AllowFailure(future) as AllowFailure<T> & TaskFuture<T | Error>;
}

/** A value `map()` passes whole to every mapped call instead of iterating it. */
export class Unmapped<T> {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }
}

/** Marks `value` as constant across a `map()` fan-out. */
export function unmapped<T>(value: T): Unmapped<T> {
  return new Unmapped(value);
}

/** Finds the futures inside an argument (top level, arrays and plain objects). */
export function collectFutures(
  value: unknown,
  out: TaskFuture<unknown>[] = [],
  depth = 0,
): TaskFuture<unknown>[] {
  if (value instanceof TaskFuture) {
    out.push(value);
  } else if (value instanceof AllowFailure) {
    out.push(value.future);
  } else if (depth < 6 && Array.isArray(value)) {
    for (const item of value) collectFutures(item, out, depth + 1);
  } else if (depth < 6 && isPlainObject(value)) {
    for (const item of Object.values(value)) collectFutures(item, out, depth + 1);
  }
  return out;
}

/** The futures inside an argument whose failure is allowed (`allowFailure`). */
export function collectAllowed(value: unknown, out = new Set<TaskFuture<unknown>>(), depth = 0) {
  if (value instanceof AllowFailure) {
    out.add(value.future);
  } else if (depth < 6 && Array.isArray(value)) {
    for (const item of value) collectAllowed(item, out, depth + 1);
  } else if (depth < 6 && isPlainObject(value)) {
    for (const item of Object.values(value)) collectAllowed(item, out, depth + 1);
  }
  return out;
}

/**
 * Adds a `data` edge for each argument (top level, arrays and plain objects)
 * that is the very object a task run of this flow returned, as Prefect 3
 * tracks results by identity. Primitives carry no identity and add none.
 */
export function resultEdges(
  value: unknown,
  results: WeakMap<object, string>,
  out: Array<{ runId: string; kind: "data" | "waitFor" }>,
  depth = 0,
): void {
  if (value === null || typeof value !== "object" || value instanceof TaskFuture) return;
  const runId = results.get(value);
  if (runId !== undefined) {
    if (!out.some((edge) => edge.runId === runId)) out.push({ runId, kind: "data" });
    return;
  }
  if (depth >= 6) return;
  if (Array.isArray(value)) {
    for (const item of value) resultEdges(item, results, out, depth + 1);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) resultEdges(item, results, out, depth + 1);
  }
}

/** Replaces futures inside an argument with their values (already settled). */
export async function resolveFutures(value: unknown, depth = 0): Promise<unknown> {
  if (value instanceof TaskFuture) return await value.result();
  if (value instanceof AllowFailure) {
    const outcome = await value.future._outcome();
    return outcome.error ?? outcome.value;
  }
  if (depth < 6 && Array.isArray(value)) {
    return await Promise.all(value.map((item) => resolveFutures(item, depth + 1)));
  }
  if (depth < 6 && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = await resolveFutures(item, depth + 1);
    }
    return out;
  }
  return value;
}

/** Whether `value` is an object literal (not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
