/**
 * Executing one flow run in this process: its body's attempts as named steps
 * (start, attempt, handle success, handle failure or retry, handle cancel),
 * its task runs (`task_run.ts`), its subflows, drains and gates
 * (`run_pauses.ts`), and the final state.
 *
 * @module
 */
import {
  type FinalStateReport,
  type Json,
  LogLevel,
  type RunRecord,
  StateName,
  StateType,
  uuidv7,
} from "../engine/mod.ts";
import { CreationSlices } from "./_creation_slices.ts";
import type { ControlPlane } from "./control_plane.ts";
import { type InternalContext, type RunExecution, withContext } from "./context.ts";
import { defaultPersistResult, impliedPersist } from "./env.ts";
import { asError, CancelledError, FlowRunError } from "./errors.ts";
import type { TaskFuture } from "./future.ts";
import {
  type GraphContract,
  graphContract,
  StaticGraphContractViolation,
} from "./graph_contract.ts";
import { writeLog } from "./logger.ts";
import { resultOptionsOf, type RunOptions } from "./options.ts";
import { ResumeIndex } from "./resume.ts";
import { RunMirror } from "./run_mirror.ts";
import { RunPauses } from "./run_pauses.ts";
import type { FlowSpec, TaskSpec } from "./run_specs.ts";
import {
  type Attempt,
  Attempts,
  failureData,
  hooksOf,
  isFuture,
  proposeStart,
  resultData,
  retryDelay,
  startRequest,
  stoppedError,
} from "./run_steps.ts";
import type { TaskRunner } from "./runners.ts";
import type { TransactionMembership } from "./transaction_hooks.ts";
import type { RunOutcome } from "./state.ts";
import {
  type BodyProposal,
  type ChildStates,
  proposalForReturn,
  reportForRaise,
} from "./final_state.ts";
import { runTask, type TaskRunHost } from "./task_run.ts";

export type { FlowSpec, TaskSpec };

const { PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CANCELLING, SCHEDULED, PAUSED } = StateType;

/** One flow run being executed in this process. */
export class FlowRunExecution implements RunExecution, TaskRunHost {
  readonly mirror: RunMirror;
  readonly plane: ControlPlane;
  readonly spec: FlowSpec;
  readonly runner: TaskRunner;
  readonly controller = new AbortController();
  /** Futures of the current attempt's task runs and subflows. */
  children: TaskFuture<unknown>[] = [];
  readonly results = new WeakMap<object, string>(); // object results → their task runs
  #calls = new Map<string, number>();
  /** Task runs of a burst start in groups (see _creation_slices.ts). */
  readonly #creations = new CreationSlices();
  readonly context: InternalContext;
  readonly attempts: Attempts;
  readonly pauses: RunPauses;
  /** Completed task runs of earlier attempts that this attempt may restore. */
  #resume: ResumeIndex | undefined;
  /** What this run promised about its graph. */
  #contract: GraphContract | undefined;
  #warnedOffPlan = new Set<string>();

  constructor(run: RunRecord, plane: ControlPlane, spec: FlowSpec, runner: TaskRunner) {
    this.plane = plane;
    this.spec = spec;
    this.runner = runner;
    const warn = (message: string) => this.warn(message);
    this.mirror = new RunMirror(run, plane, hooksOf(spec.options), warn);
    this.pauses = new RunPauses(this.mirror, warn);
    this.attempts = new Attempts(this.controller.signal, plane.timer);
    this.context = {
      flowRun: { id: run.id, name: run.runName, parameters: run.parameters },
      signal: this.controller.signal,
      execution: this,
      plane,
      logPrints: spec.options.logPrints ?? false,
    };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get resume(): ResumeIndex | undefined {
    return this.#resume;
  }

  warn(message: string, taskRunId: string | null = null): void {
    writeLog(
      taskRunId
        ? { ...this.context, taskRun: { id: taskRunId, name: "", attempt: 0 } }
        : this.context,
      LogLevel.WARNING,
      message,
      "ironflow",
    );
  }

  /** Whether results of runs with these options are persisted. */
  persists(options: RunOptions): boolean {
    return impliedPersist(options) ?? impliedPersist(this.spec.options) ?? defaultPersistResult();
  }

  /** Where and how results of runs with these options are stored (task settings first). */
  resultOptions(options: RunOptions): RunOptions {
    return resultOptionsOf(options, this.spec.options);
  }

  /** Aborts the run: running task bodies see the signal, pending ones never start. */
  cancel(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    // Task runs held by a drain must wake up to see the cancellation.
    this.pauses.undrain();
  }

  /** Operator pause `drain`: no new task runs start; in-flight ones finish. */
  drain(): void {
    this.pauses.drain();
  }

  /** Operator resume of a drained run: waiting task runs start. */
  undrain(): void {
    this.pauses.undrain();
  }

  /** Operator pause `terminate`: running task runs are cancelled and fenced; the run stays PAUSED. */
  terminate(): void {
    this.pauses.terminate();
    this.cancel(new CancelledError("Flow run was paused (terminate)"));
  }

  /** Whether an operator paused this run with `terminate`. */
  get terminated(): boolean {
    return this.pauses.terminated;
  }

  /** Whether a gate with this key was passed in an earlier attempt (then it is not waited for). */
  resumedGate(key: string, inputs: string): boolean {
    return this.#resume?.find(key, null, inputs) !== undefined;
  }

  /** A gate starts waiting: the flow run shows PAUSED while any gate waits. */
  enterGate(name: string): Promise<void> {
    return this.pauses.enterGate(name);
  }

  /** A gate opened: the flow run is RUNNING again once no gate waits. */
  leaveGate(name: string): Promise<void> {
    return this.pauses.leaveGate(name);
  }

  /** Stable key of the next call of `name` in this attempt: `name#n` (matches planned node ids). */
  nextKey(name: string): string {
    const n = this.#calls.get(name) ?? 0;
    this.#calls.set(name, n + 1);
    const key = `${name}#${n}`;
    const contract = this.#contract;
    if (contract?.effective === "static" && !contract.nodeIds.has(key)) {
      const message = `Flow "${this.spec.name}" ran "${key}", which its static plan does not have`;
      if (contract.declared === "static") throw new StaticGraphContractViolation(message);
      if (!this.#warnedOffPlan.has(key)) {
        this.#warnedOffPlan.add(key);
        this.warn(`${message}; the run continues (graphMode "auto")`);
      }
    }
    return key;
  }

  /** Starts one task run; returns its future at once. */
  submitTask<T>(
    spec: TaskSpec,
    future: TaskFuture<T>,
    args: unknown[],
    key: string,
    options: {
      readonly waitFor?: readonly TaskFuture<unknown>[];
      readonly allowFailed?: readonly TaskFuture<unknown>[];
      readonly transaction?: TransactionMembership;
    },
    parentTaskRun: InternalContext["taskRun"],
  ): TaskFuture<T> {
    if (!future.detached) this.children.push(future as TaskFuture<unknown>);
    // Its id is known at once, also when its start waits for its group (Prefect's task_run_id at submit).
    future._setRunId(uuidv7());
    this.#creations.start((created) => {
      // Never rejects: an infrastructure failure settles the future CRASHED.
      void runTask(this, {
        spec,
        future,
        args,
        key,
        waitFor: options.waitFor,
        allowFailed: options.allowFailed,
        transaction: options.transaction,
        parentTaskRun,
        onCreated: created,
      });
    });
    return future;
  }

  /** Runs the flow body attempts and proposes the final state. */
  async execute(args: unknown[]): Promise<RunOutcome<unknown>> {
    const prepared = await this.#prepare();
    if ("outcome" in prepared) return prepared.outcome;
    for (let attempt = 1;; attempt++) {
      this.children = [];
      this.#calls = new Map();
      if (this.signal.aborted) return await this.#handleCancel();
      const stopped = await this.#start(attempt, prepared.graphData);
      if (stopped) return stopped;
      const outcome = await this.#attempt(args);
      const childStates = await this.#settleChildren();
      // A drained run stays PAUSED (which cannot end a run) until resumed or cancelled.
      const drained = this.pauses.drained;
      if (drained) await drained;
      if (outcome.cancelled || this.mirror.state === CANCELLING) return await this.#handleCancel();
      const ended = outcome.ok
        ? await this.#handleReturn(
          proposalForReturn(outcome.value, childStates, this.spec.options),
          attempt,
        )
        : await this.#handleFailure(
          outcome.error!,
          outcome.timedOut === true,
          attempt,
          reportForRaise(childStates, this.spec.options),
        );
      if (ended) return ended;
    }
  }

  /**
   * Reads the flow's graph contract (recording its plan) and, on a later
   * attempt, the completed task runs it may restore. A static flow whose plan
   * needs a fallback refuses to start: it ends FAILED here.
   */
  async #prepare(): Promise<
    { graphData: { [key: string]: Json } } | { outcome: RunOutcome<unknown> }
  > {
    const { options } = this.spec;
    const mirror = this.mirror;
    try {
      this.#contract = await graphContract(
        options.graphMode ?? "auto",
        this.spec.moduleUrl,
        this.spec.name,
      );
    } catch (error) {
      const err = asError(error);
      await mirror.transition(FAILED, {
        kind: "fail",
        data: failureData(err, undefined, 0),
        error: err,
      });
      return { outcome: this.#outcome(undefined, err) };
    }
    const contract = this.#contract;
    if (contract.plan) await this.plane.savePlan(this.spec.name, contract.plan).catch(() => {});
    const graphData: { [key: string]: Json } = {
      graphMode: contract.declared,
      effectiveGraphMode: contract.effective,
      ...(contract.plan ? { planFingerprint: contract.plan.fingerprint } : {}),
    };
    if (mirror.run.attempt > 1 || mirror.run.runCount > 0) {
      this.#resume = ResumeIndex.from(
        mirror.run,
        await this.plane.lineageHistory(mirror.run.lineageId),
        contract.plan?.fingerprint,
      );
    }
    return { graphData };
  }

  /** Proposes RUNNING; the run's outcome when it did not start (it is not attempted then). */
  async #start(
    attempt: number,
    graphData: { [key: string]: Json },
  ): Promise<RunOutcome<unknown> | undefined> {
    const mirror = this.mirror;
    const started = await proposeStart(
      mirror,
      this.plane.timer,
      this.signal,
      startRequest(attempt > 1 ? StateName.Retrying : undefined, graphData),
    ).then((start) => start.started, () => false);
    if (started) return undefined;
    if (mirror.state === CANCELLING || this.signal.aborted) return await this.#handleCancel();
    return this.#outcome(undefined, stoppedError(mirror));
  }

  /** Runs the body once in the run's context, under the flow's timeout. */
  async #attempt(args: unknown[]): Promise<Attempt<unknown>> {
    const outcome = await this.attempts.run(
      this.spec.options.timeoutSeconds,
      (signal) =>
        withContext({ ...this.context, signal }, async () => {
          const value = await this.spec.fn(...args);
          return isFuture(value) ? await value.result() : value;
        }),
      `Flow run "${this.mirror.run.runName}"`,
    );
    // A timed-out flow cancels the task runs it leaves behind.
    if (outcome.timedOut) this.cancel(outcome.error!);
    return outcome;
  }

  /**
   * The body returned: proposes COMPLETED (or the state it returned) with its
   * children's report, and the engine decides. `undefined` when it retries.
   */
  async #handleReturn(
    proposal: BodyProposal,
    attempt: number,
  ): Promise<RunOutcome<unknown> | undefined> {
    const { options } = this.spec;
    const mirror = this.mirror;
    const report = proposal.report as unknown as Json;
    if (proposal.to === FAILED) {
      const message = proposal.returned?.message ?? undefined;
      return await this.#handleFailure(proposal.error!, false, attempt, proposal.report, message);
    }
    if (proposal.to === CANCELLED) {
      await mirror.transition(CANCELLED, {
        kind: "returned_state",
        data: { message: proposal.error!.message, finalState: report },
        error: proposal.error!,
      });
      return this.#outcome(undefined, proposal.error);
    }
    // The failure the engine may decide (by the mode) and the retry it would get.
    const { failedSummary, returnedSummary } = proposal.report;
    const mayFail = options.finalState === "prefect" ? returnedSummary : failedSummary;
    const delay = mayFail !== undefined && options.finalState !== "explicit"
      ? await retryDelay(
        options,
        new FlowRunError(mayFail, mirror.id, FAILED),
        attempt,
        (m) => this.warn(m),
      )
      : undefined;
    const value = proposal.value;
    const data = await resultData(
      this.plane,
      value,
      this.persists(options),
      undefined,
      (message) => this.warn(message),
      options,
    ) ?? {};
    data["finalState"] = report;
    if (proposal.returned?.message) data["message"] = proposal.returned.message;
    if (delay !== undefined) {
      data["retries"] = options.retries ?? 0;
      data["retryDelayMs"] = delay;
    }
    await mirror.transition(COMPLETED, {
      kind: proposal.returned ? "returned_state" : "complete",
      result: value,
      data,
    });
    const state = mirror.state as StateType;
    if (state === COMPLETED) return this.#outcome(value);
    const error = new FlowRunError(
      mirror.run.message ?? `Flow run ended ${state}`,
      mirror.id,
      state,
    );
    if (state === SCHEDULED) return await this.#awaitRetry(delay);
    if (state === FAILED) this.#logFailure(error, false);
    return this.#outcome(
      undefined,
      state === FAILED || state === CANCELLED ? error : stoppedError(mirror),
    );
  }

  /**
   * Proposes FAILED (or TimedOut); the engine's retry rule may turn it into
   * SCHEDULED "AwaitingRetry". The run's outcome when it ended, `undefined`
   * when it is to be attempted again (after the delay).
   */
  async #handleFailure(
    error: Error,
    timedOut: boolean,
    attempt: number,
    report: FinalStateReport,
    returnedMessage?: string,
  ): Promise<RunOutcome<unknown> | undefined> {
    const { options } = this.spec;
    const mirror = this.mirror;
    const delay = timedOut
      ? undefined
      : await retryDelay(options, error, attempt, (message) => this.warn(message));
    this.#logFailure(error, delay !== undefined);
    await mirror.transition(FAILED, {
      kind: timedOut ? "timeout" : returnedMessage !== undefined ? "returned_state" : "fail",
      ...(timedOut ? { name: StateName.TimedOut } : {}),
      data: {
        ...failureData(error, delay, options.retries ?? 0),
        finalState: report as unknown as Json,
        // A returned Failed(...) shows its own message.
        ...(returnedMessage !== undefined ? { message: returnedMessage } : {}),
      },
      error,
    });
    if (mirror.state !== SCHEDULED) {
      return mirror.state === COMPLETED
        ? this.#outcome(undefined)
        : this.#outcome(undefined, error);
    }
    return await this.#awaitRetry(delay);
  }

  #logFailure(error: Error, willRetry: boolean): void {
    writeLog(
      this.context,
      LogLevel.ERROR,
      `Flow run "${this.mirror.run.runName}" failed${willRetry ? " (will retry)" : ""}: ${
        error.stack ?? error.message
      }`,
      "ironflow.flow",
    );
  }

  /** The engine scheduled a retry: waits for it (or a cancel). */
  async #awaitRetry(delay: number | undefined): Promise<RunOutcome<unknown> | undefined> {
    try {
      await this.plane.timer.sleep(delay ?? 0, this.signal);
      return undefined;
    } catch {
      return await this.#handleCancel();
    }
  }

  /** The run was cancelled (or paused with terminate): its children end first. */
  async #handleCancel(): Promise<RunOutcome<unknown>> {
    await this.#settleChildren();
    const mirror = this.mirror;
    if (this.pauses.terminated && mirror.state === PAUSED) {
      // Paused with terminate: the run waits for a resume, which re-runs it with resume skips.
      return { runId: mirror.id, state: mirror.snapshot() };
    }
    const reason = this.signal.reason;
    const message = reason instanceof Error ? reason.message : "Flow run was cancelled";
    if (
      mirror.state === RUNNING || mirror.state === CANCELLING ||
      mirror.state === PENDING || mirror.state === SCHEDULED
    ) {
      await mirror.transition(CANCELLED, {
        kind: "user_cancel",
        data: { message },
        allowRewrite: false,
      });
    }
    return this.#outcome(
      undefined,
      new CancelledError(`Flow run "${mirror.run.runName}" was cancelled: ${message}`),
    );
  }

  async #settleChildren(): Promise<ChildStates> {
    // Children may submit more children while we wait: loop until stable.
    const seen = new Set<TaskFuture<unknown>>();
    const states: ChildStates = [];
    while (seen.size < this.children.length) {
      const batch = this.children.filter((child) => !seen.has(child));
      for (const child of batch) seen.add(child);
      const settled = await Promise.all(batch.map((child) => child._outcome()));
      batch.forEach((future, i) => states.push({ future, state: settled[i]!.state }));
    }
    return states;
  }

  #outcome(value: unknown, error?: Error): RunOutcome<unknown> {
    const state = this.mirror.snapshot();
    if (state.type === COMPLETED) return { runId: this.mirror.id, state, result: value };
    return {
      runId: this.mirror.id,
      state,
      error: error ?? new FlowRunError(
        `Flow run "${this.mirror.run.runName}" ended ${state.type}`,
        this.mirror.id,
        state.type,
      ),
    };
  }
}
