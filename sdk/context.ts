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
import type { FlowRunExecution } from "./flow_run.ts";

/** What user code can learn about the run it is part of. */
export interface RunContext {
  readonly flowRun: { readonly id: string; readonly name: string; readonly parameters: Json };
  readonly taskRun?: { readonly id: string; readonly name: string; readonly attempt: number };
  /** Aborts when the run is cancelled or times out. */
  readonly signal: AbortSignal;
}

/** The SDK's internal view: the public context plus the execution it belongs to. */
export interface InternalContext extends RunContext {
  readonly execution: FlowRunExecution;
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
