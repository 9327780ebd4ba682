/**
 * Executing one existing flow run of a deployment in this process: what the
 * worker's subprocess does (`ironflow execute-run <run id> --entrypoint
 * <ref>`). The control plane comes from the environment: the server at
 * `IRONFLOW_API_URL`, else the embedded store under `IRONFLOW_HOME`.
 *
 * @module
 */
import { RunNotFoundError, StateType } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import type { Flow } from "./flow_types.ts";
import { callHooks, type HookContext, hooksFor } from "./hooks.ts";
import { allHooks } from "./options.ts";
import { bindParameters } from "./parameters.ts";
import type { FlowRunOutcome } from "./state.ts";
import { proposalFor } from "./run_mirror.ts";
import { moduleUrlOf, splitEntrypoint } from "./_flow_module.ts";

function isFlow(value: unknown): value is Flow<unknown[], unknown> {
  return typeof value === "function" &&
    typeof (value as { flowName?: unknown }).flowName === "string" &&
    typeof (value as { runWith?: unknown }).runWith === "function";
}

/** Imports the entrypoint's module (relative to `cwd`) and returns its flow. */
async function importFlow(
  entrypoint: string,
  cwd: string,
): Promise<Flow<unknown[], unknown>> {
  const { module, name } = splitEntrypoint(entrypoint);
  const url = moduleUrlOf(module, cwd);
  const exports = await import(url) as Record<string, unknown>;
  if (name !== undefined) {
    const value = exports[name];
    if (!isFlow(value)) {
      throw new TypeError(`Entrypoint "${entrypoint}": export "${name}" is not a flow`);
    }
    return value;
  }
  const flows = Object.values(exports).filter(isFlow);
  if (flows.length !== 1) {
    throw new TypeError(
      `Entrypoint "${entrypoint}" must name its flow as "<module>:<export>" (found ${flows.length} flows)`,
    );
  }
  return flows[0]!;
}

/** Options of {@linkcode executeRun}. */
export interface ExecuteRunOptions {
  /** `./flows/etl.ts:etl` or a URL with `:export`. */
  entrypoint: string;
  /** Where relative entrypoints resolve. @default Deno.cwd() */
  cwd?: string;
  /** @default the control plane of the environment */
  plane?: ControlPlane;
}

/** Runs the SCHEDULED or PENDING flow run `runId` with its stored parameters. */
export async function executeRun(
  runId: string,
  options: ExecuteRunOptions,
): Promise<FlowRunOutcome<unknown>> {
  const plane = options.plane ?? getControlPlane();
  // The flow's module loads while the run is fetched: neither waits for the other.
  const importing = importFlow(options.entrypoint, options.cwd ?? Deno.cwd()).then(
    (flow) => ({ flow }),
    (error: unknown) => ({ error }),
  );
  const run = await plane.getRun(runId);
  if (!run) {
    throw new RunNotFoundError(runId, {
      message: `Cannot execute flow run "${runId}": it does not exist`,
    });
  }
  let flow: Flow<unknown[], unknown>;
  let args: unknown[];
  try {
    const imported = await importing;
    if ("error" in imported) throw imported.error;
    flow = imported.flow;
    args = bindParameters(
      flow.fn as (...args: never[]) => unknown,
      run.parameters,
      `flow "${flow.flowName}"`,
    );
  } catch (error) {
    // The flow cannot even start: the run fails with the reason, not a crash.
    const message = error instanceof Error ? error.message : String(error);
    await plane.propose(
      runId,
      proposalFor(runId, run.version, StateType.FAILED, { kind: "fail", data: { message } }),
    );
    await plane.flush();
    throw error;
  }
  const outcome = await flow.runWith({
    plane,
    runId,
    ...(run.deploymentId ? { deploymentId: run.deploymentId } : {}),
  }, ...args);
  await plane.flush();
  return outcome;
}

/** Options of {@linkcode runCrashedHooks}. */
export interface CrashedHooksOptions extends ExecuteRunOptions {
  /** The state the run crashed from (for hooks that name a `from`). @default "RUNNING" */
  from?: StateType;
}

/**
 * Calls the `onCrashed` (and other into-CRASHED transition) hooks of the flow
 * run `runId`, whose process died: what a worker runs in a short process of
 * its own (`ironflow execute-run <run id> --hooks crashed`), as Prefect's
 * runner calls `on_crashed` hooks of a run whose process crashed. Returns
 * how many hooks it called; none unless the run is CRASHED.
 */
export async function runCrashedHooks(
  runId: string,
  options: CrashedHooksOptions,
): Promise<number> {
  const plane = options.plane ?? getControlPlane();
  const run = await plane.getRun(runId);
  if (!run || run.kind !== "flow" || run.state !== StateType.CRASHED) return 0;
  const flow = await importFlow(options.entrypoint, options.cwd ?? Deno.cwd());
  const from = options.from ?? StateType.RUNNING;
  const hooks = hooksFor(allHooks(flow.options), from, StateType.CRASHED);
  const context: HookContext = {
    kind: "flow",
    run,
    flowRunId: run.id,
    taskRunId: null,
    from,
    to: StateType.CRASHED,
    stateName: run.stateName,
    transitionKind: "crash",
    flowName: run.name,
    taskName: null,
    error: new Error(run.message ?? "Flow run crashed"),
  };
  await callHooks(hooks, context, (message) => console.error(message));
  await plane.flush();
  return hooks.length;
}
