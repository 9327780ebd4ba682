/**
 * Operator actions on flow runs and the liveness of their executors: the one
 * module the server, the SDK, the CLI, the worker and the dashboard call to
 * cancel, pause, resume or retry a run, to heartbeat the runs an executor
 * holds, and to reap runs whose executor is gone. Each action reads the run,
 * picks the proposal the run's state calls for and guards it with the version
 * it read, reading again when the run moved in between.
 *
 * @example
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "./mod.ts";
 * import { cancelFlowRun } from "./run_actions.ts";
 *
 * const engine = createEngine({ store: createMemoryStore(), clock: new FakeClock(), ids: new SequentialIds("run") });
 * const run = await engine.createFlowRun({ name: "etl", state: "SCHEDULED" });
 * const { run: after } = await cancelFlowRun(engine, run.id, { reason: "not today" });
 * console.log(after.state); // "CANCELLED"
 * ```
 *
 * @module
 */
import {
  ConflictError,
  hasOwnExecutor,
  InvalidArgumentError,
  InvalidTransitionError,
  IronFlowError,
  isTerminal,
  type Json,
  LIVENESS_COLLECTION,
  LIVENESS_KIND,
  livenessIn,
  livenessOf,
  needsExecutor,
  NotFoundError,
  type Proposal,
  type ProposalResult,
  putLiveness,
  type RunRecord,
  StateName,
  StateType,
} from "./core/mod.ts";
import type { Engine } from "./engine.ts";
import { endRun, endRunsUnder } from "./run_tree.ts";
import { uuidv7 } from "./uuid7.ts";
import { findIn } from "./deployments/service.ts";
import { createQueuedRun, enqueueRun } from "./deployments/runs.ts";
import { runJobVariables } from "./deployments/job_variables.ts";
import { loadSchemaSupport, parameterProblems } from "./deployments/parameters.ts";

const { SCHEDULED, PENDING, RUNNING, PAUSED, CANCELLING, CANCELLED, FAILED, CRASHED } = StateType;

/** What an action did: the engine's answer and the run after it. */
export interface ActionOutcome {
  result: ProposalResult;
  run: RunRecord;
}

/** Pause modes: drain lets running tasks finish in place; terminate stops the executor. */
export type PauseMode = "drain" | "terminate";

/** Resume input that does not fit the schema the paused flow asked for. */
export class InvalidInputError extends IronFlowError {
  override name = "InvalidInputError";
  /** One `path: message` line per problem. */
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[], options?: ErrorOptions) {
    super(message, { ...options, code: "invalid_input" });
    this.problems = problems;
  }
}

const MAX_TRIES = 10;
const RETRYABLE: ReadonlySet<StateType> = new Set([FAILED, CRASHED, CANCELLED]);

function flowRunOf(engine: Engine, id: string): RunRecord {
  const run = engine.getRun(id);
  if (!run || run.kind !== "flow") {
    throw new NotFoundError(`Flow run "${id}" does not exist`, { code: "flow_run_not_found" });
  }
  return run;
}

type Choice = Omit<Proposal, "token" | "expectedVersion">;

// Proposes what `choose` picks for the run as read now; reads again on a version conflict.
async function act(
  engine: Engine,
  id: string,
  choose: (run: RunRecord) => Choice,
): Promise<ActionOutcome> {
  for (let tries = 1;; tries++) {
    const run = flowRunOf(engine, id);
    const proposal = choose(run);
    const result = await engine.propose(id, {
      ...proposal,
      // Same run version and action: a repeated request is a duplicate, not a second change.
      token: `${id}:${run.version}:${proposal.kind}`,
      expectedVersion: run.version,
    });
    const conflict = result.status === "rejected" && result.reason?.startsWith("version_conflict");
    if (conflict && tries < MAX_TRIES) continue;
    if (result.status !== "accepted" && result.status !== "duplicate") {
      const message = `Flow run "${id}" refused "${proposal.to}": ${
        result.reason ?? result.status
      }`;
      throw conflict ? new ConflictError(message) : new InvalidTransitionError(message);
    }
    return { result, run: engine.getRun(id)! };
  }
}

/** The operator actions a flow run takes now: what the dashboard offers as buttons. */
export interface OfferedActions {
  cancel: boolean;
  pause: boolean;
  /** From the dashboard or API; a terminated run of no deployment resumes only in its own process. */
  resume: boolean;
  /** A new attempt run by a worker: root runs of a deployment only, as in Prefect's UI. */
  retry: boolean;
}

/**
 * Which of the actions below `run` would take, by the same rules they check,
 * so a page offers no button that the engine then refuses.
 */
export function offeredActions(run: RunRecord): OfferedActions {
  return {
    cancel: !isTerminal(run.state) && run.state !== CANCELLING,
    pause: run.state === RUNNING,
    resume: run.state === PAUSED &&
      (run.stateName !== StateName.Suspended || run.deploymentId !== null),
    retry: RETRYABLE.has(run.state) && run.parentId === null && run.deploymentId !== null,
  };
}

/** Whether the executor of `run` is known to be gone (its liveness deadline passed). */
function executorGone(engine: Engine, run: RunRecord): boolean {
  const liveness = livenessOf(engine.reader, run.id);
  return liveness !== undefined && liveness.deadline <= engine.clock.now();
}

/**
 * Cancels a flow run. A run nobody executes (SCHEDULED, PENDING, PAUSED
 * "Suspended", or one whose executor stopped heartbeating) is CANCELLED at
 * once, with the runs under it; an executing one moves to CANCELLING and its
 * executor ends it CANCELLED (or the reaper does, when the executor dies).
 */
export async function cancelFlowRun(
  engine: Engine,
  id: string,
  options: { reason?: string | undefined } = {},
): Promise<ActionOutcome> {
  const outcome = await act(engine, id, (run) => {
    if (isTerminal(run.state) || run.state === CANCELLING) {
      throw new InvalidTransitionError(
        `Cannot cancel flow run "${id}": it is already "${run.state}"`,
      );
    }
    // PENDING: claimed, its process not started yet; it finds the run ended when it starts.
    const idle = !needsExecutor(run) || run.state === PENDING || executorGone(engine, run);
    return {
      to: idle ? CANCELLED : CANCELLING,
      kind: "user_cancel",
      data: { message: options.reason ?? "Cancelled by request" },
    };
  });
  if (outcome.run.state === CANCELLED) {
    await endRunsUnder(engine, id, {
      to: CANCELLED,
      kind: "user_cancel",
      message: `Flow run "${id}" was cancelled`,
    });
  }
  return outcome;
}

/** Pauses a RUNNING flow run: PAUSED "Draining" (drain) or PAUSED "Suspended" (terminate). */
export async function pauseFlowRun(
  engine: Engine,
  id: string,
  options: { mode: PauseMode; reason?: string | undefined },
): Promise<ActionOutcome> {
  const { mode } = options;
  if (mode !== "drain" && mode !== "terminate") {
    throw new InvalidArgumentError(`Pause mode must be "drain" or "terminate", got "${mode}"`);
  }
  return await act(engine, id, (run) => {
    if (run.state !== RUNNING) {
      throw new InvalidTransitionError(
        `Cannot pause flow run "${id}": it is "${run.state}", only a RUNNING run pauses`,
      );
    }
    return {
      to: PAUSED,
      // Drain: "Draining" until in-flight task bodies finish, then the executor marks it "Paused".
      name: mode === "drain" ? StateName.Draining : StateName.Suspended,
      kind: `operator_pause_${mode}`,
      data: { mode, message: options.reason ?? `Paused by an operator (${mode})` },
    };
  });
}

/** What the pause a run is in asks of a resume. */
export interface PauseRequest {
  /** Whether the flow waits for input (`pauseFlowRun({ waitForInput })`). */
  waitsForInput: boolean;
  /** JSON Schema of the input, when the flow gave one. */
  inputSchema: Json | null;
  /** Transition kind that paused the run (`suspend` from the flow, `operator_pause_*`). */
  kind: string;
}

/** The pause `run` is in, read from the event that paused it; undefined when not PAUSED. */
export function pauseRequestOf(engine: Engine, run: RunRecord): PauseRequest | undefined {
  if (run.state !== PAUSED) return undefined;
  // Renames inside PAUSED (a drain finishing) keep the pause that started it.
  const paused = engine.events({ runId: run.id })
    .findLast((event) => event.to === PAUSED && event.from !== PAUSED);
  const data = paused?.data ?? {};
  return {
    waitsForInput: data["waitsForInput"] === true,
    inputSchema: data["inputSchema"] ?? null,
    kind: paused?.kind ?? "suspend",
  };
}

/** Checks resume `input` against the pause's request; throws {@linkcode InvalidInputError}. */
export function checkResumeInput(id: string, request: PauseRequest, input: unknown): void {
  if (!request.waitsForInput) return;
  if (input === undefined) {
    throw new InvalidInputError(`Flow run "${id}" waits for input: send it with the resume`, [
      "input: required",
    ]);
  }
  if (request.inputSchema === null) return;
  const problems = parameterProblems(request.inputSchema, input as Json);
  if (problems.length > 0) throw invalidInputError(id, problems);
}

/**
 * The refusal of resume input with `problems` (`path: message` lines): one
 * message wherever the input is checked, here against the recorded schema
 * or in the paused flow's own process against its schema.
 */
export function invalidInputError(
  id: string,
  problems: readonly string[],
  options?: ErrorOptions,
): InvalidInputError {
  return new InvalidInputError(
    `Invalid input for flow run "${id}": ${problems.join("; ")}`,
    problems,
    options,
  );
}

/**
 * Resumes a PAUSED flow run. A run whose process waits (paused from its body,
 * or drained) returns to RUNNING, carrying `input` once it passed the pause's
 * schema. A suspended deployment run (terminated) has no process: it goes to
 * SCHEDULED and into its work pool's queue. A suspended run of no deployment
 * can only be run again by the SDK (`resumeFlowRun(id, { flow })`).
 */
export async function resumeFlowRun(
  engine: Engine,
  id: string,
  options: { input?: unknown } = {},
): Promise<ActionOutcome> {
  // Input is checked against the pause's schema inside the commit.
  if (options.input !== undefined) await loadSchemaSupport();
  const outcome = await act(engine, id, (run) => {
    if (run.state !== PAUSED) {
      throw new InvalidTransitionError(
        `Cannot resume flow run "${id}": it is "${run.state}", not "PAUSED"`,
      );
    }
    const request = pauseRequestOf(engine, run)!;
    checkResumeInput(id, request, options.input);
    const input: { [key: string]: Json } = options.input === undefined
      ? {}
      : { input: options.input as Json };
    if (run.stateName === StateName.Suspended) {
      if (run.deploymentId === null) {
        throw new InvalidTransitionError(
          `Cannot resume flow run "${id}" here: it was terminated and belongs to no deployment; ` +
            `run it again with resumeFlowRun("${id}", { flow }) in a process that defines it`,
        );
      }
      return {
        to: SCHEDULED,
        kind: "operator_resume",
        data: { message: "Resumed by an operator", scheduledTime: engine.clock.now(), ...input },
      };
    }
    return {
      to: RUNNING,
      kind: request.kind === "suspend" ? "resume" : "operator_resume",
      data: { message: "Resumed", ...input },
    };
  });
  if (outcome.run.state === SCHEDULED && outcome.run.deploymentId !== null) {
    await queueForPool(engine, outcome.run);
  }
  return outcome;
}

async function queueForPool(engine: Engine, run: RunRecord): Promise<void> {
  await engine.transact((tx) => {
    const deployment = findIn(tx, run.deploymentId!);
    if (deployment) enqueueRun(tx, deployment, run.id, engine.clock.now(), engine.clock.now());
  });
}

const retrying = new WeakMap<Engine, Set<string>>();

/**
 * Retries a finished flow run as a new attempt of its lineage: a flow run
 * with the same flow, run name, parameters, tags and deployment and the next
 * attempt number, due now, queued for its deployment's work pool at once (its
 * concurrency limit applies). A run of no deployment has no worker to run it:
 * it is refused here, and retried where its flow is defined (`retryFlowRun()`
 * in the SDK). Only the newest attempt of a root flow run is retried.
 */
export async function retryFlowRun(engine: Engine, id: string): Promise<RunRecord> {
  const run = flowRunOf(engine, id);
  if (!RETRYABLE.has(run.state)) {
    throw new InvalidTransitionError(
      `Cannot retry flow run "${id}": it is "${run.state}", not FAILED, CRASHED or CANCELLED`,
    );
  }
  if (run.parentId !== null) {
    throw new InvalidTransitionError(
      `Cannot retry subflow run "${id}": retry its root flow run "${run.rootId}"`,
    );
  }
  const attempts = engine.listRuns({ kind: "flow", lineageId: run.lineageId, limit: 1000 }).items;
  const newest = attempts.reduce((a, b) => (b.attempt > a.attempt ? b : a), run);
  if (newest.id !== run.id) {
    throw new ConflictError(`Flow run "${id}" was already retried as "${newest.id}"`);
  }
  let busy = retrying.get(engine);
  if (!busy) retrying.set(engine, busy = new Set());
  if (busy.has(run.lineageId)) throw new ConflictError(`Flow run "${id}" is being retried`);
  busy.add(run.lineageId);
  try {
    const now = engine.clock.now();
    const lineage = { lineageId: run.lineageId, attempt: newest.attempt + 1 };
    if (run.deploymentId !== null) {
      const deployment = findIn(engine.reader, run.deploymentId);
      if (!deployment) {
        throw new NotFoundError(
          `Cannot retry flow run "${id}": its deployment "${run.deploymentId}" no longer exists`,
          { code: "deployment_not_found" },
        );
      }
      const retryId = uuidv7(now);
      // The new attempt runs as the retried one did: with its job variables.
      const jobVariables = runJobVariables(engine.events({ runId: run.id, limit: 1 })[0]?.data);
      await engine.transact((tx) => enqueueRun(tx, deployment, retryId, now, now));
      return await createQueuedRun(engine, deployment, retryId, now, run.parameters, {
        runName: run.runName,
        tags: run.tags,
        lineage,
        ...(jobVariables ? { jobVariables } : {}),
      });
    }
    throw new InvalidTransitionError(
      `Cannot retry flow run "${id}" here: it belongs to no deployment, so no worker can run ` +
        `it; run a new attempt where its flow is defined: retryFlowRun("${id}") in the SDK or ` +
        `ironflow flow-run retry ${id} --module <module>`,
    );
  } finally {
    busy.delete(run.lineageId);
  }
}

/** What the engine tells an executor about one run it heartbeats. */
export interface HeartbeatAnswer {
  runId: string;
  /** The run's state now; `null` when there is no such flow run. */
  state: StateType | null;
  stateName: string | null;
  /**
   * The executor must stop this run: it ended (reaped, cancelled while idle)
   * or does not exist. Its late reports are refused anyway.
   */
  stop: boolean;
}

/**
 * Records that the executor of `runIds` is alive: each live flow run's
 * liveness deadline moves `engine.livenessMs` ahead, in one transaction that
 * joins the group commit. The answers tell the executor which runs it must
 * stop and which an operator is cancelling or pausing.
 */
export function heartbeatFlowRuns(
  engine: Engine,
  runIds: readonly string[],
): Promise<HeartbeatAnswer[]> {
  return engine.transact((tx) => {
    const now = engine.clock.now();
    return runIds.map((runId): HeartbeatAnswer => {
      const run = tx.getRun(runId);
      if (!run || !hasOwnExecutor(run)) {
        return { runId, state: null, stateName: null, stop: true };
      }
      if (isTerminal(run.state)) {
        return { runId, state: run.state, stateName: run.stateName, stop: true };
      }
      if (needsExecutor(run)) putLiveness(tx, runId, now, engine.livenessMs);
      return { runId, state: run.state, stateName: run.stateName, stop: false };
    });
  });
}

/** Milliseconds as seconds for a message: one decimal below 10 s, whole above. */
function seconds(ms: number): number {
  return ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000);
}

/** What one reaper pass did. */
export interface ReapReport {
  /** Flow runs ended CRASHED because their executor stopped heartbeating. */
  crashed: string[];
  /** CANCELLING flow runs ended CANCELLED because no executor was left to finish. */
  cancelled: string[];
  /** Task and subflow runs ended with them. */
  ended: string[];
}

/**
 * Ends flow runs whose executor stopped heartbeating: a CANCELLING run
 * becomes CANCELLED, any other live run CRASHED, each with the runs under it
 * (which frees their concurrency slots). A heartbeat that lands meanwhile
 * wins: the engine refuses the reaper's proposal for a run that is alive.
 */
export async function reapLostRuns(engine: Engine, now = engine.clock.now()): Promise<ReapReport> {
  const report: ReapReport = { crashed: [], cancelled: [], ended: [] };
  // Run id → how long its executor has been silent (unknown for a malformed document).
  const lost = new Map<string, number | undefined>();
  let afterKey: string | undefined;
  while (true) {
    const page = engine.reader.listDocuments({
      collection: LIVENESS_COLLECTION,
      limit: 1000,
      ...(afterKey !== undefined ? { afterKey } : {}),
    });
    for (const doc of page) {
      const liveness = livenessIn(doc);
      if (liveness === undefined || liveness.deadline <= now) {
        // The last sign of life pushed the deadline one timeout ahead of itself.
        const timeoutMs = liveness?.timeoutMs ?? engine.livenessMs;
        lost.set(doc.key, liveness && now - (liveness.deadline - timeoutMs));
      }
    }
    if (page.length < 1000) break;
    afterKey = page.at(-1)!.key;
  }
  for (const [runId, silentMs] of lost) {
    const run = engine.getRun(runId);
    if (!run || isTerminal(run.state) || !needsExecutor(run)) {
      // A leftover of a run that ended elsewhere: nothing to reap.
      await engine.transact((tx) => {
        const current = tx.getRun(runId);
        if (!current || !needsExecutor(current)) tx.deleteDocument(LIVENESS_COLLECTION, runId);
      });
      continue;
    }
    const cancelling = run.state === CANCELLING;
    const ending = cancelling
      ? {
        to: CANCELLED,
        kind: LIVENESS_KIND,
        message: "Cancelled: its executor stopped heartbeating before it finished cancelling",
      } as const
      : {
        to: CRASHED,
        kind: LIVENESS_KIND,
        message: `Crashed: its executor sent no heartbeat ${
          silentMs === undefined ? "in time" : `for ${seconds(silentMs)} s`
        } (the process died or lost its connection)`,
      } as const;
    const result = await endRun(engine, run, ending);
    if (result.status !== "accepted") continue;
    (cancelling ? report.cancelled : report.crashed).push(runId);
    report.ended.push(...await endRunsUnder(engine, runId, ending));
  }
  return report;
}
