/**
 * Options shared by flows and tasks, and their validation.
 *
 * @module
 */
import { type Json, StateType } from "../engine/mod.ts";
import type { CachePolicy } from "./cache_policies.ts";
import { InvalidOptionError } from "./errors.ts";
import { checkOptionNames, FLOW_OPTION_NAMES, TASK_OPTION_NAMES } from "./option_names.ts";
import { type HookContext, onTransition, type TransitionHook } from "./hooks.ts";
import type { RetryDelay } from "./retry.ts";
import type { TaskRunner } from "./runners.ts";
import type { TransactionHook } from "./transaction_hooks.ts";
import type { RunNameOption } from "./run_names.ts";
import type { ResultSerializer } from "./results.ts";

/** A Prefect-style state hook (`onCompletion`, `onFailure`, ...). */
export type StateHook = (context: HookContext) => void | Promise<void>;

/** Options flows and tasks share. */
export interface RunOptions {
  /** Name shown in the UI and used to match planned nodes. @default the function's name */
  name?: string;
  description?: string;
  tags?: readonly string[];
  /** Retries after a failed attempt. @default 0 */
  retries?: number;
  /** Seconds between attempts: a number, one per retry, or a function of the attempt. @default 0 */
  retryDelaySeconds?: RetryDelay;
  /** Adds up to this fraction of the delay at random. @default 0 */
  retryJitterFactor?: number;
  /** Whether an error is worth retrying. @default always */
  retryCondition?: (error: Error, attempt: number) => boolean | Promise<boolean>;
  /** Fails the attempt as FAILED "TimedOut" after this many seconds. */
  timeoutSeconds?: number;
  transitionHooks?: readonly TransitionHook[];
  onCompletion?: StateHook | readonly StateHook[];
  onFailure?: StateHook | readonly StateHook[];
  onCancellation?: StateHook | readonly StateHook[];
  onCrashed?: StateHook | readonly StateHook[];
  onRunning?: StateHook | readonly StateHook[];
  /** Stores `console.log`/`console.info` output of the run as INFO logs. @default false */
  logPrints?: boolean;
  /**
   * Records the return value durably (inline up to 64 KiB, else in the result
   * store) so a retried flow run can restore it instead of running again. A
   * flow's setting is the default of its tasks. @default `IRONFLOW_PERSIST_RESULTS` or false
   */
  persistResult?: boolean;
  /**
   * How results become bytes: `json`, or `structured-clone` for Dates, Maps,
   * Sets, typed arrays and cycles. Setting it persists results. A flow's
   * setting is the default of its tasks. @default "json"
   */
  resultSerializer?: ResultSerializer;
  /**
   * A folder for this flow's or task's stored results instead of the control
   * plane's result store. Setting it persists results. @default the control plane's store
   */
  resultStorage?: string;
}

/** Options of `task()`. */
export interface TaskOptions extends RunOptions {
  /** Which parts of a call make its cache key (`INPUTS`, `TASK_SOURCE`, ... combined with `.add`). */
  cachePolicy?: CachePolicy;
  /** Computes the cache key of a call; overrides `cachePolicy`. Return `undefined` not to cache. */
  cacheKeyFn?: (context: {
    taskName: string;
    args: readonly unknown[];
    flowRunId: string;
    parameters: Json;
  }) => string | number | undefined | null;
  /** Seconds a cached result stays valid. @default forever */
  cacheExpiration?: number;
  /** Run even on a cache hit, and store the new result. @default false */
  refreshCache?: boolean;
  /** Name of each task run: a template over its arguments (`"fetch-{url}"`) or a function of them. @default `name-n` */
  taskRunName?: RunNameOption;
  /** Called when the transaction the task run completed in commits (`transaction()`). */
  onCommit?: TransactionHook | readonly TransactionHook[];
  /** Called, newest task first, when the transaction it completed in rolls back. */
  onRollback?: TransactionHook | readonly TransactionHook[];
  /**
   * URL of the module that defines the task, for the worker runner. Found
   * from the call stack when omitted; pass `import.meta.url` to be explicit.
   */
  module?: string;
}

/** Options of `flow()`. */
export interface FlowOptions extends RunOptions {
  /** The flow's version, recorded on each of its runs and shown on the run page. */
  version?: string;
  /** Name of each flow run: a template over its parameters (`"{region}-{date}"`) or a function of them. @default a friendly name */
  flowRunName?: RunNameOption;
  /** Where task bodies run. @default `IRONFLOW_TASK_RUNNER` or a ConcurrentTaskRunner */
  taskRunner?: TaskRunner | (() => TaskRunner);
  /**
   * How strictly runs follow the flow's static plan: `auto` (static when the
   * plan needs no fallback), `static` (refuse to start otherwise; unplanned
   * task calls raise), `dynamic` (no plan). @default "auto"
   */
  graphMode?: "auto" | "static" | "dynamic";
  /**
   * How the engine decides the flow run's final state: `waitAll` folds every
   * child's state into it (a failed or unfinished child fails the flow);
   * `explicit` lets the body decide; `prefect` is Prefect 3's rule (a raised
   * error fails the flow, a returned state or a returned list holding a failed
   * state decides, anything else completes). @default "waitAll"
   */
  finalState?: "waitAll" | "explicit" | "prefect";
  /**
   * JSON Schema of the flow's named parameters. Checked (with the
   * deployments' validator) when a run starts through a deployment or
   * `serve()`, and by `flow.bindParameters`; `serve()` registers it as the
   * deployment's `parameter_schema` unless one is given. It must be an object
   * when the flow is defined; it is compiled when first needed (the
   * validator loads on demand), so a schema that does not compile refuses
   * the flow's first run, `bindParameters`, `serve()` and `deploy()` (a
   * deployment's run of it fails at start with the reason).
   */
  parameters?: { [key: string]: Json };
}

const STATE_HOOK_EDGES = {
  onCompletion: StateType.COMPLETED,
  onFailure: StateType.FAILED,
  onCancellation: StateType.CANCELLED,
  onCrashed: StateType.CRASHED,
  onRunning: StateType.RUNNING,
} as const;

/** Every hook of `options`, Prefect-style state hooks included (they never rewrite, and see only committed states). */
export function allHooks(options: RunOptions): TransitionHook[] {
  const hooks = [...(options.transitionHooks ?? [])];
  for (const [key, to] of Object.entries(STATE_HOOK_EDGES)) {
    const value = options[key as keyof typeof STATE_HOOK_EDGES];
    const list = value === undefined ? [] : typeof value === "function" ? [value] : value;
    for (const hook of list) {
      // Prefect calls a state hook once the run entered its state: after the commit, so
      // onFailure never sees a failed attempt the engine turned into AwaitingRetry.
      hooks.push({
        ...onTransition(async (context) => {
          await hook(context);
        }, { to }),
        committedOnly: true,
      });
    }
  }
  return hooks;
}

/** A task's result serializer and storage, its flow's as defaults. */
export function resultOptionsOf(task: RunOptions, flow: RunOptions): RunOptions {
  const serializer = task.resultSerializer ?? flow.resultSerializer;
  const storage = task.resultStorage ?? flow.resultStorage;
  return {
    ...(serializer ? { resultSerializer: serializer } : {}),
    ...(storage ? { resultStorage: storage } : {}),
  };
}

/** Checks options and throws `InvalidOptionError` naming the bad one. */
export function validateOptions(kind: "flow" | "task", name: string, options: RunOptions): void {
  const fail = (message: string): never => {
    throw new InvalidOptionError(`Invalid option of ${kind} "${name}": ${message}`);
  };
  const known = kind === "flow" ? FLOW_OPTION_NAMES : TASK_OPTION_NAMES;
  const other = kind === "flow" ? TASK_OPTION_NAMES : FLOW_OPTION_NAMES;
  const elsewhere = Object.fromEntries(
    other.filter((key) => !(known as readonly string[]).includes(key))
      .map((key) => [key, `it is an option of ${kind === "flow" ? "task" : "flow"}()`]),
  );
  checkOptionNames(`${kind} "${name}"`, options, known, elsewhere);
  if (options.name !== undefined && (typeof options.name !== "string" || options.name === "")) {
    fail("name must be a non-empty string");
  }
  if (
    options.retries !== undefined && (!Number.isInteger(options.retries) || options.retries < 0)
  ) {
    fail(`retries must be a whole number of 0 or more, got ${options.retries}`);
  }
  if (
    options.timeoutSeconds !== undefined &&
    !(typeof options.timeoutSeconds === "number" && options.timeoutSeconds > 0)
  ) {
    fail(`timeoutSeconds must be a number above 0, got ${options.timeoutSeconds}`);
  }
  const jitter = options.retryJitterFactor;
  if (jitter !== undefined && !(typeof jitter === "number" && jitter >= 0)) {
    fail(`retryJitterFactor must be 0 or more, got ${jitter}`);
  }
  const delay = options.retryDelaySeconds;
  if (
    delay !== undefined && typeof delay !== "function" &&
    !(typeof delay === "number" && delay >= 0) &&
    !(Array.isArray(delay) && delay.every((d) => typeof d === "number" && d >= 0))
  ) {
    fail("retryDelaySeconds must be seconds (0 or more), a list of them, or a function");
  }
  if (options.tags !== undefined && !options.tags.every((tag) => typeof tag === "string")) {
    fail("tags must be strings");
  }
  const version = (options as FlowOptions).version;
  if (version !== undefined && !(typeof version === "string" && version !== "")) {
    fail("version must be a non-empty string");
  }
  const serializer = options.resultSerializer;
  if (serializer !== undefined && serializer !== "json" && serializer !== "structured-clone") {
    fail(`resultSerializer must be "json" or "structured-clone", got "${serializer}"`);
  }
  if (
    options.resultStorage !== undefined &&
    !(typeof options.resultStorage === "string" && options.resultStorage !== "")
  ) {
    fail("resultStorage must be a folder path");
  }
  for (const key of ["flowRunName", "taskRunName"] as const) {
    const value = (options as TaskOptions & FlowOptions)[key];
    if (
      value !== undefined && !(typeof value === "function" || (typeof value === "string" && value))
    ) {
      fail(`${key} must be a template string or a function`);
    }
  }
  for (const hook of ["onCommit", "onRollback"] as const) {
    const value = (options as TaskOptions)[hook];
    const list = typeof value === "function" ? [value] : value;
    if (
      list !== undefined && !(Array.isArray(list) && list.every((h) => typeof h === "function"))
    ) {
      fail(`${hook} must be a function or a list of functions`);
    }
  }
}
