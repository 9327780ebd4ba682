/**
 * Pausing: operators pause a running flow run (`drain` lets in-flight task
 * runs finish, `terminate` cancels them) and resume it; a flow can suspend
 * itself until resumed, optionally with validated input; gates and durable
 * sleeps hold a flow until a time.
 *
 * @module
 */
import {
  invalidInputError,
  isTerminal,
  type Json,
  type ProposalResult,
  RunNotFoundError,
  StateName,
  StateType,
  uuidv7,
} from "../engine/mod.ts";
import {
  issueProblems,
  jsonSchemaOfZod,
  loadSchemaSupport,
} from "../engine/deployments/parameters.ts";
import { currentContext } from "./context.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { MissingContextError, TimeoutError } from "./errors.ts";
import type { Flow } from "./flow_types.ts";
import { TaskFuture } from "./future.ts";
import { activeExecution } from "./executions.ts";
import { bindParameters } from "./parameters.ts";
import { lookupFlow } from "./registry.ts";
import { inputFingerprint } from "./resume.ts";
import { RunMirror } from "./run_mirror.ts";
import type { FlowRunOutcome } from "./state.ts";

/** Validates resume input: anything with `parse` (a zod schema, for one). */
export interface InputSchema<T> {
  parse(input: unknown): T;
}

/** Options of the in-flow form of {@linkcode pauseFlowRun}. */
export interface SuspendOptions<T> {
  /** Fail the flow run when nobody resumes it within this time. @default 3600 */
  timeoutSeconds?: number;
  /** Require input on resume, validated by this schema; `pauseFlowRun` returns it. */
  waitForInput?: InputSchema<T>;
}

const suspended = new Map<string, { schema: InputSchema<unknown> | undefined }>();

/**
 * Inside a flow: suspends the flow run (PAUSED "Suspended") until
 * `resumeFlowRun` is called, and returns the validated input if one was
 * asked for. Outside, with a run id: an operator pause (`drain` or
 * `terminate`).
 */
export function pauseFlowRun<T = undefined>(options?: SuspendOptions<T>): Promise<T>;
export function pauseFlowRun(
  runId: string,
  options: { mode: "drain" | "terminate"; plane?: ControlPlane },
): Promise<ProposalResult>;
export function pauseFlowRun(
  a?: SuspendOptions<unknown> | string,
  b?: { mode: "drain" | "terminate"; plane?: ControlPlane },
): Promise<unknown> {
  if (typeof a === "string") return operatorPause(a, b!);
  return suspend(a ?? {});
}

async function operatorPause(
  runId: string,
  options: { mode: "drain" | "terminate"; plane?: ControlPlane },
): Promise<ProposalResult> {
  if (options?.mode !== "drain" && options?.mode !== "terminate") {
    throw new TypeError(`Pause mode must be "drain" or "terminate", got "${options?.mode}"`);
  }
  const plane = options.plane ?? getControlPlane();
  return (await plane.actions.pause(runId, { mode: options.mode })).result;
}

// The JSON Schema of a resume input schema, recorded with the pause so that a
// resume from another process (the API, the dashboard, the CLI) is checked
// where it is sent. A zod schema converts; anything else leaves no schema.
async function jsonSchemaOf(schema: InputSchema<unknown>): Promise<Json | null> {
  await loadSchemaSupport();
  return jsonSchemaOfZod(schema);
}

async function suspend(options: SuspendOptions<unknown>): Promise<unknown> {
  const context = currentContext();
  if (!context || context.taskRun) {
    throw new MissingContextError("pauseFlowRun() without a run id must be called in a flow body");
  }
  const inputSchema = options.waitForInput === undefined
    ? undefined
    : await jsonSchemaOf(options.waitForInput);
  const execution = context.execution;
  const { plane, mirror } = execution;
  const timeoutMs = (options.timeoutSeconds ?? 3600) * 1000;
  let resolveResume!: (input: unknown) => void;
  const resumed = new Promise<unknown>((resolve) => resolveResume = resolve);
  const stopWatching = plane.watch(mirror.id, (event) => {
    mirror.observe(event);
    if (
      event.to === StateType.RUNNING &&
      (event.kind === "resume" || event.kind === "operator_resume")
    ) {
      resolveResume(event.data?.["input"]);
    }
  });
  suspended.set(mirror.id, { schema: options.waitForInput });
  const stopTimer = new AbortController();
  try {
    await mirror.transition(StateType.PAUSED, {
      kind: "suspend",
      name: StateName.Paused,
      data: {
        waitsForInput: options.waitForInput !== undefined,
        ...(inputSchema !== undefined ? { inputSchema } : {}),
        timeoutAt: plane.timer.now() + timeoutMs,
      },
    });
    const timedOut = plane.timer.sleep(timeoutMs, stopTimer.signal).then(() => {
      throw new TimeoutError(
        `Flow run "${mirror.run.runName}" was not resumed within ${timeoutMs / 1000} s`,
      );
    });
    const cancelled = new Promise<never>((_, reject) => {
      if (execution.signal.aborted) reject(execution.signal.reason);
      execution.signal.addEventListener("abort", () => reject(execution.signal.reason), {
        once: true,
      });
    });
    const input = await Promise.race([resumed, timedOut, cancelled]);
    return options.waitForInput ? options.waitForInput.parse(input) : input;
  } finally {
    stopTimer.abort();
    suspended.delete(mirror.id);
    stopWatching();
  }
}

/**
 * Resumes a PAUSED flow run: a suspended flow continues (with `input`
 * validated first), a drained run starts its waiting task runs, and a run
 * paused with `terminate` is run again here, restoring its completed task
 * runs.
 */
export async function resumeFlowRun(
  runId: string,
  options: { input?: unknown; plane?: ControlPlane; flow?: Flow<never[], unknown> } = {},
): Promise<ProposalResult | FlowRunOutcome<unknown>> {
  const plane = options.plane ?? getControlPlane();
  const run = await plane.getRun(runId);
  if (!run || run.kind !== "flow") throw new RunNotFoundError(runId);
  const waiter = suspended.get(runId);
  // A flow waiting in this process checks its input here first, against its
  // own schema (which may have no JSON Schema for the engine to check); the
  // refusal is the engine's InvalidInputError, as every entry point answers.
  if (waiter?.schema) checkOwnSchema(runId, waiter.schema, options.input);
  const live = activeExecution(runId);
  // "Suspended" with a deployment: its worker runs it again once it is queued.
  // Otherwise a process must wait for it (below, unless it is "Suspended").
  if (run.state !== StateType.PAUSED || run.stateName !== StateName.Suspended || run.deploymentId) {
    return (await plane.actions.resume(
      runId,
      options.input !== undefined ? { input: options.input as Json } : {},
    )).result;
  }
  if (live) {
    throw new TypeError(
      `Cannot resume flow run "${runId}" yet: it is still stopping its task runs`,
    );
  }
  const target = (options.flow ?? lookupFlow(run.name)) as Flow<unknown[], unknown> | undefined;
  if (!target) {
    throw new TypeError(
      `Cannot resume flow run "${runId}": flow "${run.name}" is not defined in this process; import its module or pass { flow }`,
    );
  }
  const args = Array.isArray(run.parameters)
    ? run.parameters
    : bindParameters(target.fn as (...args: never[]) => unknown, run.parameters);
  return await target.runWith({ plane, runId }, ...args);
}

function checkOwnSchema(runId: string, schema: InputSchema<unknown>, input: unknown): void {
  try {
    schema.parse(input);
  } catch (error) {
    const issues = (error as { issues?: unknown }).issues;
    const problems = Array.isArray(issues)
      ? issueProblems(issues)
      : [(error as Error).message ?? String(error)];
    throw invalidInputError(runId, problems, { cause: error });
  }
}

/** Options of {@linkcode gate}. */
export interface GateOptions {
  name: string;
  /** Opens at this time (a past time opens at once). */
  until?: Date | number;
  /** Opens this many seconds after the gate is reached. */
  after?: number;
  /** Never waits longer than this many seconds. */
  maxWait?: number;
}

/**
 * A barrier in a flow that opens at a time: recorded as a task run (SCHEDULED
 * until due), the flow shows PAUSED while it waits. A gate passed in an
 * earlier attempt is not waited for again.
 *
 * @example
 * ```ts
 * import { flow, gate } from "./mod.ts";
 * const nightly = flow(async () => {
 *   await gate({ name: "after-close", after: 60 });
 * });
 * ```
 */
export async function gate(options: GateOptions): Promise<void> {
  const context = currentContext();
  if (!context) throw new MissingContextError("gate() must be called inside a flow run");
  if (typeof options.name !== "string" || options.name === "") {
    throw new TypeError("gate() needs a name");
  }
  if (options.until === undefined && options.after === undefined) {
    throw new TypeError(`Gate "${options.name}" needs "until" or "after"`);
  }
  const execution = context.execution;
  const { plane } = execution;
  const now = plane.timer.now();
  let openAt = options.until !== undefined
    ? (options.until instanceof Date ? options.until.getTime() : options.until)
    : now + options.after! * 1000;
  if (!Number.isFinite(openAt)) throw new TypeError(`Gate "${options.name}" has an invalid time`);
  if (options.maxWait !== undefined) openAt = Math.min(openAt, now + options.maxWait * 1000);
  const key = execution.nextKey(`gate:${options.name}`);
  const flowRun = execution.mirror.run;
  const future = new TaskFuture<void>(options.name, null, false);
  execution.children.push(future as TaskFuture<unknown>);
  const inputs = inputFingerprint([options.name])!;
  // A gate passed in an earlier attempt is restored at once: it is not scheduled again.
  const resumed = execution.resumedGate(key, inputs);
  const run = await plane.createRun({
    id: uuidv7(),
    kind: "task",
    name: `gate:${options.name}`,
    flowName: flowRun.flowName,
    runName: options.name,
    parentId: flowRun.id,
    rootId: flowRun.rootId,
    depth: flowRun.depth,
    lineageId: flowRun.lineageId,
    attempt: flowRun.attempt,
    taskKey: key,
    ...(resumed ? {} : { state: StateType.SCHEDULED, expectedStartTime: openAt }),
  });
  future._setRunId(run.id);
  const mirror = new RunMirror(run, plane, [], (m) => execution.warn(m, run.id));
  try {
    if (resumed) {
      await mirror.transition(StateType.RUNNING, { kind: "resume", data: { cache_hit: true } });
      await mirror.transition(StateType.COMPLETED, {
        kind: "resume",
        name: StateName.Cached,
        data: { cache_hit: true, inputs, result: { kind: "none" } },
      });
    } else {
      const waiting = openAt > plane.timer.now();
      if (waiting) await execution.enterGate(options.name);
      try {
        while (true) {
          const result = await mirror.transition(StateType.RUNNING, { kind: "gate_open" });
          if (result.status !== "wait") break;
          await plane.timer.sleep(result.retryAfterMs ?? 0, execution.signal);
        }
      } finally {
        if (waiting) await execution.leaveGate(options.name);
      }
      await mirror.transition(StateType.COMPLETED, {
        kind: "gate_open",
        data: { inputs, result: { kind: "none" } },
      });
    }
  } catch (error) {
    if (!isTerminal(mirror.state)) {
      await mirror.transition(StateType.CANCELLED, { kind: "user_cancel", allowRewrite: false })
        .catch(() => {});
    }
    future._settle({ state: mirror.snapshot(), error: error as Error });
    throw error;
  }
  future._settle({ state: mirror.snapshot(), value: undefined });
}

/** Waits `seconds` durably: a gate named `name`, skipped on a retry that already passed it. */
export function durableSleep(seconds: number, options: { name?: string } = {}): Promise<void> {
  if (!(seconds >= 0)) throw new RangeError(`Cannot sleep ${seconds} seconds`);
  return gate({ name: options.name ?? "sleep", after: seconds });
}
