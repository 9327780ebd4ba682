/**
 * `callOptions()`: the options of one task call (`waitFor`, `detach`), passed
 * as the last argument of `submit()` or `map()`. They are branded so a plain
 * object is always an argument of the task, never mistaken for options.
 *
 * @module
 */
import { AllowFailure, isPlainObject, TaskFuture } from "./future.ts";
import { InvalidOptionError } from "./errors.ts";
import { sameNameFolded, unknownNameHint } from "./option_names.ts";

/** Options of one `submit()` or `map()` call. */
export interface SubmitOptions {
  /**
   * Futures that must finish first; their values are not passed (Prefect's
   * `wait_for`). One wrapped in `allowFailure()` may fail without cancelling the call.
   */
  waitFor?: Iterable<TaskFuture<unknown> | AllowFailure<unknown>>;
  /** A detached task run does not count towards the flow's final state. @default false */
  detach?: boolean;
}

const OPTION_KEYS: ReadonlySet<string> = new Set(["waitFor", "detach"]);

/** Checked options of one task call; made by {@linkcode callOptions}. */
export class CallOptions {
  readonly waitFor: readonly TaskFuture<unknown>[];
  readonly detach: boolean;
  /** The futures of `waitFor` that were wrapped in `allowFailure()`. */
  readonly allowFailed: readonly TaskFuture<unknown>[];

  /** Use {@linkcode callOptions}, which checks its input. */
  constructor(
    waitFor: readonly TaskFuture<unknown>[],
    detach: boolean,
    allowFailed: readonly TaskFuture<unknown>[] = [],
  ) {
    this.waitFor = waitFor;
    this.detach = detach;
    this.allowFailed = allowFailed;
    Object.freeze(this);
  }
}

/**
 * Options of one task call, for the last argument of `submit()` or `map()`.
 *
 * @example
 * ```ts
 * import { callOptions, flow, task } from "./mod.ts";
 * const extract = task(async () => [1, 2, 3]);
 * const audit = task(async (x: number) => x);
 * export const etl = flow(async () => {
 *   const rows = extract.submit();
 *   // Each audit run starts after `rows` finished; 1, 2 and 3 are its only arguments.
 *   return await Promise.all(audit.map([1, 2, 3], callOptions({ waitFor: [rows] })));
 * });
 * ```
 */
export function callOptions(options: SubmitOptions): CallOptions {
  if (!isPlainObject(options)) {
    throw new TypeError(`callOptions() needs an object like { waitFor, detach }`);
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
  if (unknown.length > 0) {
    throw new InvalidOptionError(
      `Unknown task call option "${unknown[0]}": ${unknownNameHint(unknown[0]!, [...OPTION_KEYS])}`,
    );
  }
  const { waitFor = [], detach = false } = options;
  const iterable = waitFor !== null && typeof waitFor === "object" && Symbol.iterator in waitFor;
  const list: unknown[] = iterable ? [...waitFor as Iterable<unknown>] : [0];
  if (!list.every((future) => future instanceof TaskFuture || future instanceof AllowFailure)) {
    throw new TypeError("waitFor must be a list of task futures");
  }
  const allowed = list.filter((item) => item instanceof AllowFailure).map((item) => item.future);
  if (typeof detach !== "boolean") {
    throw new TypeError(`detach must be true or false, got ${String(detach)}`);
  }
  const futures = list.map((item) => item instanceof AllowFailure ? item.future : item);
  return new CallOptions(futures as TaskFuture<unknown>[], detach, allowed);
}

/**
 * Splits the trailing `callOptions()` off a `submit()`/`map()` call. A last
 * plain object shaped like options, beyond what the function declares, is
 * refused: it used to be read as options, and silently passing it on would
 * drop its `waitFor`.
 */
export function splitCallOptions(
  method: "submit" | "map",
  taskName: string,
  arity: number,
  args: readonly unknown[],
): { callArgs: unknown[]; options: CallOptions | undefined } {
  const last = args.at(-1);
  if (last instanceof CallOptions) {
    const callArgs = args.slice(0, -1);
    if (callArgs.some((arg) => arg instanceof CallOptions)) {
      throw new TypeError(`Cannot ${method} task "${taskName}": pass callOptions() only once`);
    }
    return { callArgs, options: last };
  }
  if (args.some((arg) => arg instanceof CallOptions)) {
    throw new TypeError(
      `Cannot ${method} task "${taskName}": callOptions() must be the last argument`,
    );
  }
  if (
    args.length > arity && isPlainObject(last) && Object.keys(last).length > 0 &&
    Object.keys(last).every((key) => sameNameFolded(key, [...OPTION_KEYS]) !== undefined)
  ) {
    throw new TypeError(
      `Cannot ${method} task "${taskName}": its last argument looks like call options ` +
        `(${Object.keys(last).join(", ")}); pass them as callOptions({ ... }), ` +
        "or end the call with callOptions({}) to pass the object as an argument",
    );
  }
  return { callArgs: [...args], options: undefined };
}
