/**
 * `runDeployment()`: start a run of a deployment — from a script, or from
 * inside a flow as a deployment-backed subflow that a worker (or `serve()`)
 * executes — and get a future of the child run.
 *
 * @module
 */
import { isTerminal, type Json, type RunRecord, StateName, StateType } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { currentContext } from "./context.ts";
import { FlowRunError } from "./errors.ts";
import { TaskFuture } from "./future.ts";
import type { JobVariables } from "../engine/deployments/mod.ts";
import { decodeResult, storedResultOf } from "./results.ts";

/** Options of {@linkcode runDeployment}. */
export interface RunDeploymentOptions {
  /** Do not wait for the child; it does not count towards the parent's final state. @default false */
  detach?: boolean;
  /**
   * The same key returns the same run. Inside a flow the default is derived
   * from the parent run and the call, so a replayed parent does not start a
   * second child.
   */
  idempotencyKey?: string;
  tags?: readonly string[];
  /** When the child should start (epoch ms). @default now */
  scheduledTime?: number;
  /**
   * Job variables of the child run over its deployment's and pool's (`env`,
   * `working_directory`, `command_prefix`), as Prefect's `job_variables`.
   */
  jobVariables?: JobVariables;
  /**
   * Also poll the child's state this often. The child's events settle the
   * future as they commit, so this is only a fallback. @default no polling
   */
  pollMs?: number;
  /** @default the current run's control plane, or the default one */
  plane?: ControlPlane;
}

/** A future of a deployment's run; `runId` is set once the run exists. */
export type DeploymentRunFuture<T> = TaskFuture<T> & { readonly run: Promise<RunRecord> };

/**
 * Creates a run of deployment `name` with `parameters` and returns a future
 * that settles with the child's final state (its result when the child
 * persisted it). Detached futures settle once the run exists.
 *
 * @example
 * ```ts
 * import { flow } from "./mod.ts";
 * import { runDeployment } from "./run_deployment.ts";
 * export const parent = flow({ name: "parent" }, async () => {
 *   const child = runDeployment("etl-daily", { day: "2024-05-01" });
 *   return (await child.wait()).type; // "COMPLETED" once a worker ran it
 * });
 * ```
 */
export function runDeployment<T = unknown>(
  name: string,
  parameters: { [key: string]: Json } = {},
  options: RunDeploymentOptions = {},
): DeploymentRunFuture<T> {
  const context = currentContext();
  const plane = options.plane ?? context?.plane ?? getControlPlane();
  const detach = options.detach ?? false;
  const future = new TaskFuture<T>(name, null, detach) as DeploymentRunFuture<T>;
  if (context && !detach) context.execution.children.push(future as TaskFuture<unknown>);
  const key = options.idempotencyKey ??
    (context
      ? `${context.flowRun.id}:${context.execution.nextKey(`deployment:${name}`)}`
      : undefined);
  const run = (async () => {
    const client = plane.deployments;
    if (!client) throw new TypeError("This control plane cannot run deployments");
    const created = await client.run(name, {
      parameters,
      ...(key !== undefined ? { idempotencyKey: key } : {}),
      ...(options.tags ? { tags: options.tags } : {}),
      ...(options.scheduledTime !== undefined ? { scheduledTime: options.scheduledTime } : {}),
      ...(options.jobVariables ? { jobVariables: options.jobVariables } : {}),
      ...(context ? { parentRunId: context.flowRun.id } : {}),
    });
    future._setRunId(created.id);
    return created;
  })();
  Object.defineProperty(future, "run", { value: run });
  run.then(
    (created) => detach ? settleNow(future, created) : follow(plane, future, created, options),
    (error: Error) =>
      future._settle({
        state: { type: StateType.CRASHED, name: StateName.Crashed, message: error.message },
        error,
      }),
  );
  return future;
}

function stateOf(run: RunRecord) {
  return { type: run.state, name: run.stateName, message: run.message };
}

function settleNow<T>(future: TaskFuture<T>, run: RunRecord): void {
  future._settle({ state: stateOf(run), value: undefined as T });
}

// Watches the child's events until it is final, then settles the future. The
// state is read once the watch is live, for a child that ended before.
function follow<T>(
  plane: ControlPlane,
  future: TaskFuture<T>,
  run: RunRecord,
  options: RunDeploymentOptions,
): Promise<void> {
  return new Promise<void>((resolve) => {
    let settled = false;
    let result: Json | undefined;
    const finish = async (final: RunRecord) => {
      if (settled) return;
      settled = true;
      stop();
      clearInterval(timer);
      const state = stateOf(final);
      if (final.state === StateType.COMPLETED) {
        const stored = result === undefined ? undefined : storedResultOf({ result });
        let value: unknown;
        try {
          value = stored ? await decodeResult(stored, plane.results) : undefined;
        } catch {
          value = undefined;
        }
        future._settle({ state, value: value as T });
      } else {
        future._settle({
          state,
          error: new FlowRunError(
            `Deployment run "${final.runName}" ended ${final.state}${
              final.message ? `: ${final.message}` : ""
            }`,
            final.id,
            final.state,
          ),
        });
      }
      resolve();
    };
    const check = async () => {
      const current = await plane.getRun(run.id).catch(() => undefined);
      if (current && isTerminal(current.state)) await finish(current);
    };
    const stop = plane.watch(run.id, (event) => {
      if (event.to === StateType.COMPLETED && event.data?.["result"] !== undefined) {
        result = event.data["result"];
      }
      if (isTerminal(event.to)) void check();
    });
    const timer = options.pollMs === undefined
      ? undefined
      : setInterval(() => void check(), options.pollMs);
    if (isTerminal(run.state)) void finish(run);
    else void Promise.resolve(plane.watchesLive?.()).then(check, check);
  });
}
