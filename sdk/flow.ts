/**
 * `flow()`: turns an async function into a flow whose calls become flow
 * runs, executed in this process.
 *
 * @module
 */
import type { Flow, FlowCallOptions } from "./flow_types.ts";
import type { FlowServeOptions, ServeOptions } from "./serve_options.ts";
import type { DeployOptions } from "./deploy.ts";

export type { Flow, FlowCallOptions };
import type { Json, RunRecord } from "../engine/mod.ts";
import { RunNotFoundError, uuidv7 } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { currentContext } from "./context.ts";
import { CancelledError, InvalidOptionError } from "./errors.ts";
import {
  loadSchemaSupport,
  parameterProblems,
  schemaProblems,
} from "../engine/deployments/parameters.ts";
import { FlowRunExecution } from "./flow_run.ts";
import type { FlowSpec } from "./run_specs.ts";
import { TaskFuture } from "./future.ts";
import { captureConsolePrints } from "./logger.ts";
import { type FlowOptions, validateOptions } from "./options.ts";
import { checkOptionNames } from "./option_names.ts";
import { proposalFor } from "./run_mirror.ts";
import { asRecord, friendlyRunName, renderRunName } from "./run_names.ts";
import { withScopeTags } from "./tags.ts";
import { registerFlow } from "./registry.ts";
import { bindParameters, namedParameters } from "./parameters.ts";
import { trackExecution } from "./executions.ts";
import { keepAlive } from "./liveness.ts";
import { assignedName, callerLocation } from "./source_names.ts";
import { ConcurrentTaskRunner, runnerFromEnv, type TaskRunner } from "./runners.ts";
import { type FlowRunOutcome, type RunOutcome, withStateValue } from "./state.ts";

const FLOW_CALL_OPTION_NAMES = ["plane", "runId", "tags", "deploymentId", "lineage"];

// deno-lint-ignore no-explicit-any
type AnyFn = (...args: any[]) => any;

/**
 * Defines a flow.
 *
 * @example
 * ```ts
 * import { flow, task } from "./mod.ts";
 * const inc = task(async (x: number) => x + 1);
 * const pipeline = flow({ name: "pipeline" }, async (n: number) => await inc(n));
 * // await pipeline(1) === 2, recorded as a flow run with one task run
 * ```
 */
export function flow<F extends AnyFn>(
  fn: F,
  options?: FlowOptions,
): Flow<Parameters<F>, Awaited<ReturnType<F>>>;
export function flow<F extends AnyFn>(
  options: FlowOptions,
  fn: F,
): Flow<Parameters<F>, Awaited<ReturnType<F>>>;
export function flow(a: AnyFn | FlowOptions, b?: AnyFn | FlowOptions): Flow<unknown[], unknown> {
  const [fn, options] = typeof a === "function" ? [a, (b ?? {}) as FlowOptions] : [b as AnyFn, a];
  if (typeof fn !== "function") throw new TypeError("flow() needs a function");
  const location = callerLocation();
  const name = options.name ?? assignedName(location) ?? (fn.name || "flow");
  return makeFlow(fn, { ...options, name }, location?.url);
}

function makeFlow(
  fn: AnyFn,
  options: FlowOptions,
  moduleUrl: string | undefined,
): Flow<unknown[], unknown> {
  const name = options.name ?? (fn.name || "flow");
  validateOptions("flow", name, options);
  if (
    options.finalState !== undefined &&
    !["waitAll", "explicit", "prefect"].includes(options.finalState)
  ) {
    throw new InvalidOptionError(
      `Invalid option of flow "${name}": finalState must be "waitAll", "explicit" or "prefect"`,
    );
  }
  if (
    options.graphMode !== undefined && !["auto", "static", "dynamic"].includes(options.graphMode)
  ) {
    throw new TypeError(
      `Invalid option of flow "${name}": graphMode must be "auto", "static" or "dynamic"`,
    );
  }
  if (options.parameters !== undefined) {
    const schema: unknown = options.parameters;
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
      throw new InvalidOptionError(
        `Invalid option of flow "${name}": parameters: parameter schema must be a JSON schema object`,
      );
    }
    // The schema compiles once the validator is loaded (see usableSchema);
    // start loading it now so that the first run need not wait.
    loadSchemaSupport().catch(() => {});
  }
  const spec: FlowSpec = { name, fn, options, moduleUrl };

  const runWith = (callOptions: FlowCallOptions, ...args: unknown[]) => {
    checkOptionNames(`runWith() of flow "${name}"`, callOptions ?? {}, FLOW_CALL_OPTION_NAMES);
    return runFlow(spec, args, callOptions);
  };
  const callable = (async (...args: unknown[]) => {
    const outcome = await runFlow(spec, args, {});
    if (outcome.error) throw outcome.error;
    return outcome.result;
  }) as Flow<unknown[], unknown>;
  Object.defineProperties(callable, {
    flowName: { value: name, enumerable: true },
    options: { value: Object.freeze({ ...options }), enumerable: true },
    fn: { value: fn },
    run: { value: (...args: unknown[]) => runWith({}, ...args) },
    runWith: { value: runWith },
    bindParameters: {
      value: async (parameters: unknown) => {
        await usableSchema(spec);
        checkParameters(name, options.parameters, parameters);
        return bindParameters(fn, parameters, `flow "${name}"`);
      },
    },
    with: { value: (more: FlowOptions) => makeFlow(fn, { ...options, ...more }, moduleUrl) },
    // Loaded on demand: serving pulls in deployments and schedules.
    serve: {
      value: (more: FlowServeOptions & ServeOptions = {}) =>
        usableSchema(spec).then(() => import("./serve.ts")).then((m) =>
          m.serveFlow(callable as unknown as Flow<never[], unknown>, more)
        ),
    },
    deploy: {
      value: (more: DeployOptions = {}) =>
        usableSchema(spec).then(() => import("./deploy.ts")).then((m) =>
          m.deployFlow(callable as unknown as Flow<never[], unknown>, moduleUrl, more)
        ),
    },
  });
  registerFlow(name, callable);
  return callable;
}

function makeRunner(options: FlowOptions): TaskRunner {
  const configured = options.taskRunner;
  if (typeof configured === "function") return configured();
  return configured ?? runnerFromEnv() ?? new ConcurrentTaskRunner();
}

// Flows whose `parameters` schema compiled; a flow without one never waits.
const usableSchemas = new WeakSet<FlowSpec>();

/**
 * Compiles a flow's `parameters` schema with the deployments' validator
 * (loading it the first time): an unusable schema refuses the flow's first
 * run, `bindParameters`, `serve()` and `deploy()` with the same
 * `InvalidOptionError`, before anything is recorded.
 */
async function usableSchema(spec: FlowSpec): Promise<void> {
  if (spec.options.parameters === undefined || usableSchemas.has(spec)) return;
  await loadSchemaSupport();
  const problems = schemaProblems(spec.options.parameters);
  if (problems.length > 0) {
    throw new InvalidOptionError(
      `Invalid option of flow "${spec.name}": parameters: ${problems.join("; ")}`,
    );
  }
  usableSchemas.add(spec);
}

async function runFlow(
  spec: FlowSpec,
  args: unknown[],
  callOptions: FlowCallOptions,
): Promise<FlowRunOutcome<unknown>> {
  // A schema that does not compile refuses a new run before it is recorded;
  // an existing run (a deployment's, a retry) fails with the reason below.
  let unusableSchema: Error | undefined;
  if (spec.options.parameters !== undefined) {
    try {
      await usableSchema(spec);
    } catch (error) {
      if (callOptions.runId === undefined) throw error;
      unusableSchema = error as Error;
    }
  }
  const parent = currentContext();
  const plane = callOptions.plane ?? parent?.plane ?? getControlPlane();
  if (spec.options.logPrints) captureConsolePrints();
  const parentRun = parent?.execution.mirror.run;
  let run: RunRecord;
  if (callOptions.runId !== undefined) {
    const existing = await plane.getRun(callOptions.runId);
    if (!existing) {
      throw new RunNotFoundError(callOptions.runId, {
        message: `Cannot start flow run "${callOptions.runId}": it does not exist`,
      });
    }
    run = existing;
  } else {
    const id = uuidv7();
    run = await plane.createRun({
      id,
      kind: "flow",
      name: spec.name,
      runName: spec.options.flowRunName === undefined ? friendlyRunName(id) : renderRunName(
        spec.options.flowRunName,
        asRecord(namedParameters(spec.fn, args)),
        `flow "${spec.name}"`,
      ),
      parameters: flowParameters(spec.fn, args),
      tags: withScopeTags([
        ...new Set([...(spec.options.tags ?? []), ...(callOptions.tags ?? [])]),
      ]),
      ...(callOptions.deploymentId ? { deploymentId: callOptions.deploymentId } : {}),
      ...(spec.options.version ? { flowVersion: spec.options.version } : {}),
      ...(callOptions.lineage ? callOptions.lineage : {}),
      ...(parentRun
        ? {
          parentId: parentRun.id,
          rootId: parentRun.rootId,
          depth: parentRun.depth + 1,
          // A subflow's lineage follows its parent's, so a retried parent resumes it too.
          lineageId: `${parentRun.lineageId}/${parent!.execution.nextKey(`subflow:${spec.name}`)}`,
          attempt: parentRun.attempt,
          ...(parent?.taskRun ? { parentTaskRunId: parent.taskRun.id } : {}),
        }
        : {}),
    });
  }
  if (unusableSchema !== undefined) {
    return withStateValue(await failBeforeStart(plane, run, unusableSchema));
  }
  if (callOptions.runId !== undefined && (callOptions.deploymentId ?? run.deploymentId)) {
    // A deployment's run starts here: its stored parameters must fit the flow's schema.
    try {
      checkParameters(spec.name, spec.options.parameters, run.parameters);
    } catch (error) {
      return withStateValue(await failBeforeStart(plane, run, error as Error));
    }
  }
  const runner = makeRunner(spec.options);
  const execution = new FlowRunExecution(run, plane, spec, runner);

  // A subflow is a child of its parent: it counts towards the parent's final state.
  let handle: TaskFuture<unknown> | undefined;
  if (parent) {
    handle = new TaskFuture(spec.name, null, false);
    handle._setRunId(run.id);
    parent.execution.children.push(handle);
  }
  const stopWatching = plane.watch(run.id, (event) => {
    // Others (operators, the server) move this run too: keep the mirror current.
    execution.mirror.observe(event);
    if (event.kind === "operator_pause_drain") execution.drain();
    if (event.kind === "operator_pause_terminate") execution.terminate();
    if (event.kind === "operator_resume") execution.undrain();
    if (event.to === "CANCELLING" && event.kind !== "start") {
      const message = typeof event.data?.["message"] === "string"
        ? event.data["message"]
        : "cancelled by request";
      execution.cancel(new CancelledError(message as string));
    }
  });
  const untrack = trackExecution(run.id, execution);
  const stopHeartbeats = keepAlive(plane, run.id, (answer) => {
    // News the watch may not carry (another process, a lost stream): a cancel
    // in progress, or a run that ended without this process (fenced).
    if (answer.stop) {
      execution.cancel(
        new CancelledError(`Flow run ended elsewhere as "${answer.state ?? "deleted"}"`),
      );
    } else if (answer.state === "CANCELLING") {
      execution.cancel(new CancelledError("cancelled by request"));
    }
  });
  const onParentAbort = () => execution.cancel(asCancel(parent!.signal.reason));
  parent?.signal.addEventListener("abort", onParentAbort, { once: true });
  try {
    const outcome = await execution.execute(args);
    handle?._settle(
      outcome.error
        ? { state: outcome.state, error: outcome.error }
        : { state: outcome.state, value: outcome.result },
    );
    return withStateValue(outcome);
  } catch (error) {
    handle?._settle({
      state: { type: "CRASHED", name: "Crashed", message: String(error) },
      error: error as Error,
    });
    throw error;
  } finally {
    stopHeartbeats();
    untrack();
    stopWatching();
    parent?.signal.removeEventListener("abort", onParentAbort);
    runner.close?.();
  }
}

/** Parameters that do not fit a flow's `parameters` schema. */
export class InvalidParametersError extends TypeError {
  override name = "InvalidParametersError";
  /** Every problem, `path: message`, as the deployments' validator words them. */
  readonly problems: string[];
  constructor(message: string, problems: string[]) {
    super(message);
    this.problems = problems;
  }
}

/**
 * Checks named parameters (an object) against a flow's `parameters` schema
 * with the deployments' validator; throws {@linkcode InvalidParametersError}
 * naming each bad path. Positional (array) parameters are not checked.
 */
function checkParameters(
  flowName: string,
  schema: Json | undefined,
  parameters: unknown,
): void {
  if (schema === undefined || schema === null) return;
  if (parameters === undefined || parameters === null) parameters = {};
  if (typeof parameters !== "object" || Array.isArray(parameters)) return;
  const problems = parameterProblems(schema, parameters as Json);
  if (problems.length === 0) return;
  throw new InvalidParametersError(
    `Invalid parameters for flow "${flowName}": ${problems.join("; ")}`,
    problems,
  );
}

async function failBeforeStart(
  plane: ControlPlane,
  run: RunRecord,
  error: Error,
): Promise<RunOutcome<unknown>> {
  let version = run.version;
  if (run.state === "SCHEDULED") {
    // SCHEDULED cannot fail directly: the run is taken (PENDING), then fails.
    const taken = await plane.propose(
      run.id,
      proposalFor(run.id, version, "PENDING", {
        kind: "validate_parameters",
        data: { message: error.message },
      }),
    );
    if (taken.status === "accepted") version += 1;
  }
  await plane.propose(
    run.id,
    proposalFor(run.id, version, "FAILED", { kind: "fail", data: { message: error.message } }),
  );
  await plane.flush();
  const after = await plane.getRun(run.id);
  return {
    runId: run.id,
    state: {
      type: after?.state ?? "FAILED",
      name: after?.stateName ?? "Failed",
      message: after?.message ?? error.message,
    },
    error,
  };
}

function asCancel(reason: unknown): Error {
  return reason instanceof Error ? reason : new CancelledError("Parent flow run was cancelled");
}

/** The call's parameters by name, as a deployment run records them (see `namedParameters`). */
function flowParameters(fn: AnyFn, args: unknown[]): Json {
  try {
    const parameters = namedParameters(fn, args);
    const json = JSON.stringify(parameters);
    return json === undefined ? null : parameters as Json;
  } catch {
    return { $unserializable: true };
  }
}
