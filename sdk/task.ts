/**
 * `task()`: turns an async function into a task whose calls inside a flow
 * become task runs.
 *
 * @module
 */
import { currentContext } from "./context.ts";
import { TaskFuture, Unmapped } from "./future.ts";
import { captureConsolePrints } from "./logger.ts";
import { type CallOptions, splitCallOptions } from "./call_options.ts";
import type { TaskSpec } from "./run_specs.ts";
import { type TaskOptions, validateOptions } from "./options.ts";
import { registerTask } from "./registry.ts";
import { getTransaction } from "./transaction.ts";
import { runStandaloneTask } from "./standalone_task.ts";
import { type BackgroundFuture, delayTask } from "./background.ts";
import { checkOptionNames } from "./option_names.ts";
import type { ControlPlane } from "./control_plane.ts";
import type { State } from "./state.ts";
import { assignedName, callerLocation } from "./source_names.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * Each argument may also be a future of its type, and an array argument an
 * array of futures of its elements (the fan-in `total.submit(futures)`):
 * futures nested in arrays are awaited before the task runs.
 */
export type FutureArgs<A extends unknown[]> = { [K in keyof A]: Futurable<A[K]> };

/** A value, a future of it, or for an array an array of values and futures. */
export type Futurable<T> =
  | T
  | TaskFuture<T>
  | (T extends readonly (infer E)[] ? ReadonlyArray<E | TaskFuture<E>> : never);

/** Each argument of `map()`: an iterable of values, or `unmapped(value)`. */
export type MapArgs<A extends unknown[]> = {
  [K in keyof A]: Iterable<A[K] | TaskFuture<A[K]>> | Unmapped<A[K]>;
};

/** A task: call it inside a flow to run it, or `submit`/`map` it for futures. */
export interface Task<A extends unknown[], R> {
  /**
   * Runs the task and returns its value (throws its error). Outside a flow it
   * is a task run of its own on the default control plane (as in Prefect 3).
   */
  (...args: FutureArgs<A>): Promise<R>;
  readonly taskName: string;
  readonly options: Readonly<TaskOptions>;
  readonly fn: (...args: A) => R | Promise<R>;
  /**
   * Starts a task run and returns its future at once. A last
   * `callOptions({ waitFor, detach })` argument carries the call's options.
   */
  submit(...args: FutureArgs<A> | [...FutureArgs<A>, CallOptions]): TaskFuture<R>;
  /**
   * One task run per element of the iterable arguments (zipped); `unmapped()`
   * arguments are passed whole. A last `callOptions({ waitFor, detach })`
   * argument applies to every task run.
   */
  map(...args: MapArgs<A> | [...MapArgs<A>, CallOptions]): TaskFuture<R>[];
  /** A copy of the task with some options changed. */
  with(options: TaskOptions): Task<A, R>;
  /**
   * Enqueues a background task run (SCHEDULED until a task worker runs it:
   * `serveTasks()`, `ironflow task serve`) and returns its future at once;
   * `future.enqueued` resolves once the run is recorded. The arguments must
   * be JSON values.
   */
  delay(...args: A): BackgroundFuture<R>;
  /** `delay()` on the given control plane. */
  delayWith(options: TaskCallOptions, ...args: A): BackgroundFuture<R>;
  /**
   * Runs the task outside a flow as a task run of its own on `options.plane`
   * (what calling it outside a flow does on the default control plane);
   * resolves with its final state, never throws for a failed run.
   */
  runWith(options: TaskCallOptions, ...args: A): Promise<TaskRunOutcome<R>>;
}

/** Options of `task.runWith()`. */
export interface TaskCallOptions {
  /** @default the default control plane */
  plane?: ControlPlane;
}

/** How a task run started with `runWith()` ended. */
export interface TaskRunOutcome<R> {
  readonly runId: string;
  readonly state: State<R>;
  readonly result?: R;
  readonly error?: Error;
}

function inWebWorker(): boolean {
  return typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
}

/**
 * Defines a task.
 *
 * @example
 * ```ts
 * import { flow, task } from "./mod.ts";
 * const inc = task(async (x: number) => x + 1, { retries: 2 });
 * const double = task({ name: "double" }, async (x: number) => x * 2);
 * export const pipeline = flow(async () => {
 *   const incremented = inc.map([1, 2, 3]);
 *   return await Promise.all(incremented.map((f) => double(f))); // [4, 6, 8]
 * });
 * ```
 */
export function task<F extends AnyFn>(
  fn: F,
  options?: TaskOptions,
): Task<Parameters<F>, Awaited<ReturnType<F>>>;
export function task<F extends AnyFn>(
  options: TaskOptions,
  fn: F,
): Task<Parameters<F>, Awaited<ReturnType<F>>>;
export function task(a: AnyFn | TaskOptions, b?: AnyFn | TaskOptions): Task<unknown[], unknown> {
  const [fn, options] = typeof a === "function" ? [a, (b ?? {}) as TaskOptions] : [b as AnyFn, a];
  if (typeof fn !== "function") throw new TypeError("task() needs a function");
  const location = callerLocation();
  const name = options.name ?? assignedName(location) ?? (fn.name || "task");
  return makeTask(fn, { ...options, name }, options.module ?? location?.url);
}

function makeTask(
  fn: AnyFn,
  options: TaskOptions,
  moduleUrl: string | undefined,
): Task<unknown[], unknown> {
  const name = options.name ?? (fn.name || "task");
  validateOptions("task", name, options);
  // A task may capture prints inside a flow that does not: the console must be patched.
  if (options.logPrints) captureConsolePrints();
  const spec: TaskSpec = { name, fn, options, moduleUrl };
  registerTask(moduleUrl, name, fn);

  function submitWith(
    args: unknown[],
    submitOptions: CallOptions | undefined,
    mapIndex: number | null,
    key?: string,
  ) {
    const context = currentContext();
    if (!context) {
      throw new TypeError(
        `Cannot submit task "${name}" outside a flow run: call it inside a flow()`,
      );
    }
    const execution = context.execution;
    const future = new TaskFuture<unknown>(name, mapIndex, submitOptions?.detach ?? false);
    const txn = getTransaction();
    txn?._track(future);
    return execution.submitTask(
      spec,
      future,
      args,
      key ?? execution.nextKey(name),
      txn ? { ...submitOptions, transaction: txn } : submitOptions ?? {},
      context.taskRun,
    );
  }

  const callable = (async (...args: unknown[]) => {
    if (currentContext()) return await submitWith(args, undefined, null).result();
    // A task body in a Web Worker calls other tasks as plain functions: its runner records it.
    if (inWebWorker()) return await fn(...args);
    const future = new TaskFuture<unknown>(name, null, false);
    await runStandaloneTask(spec, args, future);
    return await future.result();
  }) as Task<unknown[], unknown>;

  const runWith = async (callOptions: TaskCallOptions, ...args: unknown[]) => {
    checkOptionNames(`runWith() of task "${name}"`, callOptions ?? {}, ["plane"]);
    const future = new TaskFuture<unknown>(name, null, false);
    await runStandaloneTask(spec, args, future, callOptions.plane);
    const state = await future.wait();
    return {
      runId: future.runId!,
      state,
      ...(state.isCompleted() ? { result: state.result() } : {}),
      ...(state.isCompleted() ? {} : { error: state.result({ raiseOnFailure: false }) as Error }),
    };
  };

  const submit = (...args: unknown[]) => {
    const { callArgs, options } = splitCallOptions("submit", name, fn.length, args);
    return submitWith(callArgs, options, null);
  };

  const map = (...args: unknown[]) => {
    const context = currentContext();
    if (!context) throw new TypeError(`Cannot map task "${name}" outside a flow run`);
    const { callArgs: mapArgs, options } = splitCallOptions("map", name, fn.length, args);
    const calls = zipMapArgs(name, mapArgs);
    const key = context.execution.nextKey(name);
    return calls.map((callArgs, index) => submitWith(callArgs, options, index, key));
  };

  Object.defineProperties(callable, {
    taskName: { value: name, enumerable: true },
    options: { value: Object.freeze({ ...options }), enumerable: true },
    fn: { value: fn },
    submit: { value: submit },
    map: { value: map },
    with: { value: (more: TaskOptions) => makeTask(fn, { ...options, ...more }, moduleUrl) },
    runWith: { value: runWith },
    delay: { value: (...args: unknown[]) => delayTask(spec, args) },
    delayWith: {
      value: (callOptions: TaskCallOptions, ...args: unknown[]) => {
        checkOptionNames(`delayWith() of task "${name}"`, callOptions ?? {}, ["plane"]);
        return delayTask(spec, args, callOptions.plane);
      },
    },
  });
  return callable;
}

function zipMapArgs(name: string, args: unknown[]): unknown[][] {
  const iterables = args.map((arg) =>
    arg instanceof Unmapped ? undefined : isIterable(arg) ? [...arg] : undefined
  );
  const lengths = iterables.filter((list) => list !== undefined).map((list) => list!.length);
  if (lengths.length === 0) {
    throw new TypeError(`Cannot map task "${name}": no iterable argument to map over`);
  }
  const length = lengths[0]!;
  if (lengths.some((l) => l !== length)) {
    throw new RangeError(
      `Cannot map task "${name}": iterable arguments have different lengths (${
        lengths.join(", ")
      })`,
    );
  }
  return Array.from({ length }, (_, i) =>
    args.map((arg, j) => {
      if (arg instanceof Unmapped) return arg.value;
      const list = iterables[j];
      return list ? list[i] : arg;
    }));
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && typeof value === "object" && Symbol.iterator in value;
}
