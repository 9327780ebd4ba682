/**
 * Retrying a finished flow run: a new attempt of the same lineage, run in
 * this process. Task runs that completed with a stored result (or no result)
 * in an earlier attempt are restored instead of run again.
 *
 * @module
 */
import { RunNotFoundError, type RunRecord, StateType } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import type { Flow } from "./flow_types.ts";
import { bindParameters } from "./parameters.ts";
import { lookupFlow } from "./registry.ts";
import type { FlowRunOutcome } from "./state.ts";

const RETRYABLE: ReadonlySet<string> = new Set([
  StateType.FAILED,
  StateType.CRASHED,
  StateType.CANCELLED,
]);

/** Options of {@linkcode retryFlowRun}. */
export interface RetryFlowRunOptions {
  plane?: ControlPlane;
  /** The flow to run; by default the flow of that name defined in this process. */
  flow?: Flow<never[], unknown>;
  /** Run with other parameters (this disables resume skips). */
  parameters?: unknown;
}

/**
 * Starts a new attempt of a FAILED, CRASHED or CANCELLED flow run and waits
 * for it.
 *
 * @example
 * ```ts
 * import { flow, retryFlowRun } from "./mod.ts";
 * const etl = flow(async () => 1, { persistResult: true });
 * const first = await etl.run();
 * if (first.state.type === "FAILED") await retryFlowRun(first.runId);
 * ```
 */
export async function retryFlowRun(
  runId: string,
  options: RetryFlowRunOptions = {},
): Promise<FlowRunOutcome<unknown>> {
  const plane = options.plane ?? getControlPlane();
  const run = await plane.getRun(runId);
  if (!run || run.kind !== "flow") {
    throw new RunNotFoundError(runId, {
      message: `Cannot retry flow run "${runId}": it does not exist`,
    });
  }
  if (!RETRYABLE.has(run.state)) {
    throw new TypeError(
      `Cannot retry flow run "${runId}": it is "${run.state}"; only FAILED, CRASHED or CANCELLED runs can be retried`,
    );
  }
  const target = (options.flow ?? lookupFlow(run.name)) as Flow<unknown[], unknown> | undefined;
  if (!target) {
    throw new TypeError(
      `Cannot retry flow run "${runId}": flow "${run.name}" is not defined in this process; import its module or pass { flow }`,
    );
  }
  const history = await plane.lineageHistory(run.lineageId);
  const attempt = Math.max(run.attempt, ...history.flowRuns.map((r) => r.attempt)) + 1;
  const args = options.parameters !== undefined
    ? bindParameters(
      target.fn as (...args: never[]) => unknown,
      options.parameters,
      `flow "${run.name}"`,
    )
    : argumentsOf(target, run);
  return await target.runWith({
    plane,
    lineage: { lineageId: run.lineageId, attempt },
    tags: run.tags,
  }, ...args);
}

/** The arguments a run was called with, from its recorded parameters (named or positional). */
function argumentsOf(target: Flow<unknown[], unknown>, run: RunRecord): unknown[] {
  const parameters = run.parameters;
  if (Array.isArray(parameters)) return parameters;
  if (parameters === null || parameters === undefined) return [];
  if (typeof parameters === "object" && "$unserializable" in parameters) {
    throw new TypeError(
      `Cannot retry flow run "${run.id}": its parameters could not be recorded as JSON; pass { parameters }`,
    );
  }
  return bindParameters(
    target.fn as (...args: never[]) => unknown,
    parameters,
    `flow "${run.name}"`,
  );
}
