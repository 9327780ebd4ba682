/**
 * The task-run engine: one task run, from its creation to its final state, as named steps
 * (await upstream, try resume, try cache, start, attempt, complete, fail or retry).
 * @module
 */
import {
  type Json,
  LogLevel,
  type NewRun,
  type RunRecord,
  StateName,
  StateType,
  type UpstreamEdge,
  uuidv7,
} from "../engine/mod.ts";
import { type InternalContext, withContext } from "./context.ts";
import { asError, CancelledError } from "./errors.ts";
import { asReturnedState, type State } from "./state.ts";
import {
  collectAllowed,
  collectFutures,
  resolveFutures,
  resultEdges,
  type TaskFuture,
} from "./future.ts";
import { writeLog } from "./logger.ts";
import { decodeResult, storedResultOf } from "./results.ts";
import { inputFingerprint } from "./resume.ts";
import { proposalFor, RunMirror } from "./run_mirror.ts";
import {
  type Attempt,
  failureData,
  hooksOf,
  proposeStart,
  resultData,
  retryDelay,
  settleFuture,
  startData,
  startRequest,
  stoppedError,
} from "./run_steps.ts";
import type { TaskSpec } from "./run_specs.ts";
import {
  cacheKeyLock,
  recordResultArtifact,
  restoreTaskRun,
  taskCacheKey,
  taskParameters,
  taskRunName,
} from "./task_records.ts";
import { hookList, type TransactionMembership } from "./transaction_hooks.ts";
import { withScopeTags } from "./tags.ts";
import type { EarlyStart, Slot, TaskCall, TaskRunHost } from "./task_run_types.ts";

export type { TaskCall, TaskRunHost };

const { RUNNING, COMPLETED, FAILED, CANCELLED, SCHEDULED } = StateType;

const NO_FUTURES: readonly TaskFuture<unknown>[] = [];

/**
 * Runs one task run to its end and settles its future. Never rejects: an
 * infrastructure failure settles the future CRASHED.
 */
export function runTask<T>(host: TaskRunHost, call: TaskCall<T>): Promise<void> {
  // A promise chain, not an async wrapper: one frame less held per waiting task run.
  let running: Promise<void>;
  try {
    running = new TaskRunEngine(host, call).run();
  } catch (error) {
    call.onCreated?.();
    handleCrash(call.future, error);
    return Promise.resolve();
  }
  return running.catch((error) => handleCrash(call.future, error));
}

// Infrastructure failure (store, network): the task run's outcome is unknown.
function handleCrash(future: TaskFuture<unknown>, error: unknown): void {
  const err = asError(error);
  future._settle({
    state: { type: "CRASHED", name: "Crashed", message: err.message },
    error: err,
  });
}

class TaskRunEngine<T> {
  readonly #host: TaskRunHost;
  readonly #spec: TaskSpec;
  readonly #future: TaskFuture<T>;
  readonly #args: unknown[];
  readonly #key: string;
  readonly #dataDeps: TaskFuture<unknown>[];
  readonly #waitFor: readonly TaskFuture<unknown>[];
  readonly #parentTaskRun: InternalContext["taskRun"];
  #early: EarlyStart | undefined;
  #run!: RunRecord;
  #mirror!: RunMirror;
  #resolved!: unknown[];
  #persist = false;
  #inputs: string | undefined;
  #cacheKey: string | undefined;
  #allowFailed: readonly TaskFuture<unknown>[];
  readonly #transaction: TransactionMembership | undefined;
  readonly #existing: RunRecord | undefined;
  readonly #onCreated: (() => void) | undefined;
  readonly #warnRun = (message: string) => this.#host.warn(message, this.#run.id);

  constructor(host: TaskRunHost, call: TaskCall<T>) {
    this.#host = host;
    this.#spec = call.spec;
    this.#future = call.future;
    this.#args = call.args;
    this.#key = call.key;
    this.#dataDeps = collectFutures(call.args);
    this.#waitFor = call.waitFor ?? NO_FUTURES;
    this.#allowFailed = call.allowFailed ?? NO_FUTURES;
    this.#transaction = call.transaction;
    this.#parentTaskRun = call.parentTaskRun;
    this.#existing = call.existingRun;
    this.#onCreated = call.onCreated;
  }

  async run(): Promise<void> {
    try {
      await this.#create();
    } finally {
      this.#onCreated?.();
    }
    if (!await this.#awaitUpstream()) return;
    if (await this.#tryResume()) return;
    this.#cacheKey = this.#early
      ? this.#early.cacheKey
      : taskCacheKey(this.#spec, this.#resolved, this.#host);
    const unlock = this.#spec.options.cachePolicy?.isolationLevel === "SERIALIZABLE"
      ? await cacheKeyLock(this.#cacheKey)
      : undefined;
    try {
      await this.#attempts();
    } finally {
      unlock?.();
    }
  }

  async #attempts(): Promise<void> {
    for (let attempt = 1;; attempt++) {
      const slot = await this.#takeSlot();
      if (!slot) return this.#settle(undefined, await this.#cancel());
      const outcome = await this.#attempt(attempt, slot);
      if (!outcome) return;
      if (outcome.cancelled) return this.#settle(undefined, await this.#cancel());
      const returned = outcome.ok ? asReturnedState(outcome.value) : undefined;
      if (returned?.isCancelled()) return await this.#endCancelled(returned);
      if (returned && !returned.isCompleted()) {
        // A returned Failed(...) is a failure like a raised error: retries apply.
        const error = returned.result({ raiseOnFailure: false }) as Error;
        if (!await this.#failOrRetry({ ok: false, error }, attempt)) return;
        continue;
      }
      if (outcome.ok) {
        return await this.#complete((returned ? returned.result() : outcome.value) as T);
      }
      if (!await this.#failOrRetry(outcome, attempt)) return;
    }
  }

  /** Creates the task run, with its upstream edges; starts it in the same batch when it can. */
  async #create(): Promise<void> {
    if (this.#existing) return this.#adopt(this.#existing);
    // The id is known before the run exists (as Prefect's task_run_id is at
    // submit): a task submitted with this future creates its run at once, in
    // the same batch, instead of waiting for this creation to commit.
    // A submitted run got its id at submit; a standalone one gets it here.
    let runId = this.#future.runId;
    if (runId === undefined) {
      runId = uuidv7();
      this.#future._setRunId(runId);
    }
    const upstream: UpstreamEdge[] = [];
    for (const dep of this.#dataDeps) {
      upstream.push({ runId: dep.runId ?? await dep._runIdReady(), kind: "data" });
    }
    for (const dep of this.#waitFor) {
      upstream.push({ runId: dep.runId ?? await dep._runIdReady(), kind: "waitFor" });
    }
    const results = this.#host.results;
    if (results !== undefined) resultEdges(this.#args, results, upstream);
    const host = this.#host;
    const spec = this.#spec;
    const future = this.#future;
    const flowRun = host.mirror.run;
    const newRun: NewRun = {
      id: runId,
      kind: "task",
      name: spec.name,
      flowName: flowRun.flowName,
      runName: taskRunName(spec, this.#args, this.#key, future.mapIndex),
      parentId: flowRun.id,
      rootId: flowRun.rootId,
      depth: flowRun.depth,
      lineageId: flowRun.lineageId,
      attempt: flowRun.attempt,
      taskKey: this.#key,
      mapIndex: future.mapIndex,
      tags: withScopeTags(spec.options.tags ?? []),
      parameters: taskParameters(this.#args, this.#dataDeps.length > 0),
      upstream,
    };
    if (this.#parentTaskRun) newRun.parentTaskRunId = this.#parentTaskRun.id;
    if (host.standalone) {
      // Called outside a flow: a root run of its own (rootId and lineage default to its id).
      Object.assign(newRun, {
        parentId: null,
        rootId: null,
        lineageId: null,
        depth: 0,
        attempt: 1,
      });
    }
    const creation = host.plane.createRun(newRun);
    this.#early = this.#dataDeps.length === 0 && this.#waitFor.length === 0
      ? this.#startWithCreation(runId)
      : undefined;
    try {
      this.#run = await creation;
    } catch (error) {
      this.#early?.release();
      throw error;
    }
    future._setRunId(this.#run.id);
    this.#mirror = new RunMirror(this.#run, host.plane, hooksOf(spec.options), this.#warnRun);
  }

  #adopt(run: RunRecord): void {
    this.#run = run;
    this.#future._setRunId(run.id);
    this.#mirror = new RunMirror(run, this.#host.plane, hooksOf(this.#spec.options), this.#warnRun);
  }

  /**
   * A task run with nothing to wait for proposes RUNNING right behind its
   * creation when the runner has a slot free now: both commit in one engine
   * batch instead of two round trips. `undefined` when it has to take the
   * usual way (resuming, drained, cancelled, or no free slot).
   */
  #startWithCreation(runId: string): EarlyStart | undefined {
    const host = this.#host;
    if (
      host.resume !== undefined || host.pauses.drained !== undefined || host.signal.aborted ||
      this.#spec.options.cachePolicy?.isolationLevel === "SERIALIZABLE"
    ) return undefined;
    const release = host.runner.tryAcquire?.();
    if (!release) return undefined;
    const cacheKey = taskCacheKey(this.#spec, this.#args, this.#host);
    const request = startRequest(undefined, startData(cacheKey, this.#spec.options));
    const answer = host.plane.propose(runId, proposalFor(runId, 1, RUNNING, request));
    // Taken in by the task's mirror; a failed creation fails this answer too.
    answer.catch(() => {});
    return { release, answer, cacheKey };
  }

  /** Waits for the upstream runs; false when one did not complete (this run is then CANCELLED). */
  async #awaitUpstream(): Promise<boolean> {
    const dataDeps = this.#dataDeps;
    const waitFor = this.#waitFor;
    if (dataDeps.length > 0 || waitFor.length > 0) {
      const deps = [...dataDeps, ...waitFor];
      const outcomes = await Promise.all(deps.map((f) => f._outcome()));
      let failed = outcomes.findIndex((o) => o.state.type !== COMPLETED);
      if (failed >= 0) {
        // Upstreams wrapped in allowFailure() may have failed: only the others cancel this run.
        const allowed = collectAllowed(this.#args, new Set(this.#allowFailed));
        failed = outcomes.findIndex((o, i) => o.state.type !== COMPLETED && !allowed.has(deps[i]!));
      }
      if (failed >= 0) {
        const dep = deps[failed]!;
        const outcome = outcomes[failed]!;
        const message =
          `Upstream task run "${dep.runId}" (${dep.taskName}) ended ${outcome.state.type}`;
        await this.#mirror.transition(CANCELLED, {
          kind: "upstream_failed",
          data: { message },
          allowRewrite: false,
        });
        this.#settle(undefined, outcome.error ?? new CancelledError(message));
        return false;
      }
    }
    this.#resolved = dataDeps.length > 0
      ? await resolveFutures(this.#args) as unknown[]
      : this.#args;
    this.#persist = this.#host.persists(this.#spec.options);
    this.#inputs = this.#persist || this.#host.resume
      ? inputFingerprint(this.#resolved)
      : undefined;
    return true;
  }

  /** Restores the run from an earlier attempt of the flow run when it completed there; true if so. */
  async #tryResume(): Promise<boolean> {
    const resume = this.#host.resume;
    const inputs = this.#inputs;
    if (!resume || inputs === undefined) return false;
    // A recomputed upstream invalidates its downstream: only resumed inputs allow a skip.
    const upstreamResumed = this.#dataDeps.every((dep) => dep._resumed) &&
      this.#waitFor.every((dep) => dep._resumed);
    const hit = upstreamResumed ? resume.find(this.#key, this.#future.mapIndex, inputs) : undefined;
    if (!hit) return false;
    const restored = await restoreTaskRun(this.#host, this.#mirror, hit, inputs);
    if (!restored.ok) return false;
    this.#future._markResumed();
    this.#settle(restored.value as T);
    return true;
  }

  /** A runner slot for the next attempt (after a drain); `undefined` when the flow run was cancelled. */
  async #takeSlot(): Promise<Slot | undefined> {
    const early = this.#early;
    if (early) {
      // Proposed with the creation: the checks below passed when it was sent.
      this.#early = undefined;
      return { release: early.release, sent: early.answer };
    }
    const host = this.#host;
    if (host.signal.aborted) return undefined;
    const drained = host.pauses.drained;
    if (drained) await drained;
    if (host.signal.aborted) return undefined;
    try {
      return { release: await host.runner.acquire(host.signal), sent: undefined };
    } catch {
      return undefined;
    }
  }

  /**
   * Starts the run and runs its body once on the runner. `undefined` when the
   * run ended without running (cancelled, a cache hit, or stopped by others):
   * its future is settled then.
   */
  async #attempt(attempt: number, slot: Slot): Promise<Attempt<T> | undefined> {
    const host = this.#host;
    const spec = this.#spec;
    const mirror = this.#mirror;
    const run = this.#run;
    let inFlight = false;
    try {
      const start = await proposeStart(
        mirror,
        host.plane.timer,
        host.signal,
        startRequest(
          attempt > 1 ? StateName.Retrying : undefined,
          startData(this.#cacheKey, spec.options),
        ),
        slot.sent,
      ).catch(() => ({ started: false, cancelled: true } as const));
      if ("cancelled" in start) return this.#settle(undefined, await this.#cancel());
      if (start.cached) return await this.#tryCache(start.cached);
      if (!start.started) return this.#settle(undefined, stoppedError(mirror));
      inFlight = true;
      host.pauses.taskStarted();
      this.#future._setState(mirror.snapshot());
      const taskRun = { id: run.id, name: run.runName, attempt };
      const logPrints = spec.options.logPrints ?? host.context.logPrints;
      const resolved = this.#resolved;
      return await host.attempts.run<T>(
        spec.options.timeoutSeconds,
        (signal) =>
          withContext(
            { ...host.context, taskRun, logPrints, signal },
            () =>
              host.runner.execute({
                taskName: spec.name,
                moduleUrl: spec.moduleUrl,
                fn: spec.fn,
                args: resolved,
                signal,
              }),
          ) as Promise<T>,
        `Task run "${run.runName}"`,
      );
    } finally {
      slot.release();
      if (inFlight) host.pauses.taskEnded();
    }
  }

  /** The engine answered the start with a cache hit: settles with the cached value. */
  async #tryCache(data: { [key: string]: Json }): Promise<undefined> {
    const stored = storedResultOf(data);
    try {
      const value = stored ? await decodeResult(stored, this.#host.plane.results) : undefined;
      return this.#settle(value as T);
    } catch (error) {
      const err = asError(error);
      this.#host.warn(`Cached result could not be read: ${err.message}`, this.#run.id);
      return this.#settle(undefined, err);
    }
  }

  /** Proposes COMPLETED with what the result records (stored result, cache key, inputs). */
  async #complete(value: T): Promise<void> {
    const host = this.#host;
    const options = this.#spec.options;
    const mirror = this.#mirror;
    const cacheKey = this.#cacheKey;
    const data = await resultData(
      host.plane,
      value,
      this.#persist || cacheKey !== undefined,
      // "No result" is always resumable, persisted or not: it needs its inputs recorded.
      this.#inputs ?? (value === undefined ? inputFingerprint(this.#resolved) : undefined),
      this.#warnRun,
      host.resultOptions(options),
    );
    if (cacheKey !== undefined && data?.["result"] !== undefined) {
      data["cacheKey"] = cacheKey;
      const expiration = options.cacheExpiration;
      if (expiration !== undefined) {
        data["cacheExpiresAt"] = host.plane.timer.now() + expiration * 1000;
      }
    }
    await mirror.transition(COMPLETED, {
      kind: "complete",
      result: value,
      ...(data ? { data } : {}),
    });
    if (mirror.state === COMPLETED && this.#persist && data?.["result"] !== undefined) {
      await recordResultArtifact(host, this.#run, data["result"]);
    }
    if (mirror.state !== COMPLETED) return this.#settle(undefined, stoppedError(mirror));
    this.#transaction?._completed({
      taskName: this.#spec.name,
      taskRunId: mirror.id,
      result: value,
      onCommit: hookList(options.onCommit),
      onRollback: hookList(options.onRollback),
    });
    return this.#settle(value);
  }

  /**
   * Proposes FAILED (or TimedOut); the engine's retry rule may turn it into
   * SCHEDULED "AwaitingRetry". True when the run is to be attempted again
   * (after the delay); otherwise its future is settled.
   */
  async #failOrRetry(outcome: Attempt<T>, attempt: number): Promise<boolean> {
    const host = this.#host;
    const options = this.#spec.options;
    const mirror = this.#mirror;
    const run = this.#run;
    const error = outcome.error!;
    const delay = await retryDelay(options, error, attempt, (m) => host.warn(m));
    writeLog(
      { ...host.context, taskRun: { id: run.id, name: run.runName, attempt } },
      LogLevel.ERROR,
      `Task run "${run.runName}" failed${delay !== undefined ? " (will retry)" : ""}: ${
        error.stack ?? error.message
      }`,
      "ironflow.task",
    );
    await mirror.transition(FAILED, {
      kind: outcome.timedOut ? "timeout" : "fail",
      ...(outcome.timedOut ? { name: StateName.TimedOut } : {}),
      data: failureData(error, delay, options.retries ?? 0),
      error,
    });
    if (mirror.state !== SCHEDULED) {
      if (mirror.state === COMPLETED) this.#settle(undefined as T);
      else this.#settle(undefined, error);
      return false;
    }
    this.#future._setState(mirror.snapshot());
    try {
      await host.plane.timer.sleep(delay ?? 0, host.signal);
      return true;
    } catch {
      this.#settle(undefined, await this.#cancel());
      return false;
    }
  }

  /** The body returned `Cancelled(...)`: the run proposes CANCELLED with its message. */
  async #endCancelled(state: State): Promise<void> {
    const error = state.result({ raiseOnFailure: false }) as Error;
    await this.#mirror.transition(CANCELLED, {
      kind: "returned_state",
      data: { message: error.message },
      error,
    });
    this.#settle(undefined, error);
  }

  /** The flow run was cancelled: this run ends CANCELLED unless it already ended. */
  async #cancel(): Promise<Error> {
    const mirror = this.#mirror;
    const reason = this.#host.signal.reason;
    const message = reason instanceof Error ? reason.message : "Flow run was cancelled";
    if (mirror.state !== CANCELLED && mirror.state !== COMPLETED && mirror.state !== FAILED) {
      await mirror.transition(CANCELLED, {
        kind: "user_cancel",
        data: { message },
        allowRewrite: false,
      });
    }
    return new CancelledError(`Task run "${mirror.run.runName}" was cancelled: ${message}`);
  }

  #settle(value?: T, error?: Error): undefined {
    // An object result is tracked by identity: passed on, it is a dependency edge.
    if (value !== null && typeof value === "object" && this.#run !== undefined) {
      this.#host.results?.set(value, this.#run.id);
    }
    settleFuture(this.#future, this.#mirror, value, error);
    return undefined;
  }
}
