/**
 * The run context: which flow run and task run the current code belongs to.
 * Carried through `await` by `AsyncLocalStorage`.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Json } from "../engine/mod.ts";
import type { ControlPlane } from "./control_plane.ts";
import { MissingContextError } from "./errors.ts";
import type { TaskFuture } from "./future.ts";
import type { RunMirror } from "./run_mirror.ts";
import type { TaskSpec } from "./run_specs.ts";
import type { TransactionMembership } from "./transaction_hooks.ts";

/** What user code can learn about the run it is part of. */
export interface RunContext {
  readonly flowRun: { readonly id: string; readonly name: string; readonly parameters: Json };
  readonly taskRun?: { readonly id: string; readonly name: string; readonly attempt: number };
  /** Aborts when the run is cancelled or times out. */
  readonly signal: AbortSignal;
}

/**
 * What code inside a flow run reaches of the execution it runs in (tasks,
 * subflows, gates, deployments submit through it). `FlowRunExecution`
 * implements it; naming it here keeps this module free of the execution.
 */
export interface RunExecution {
  readonly mirror: RunMirror;
  /** Set by the execution of a task called outside a flow: `mirror` then stands for no flow run. */
  readonly standalone?: boolean;
  readonly plane: ControlPlane;
  readonly signal: AbortSignal;
  /** Futures of the current attempt's task runs and subflows. */
  readonly children: TaskFuture<unknown>[];
  /** Stable key of the next call of `name` in this attempt: `name#n`. */
  nextKey(name: string): string;
  /** Starts one task run; returns its future at once. */
  submitTask<T>(
    spec: TaskSpec,
    future: TaskFuture<T>,
    args: unknown[],
    key: string,
    options: {
      readonly waitFor?: readonly TaskFuture<unknown>[];
      readonly allowFailed?: readonly TaskFuture<unknown>[];
      /** The transaction the call was made in. */
      readonly transaction?: TransactionMembership;
    },
    parentTaskRun: RunContext["taskRun"],
  ): TaskFuture<T>;
  warn(message: string, taskRunId?: string | null): void;
  /** Whether a gate with this key was passed in an earlier attempt. */
  resumedGate(key: string, inputs: string): boolean;
  /** A gate starts waiting: the flow run shows PAUSED while any gate waits. */
  enterGate(name: string): Promise<void>;
  /** A gate opened: the flow run is RUNNING again once no gate waits. */
  leaveGate(name: string): Promise<void>;
}

/** The SDK's internal view: the public context plus the execution it belongs to. */
export interface InternalContext extends RunContext {
  readonly execution: RunExecution;
  readonly plane: ControlPlane;
  readonly logPrints: boolean;
}

const storage = new AsyncLocalStorage<InternalContext>();

/** Runs `fn` with `context` as the current run context. */
export function withContext<T>(context: InternalContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current internal context, or `undefined` outside runs. */
export function currentContext(): InternalContext | undefined {
  return storage.getStore();
}

/**
 * The context of the flow or task run this code runs in.
 *
 * @example
 * ```ts
 * import { flow, getRunContext } from "./mod.ts";
 * const hello = flow(async () => getRunContext().flowRun.id);
 * ```
 * @throws {MissingContextError} outside a run
 */
export function getRunContext(): RunContext {
  const context = storage.getStore();
  if (!context) throw new MissingContextError();
  const { flowRun, signal } = context;
  return context.taskRun ? { flowRun, taskRun: context.taskRun, signal } : { flowRun, signal };
}
