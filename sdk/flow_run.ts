/**
 * Executing one flow run in this process: its body, its task runs, its
 * subflows, cancellation, timeouts and the final state.
 *
 * @module
 */
import {
  type Json,
  LogLevel,
  type NewRun,
  type ProposalResult,
  type RunRecord,
  StateName,
  StateType,
  type UpstreamEdge,
} from "../engine/mod.ts";
import { uuidv7 } from "../engine/mod.ts";
import type { ControlPlane } from "./control_plane.ts";
import { type InternalContext, type RunExecution, withContext } from "./context.ts";
import { asError, CancelledError, FlowRunError, TimeoutError } from "./errors.ts";
import { collectFutures, resolveFutures, type TaskFuture } from "./future.ts";
import { writeLog } from "./logger.ts";
import { allHooks, type RunOptions, type TaskOptions } from "./options.ts";
import type { FlowSpec, TaskSpec } from "./run_specs.ts";

export type { FlowSpec, TaskSpec };
import { retryDelayMs } from "./retry.ts";
import { proposalFor, RunMirror, type TransitionRequest } from "./run_mirror.ts";
import type { TransitionHook } from "./hooks.ts";
import { type Completion, inputFingerprint, ResumeIndex } from "./resume.ts";
import { decodeResult, encodeResult, storedResultOf } from "./results.ts";
import { cacheKeyOf } from "./cache_policies.ts";
import {
  type GraphContract,
  graphContract,
  StaticGraphContractViolation,
} from "./graph_contract.ts";
import { readEnv } from "./env.ts";
import type { TaskRunner } from "./runners.ts";
import type { FlowRunOutcome, RunState } from "./state.ts";

const NO_FUTURES: readonly TaskFuture<unknown>[] = [];

const { PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, CANCELLING, SCHEDULED, PAUSED } = StateType;

interface Attempt<T> {
  ok: boolean;
  value?: T;
  error?: Error;
  timedOut?: boolean;
  cancelled?: boolean;
}

/** Largest task-argument JSON kept as the task run's parameters. */
const MAX_TASK_PARAMETERS_CHARS = 2048;

/** One flow run being executed in this process. */
export class FlowRunExecution implements RunExecution {
  readonly mirror: RunMirror;
  readonly plane: ControlPlane;
  readonly spec: FlowSpec;
  readonly runner: TaskRunner;
  readonly controller = new AbortController();
  /** Futures of the current attempt's task runs and subflows. */
  children: TaskFuture<unknown>[] = [];
  #calls = new Map<string, number>();
  readonly context: InternalContext;
  // One listener on the run's signal fans out to every attempt: thousands of
  // listeners on one AbortSignal would make each add linear.
  readonly #onAbort = new Set<() => void>();
  /** Completed task runs of earlier attempts that this attempt may restore. */
  #resume: ResumeIndex | undefined;
  /** While drained (operator pause), new task runs wait here before they start. */
  #drained: { promise: Promise<void>; release: () => void } | undefined;
  /** Set when an operator paused with `terminate`: the run ends PAUSED, not CANCELLED. */
  #terminatedByPause = false;
  /** Task bodies running now (a drain waits for them). */
  #inFlight = 0;
  /** Gates currently waiting (the flow shows PAUSED while any does). */
  #openGates = 0;
  /** What this run promised about its graph. */
  #contract: GraphContract | undefined;
  #warnedOffPlan = new Set<string>();

  constructor(run: RunRecord, plane: ControlPlane, spec: FlowSpec, runner: TaskRunner) {
    this.plane = plane;
    this.spec = spec;
    this.runner = runner;
    this.mirror = new RunMirror(
      run,
      plane,
      hooksOf(spec.options),
      (message) => this.warn(message),
    );
    this.context = {
      flowRun: { id: run.id, name: run.runName, parameters: run.parameters },
      signal: this.controller.signal,
      execution: this,
      plane,
      logPrints: spec.options.logPrints ?? false,
    };
    this.controller.signal.addEventListener("abort", () => {
      for (const callback of [...this.#onAbort]) callback();
    }, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
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

  /** Aborts the run: running task bodies see the signal, pending ones never start. */
  cancel(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
    // Task runs held by a drain must wake up to see the cancellation.
    this.undrain();
  }

  /** Operator pause `drain`: no new task runs start; in-flight ones finish. */
  drain(): void {
    if (this.#drained) return;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => release = resolve);
    this.#drained = { promise, release };
    this.#settleDrain();
  }

  // PAUSED "Draining" becomes PAUSED "Paused" once no task body is running.
  #settleDrain(): void {
    const run = this.mirror.run;
    if (
      !this.#drained || this.#inFlight > 0 || run.state !== PAUSED ||
      run.stateName !== StateName.Draining
    ) return;
    this.mirror.transition(PAUSED, { kind: "drained", name: StateName.Paused }).catch((error) =>
      this.warn(`Could not mark the drained run paused: ${asError(error).message}`)
    );
  }

  /** Operator resume of a drained run: waiting task runs start. */
  undrain(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.release();
  }

  /** Operator pause `terminate`: running task runs are cancelled and fenced; the run stays PAUSED. */
  terminate(): void {
    this.#terminatedByPause = true;
    this.undrain();
    this.cancel(new CancelledError("Flow run was paused (terminate)"));
  }

  /** Whether an operator paused this run with `terminate`. */
  get terminated(): boolean {
    return this.#terminatedByPause;
  }

  /** Whether a gate with this key was passed in an earlier attempt (then it is not waited for). */
  resumedGate(key: string, inputs: string): boolean {
    return this.#resume?.find(key, null, inputs) !== undefined;
  }

  /** A gate starts waiting: the flow run shows PAUSED while any gate waits. */
  async enterGate(name: string): Promise<void> {
    this.#openGates += 1;
    if (this.#openGates === 1 && this.mirror.state === RUNNING) {
      await this.mirror.transition(PAUSED, {
        kind: "gate_wait",
        name: "AwaitingGate",
        data: { gate: name },
      });
    }
  }

  /** A gate opened: the flow run is RUNNING again once no gate waits. */
  async leaveGate(name: string): Promise<void> {
    this.#openGates -= 1;
    if (this.#openGates === 0 && this.mirror.state === PAUSED && !this.#terminatedByPause) {
      await this.mirror.transition(RUNNING, { kind: "gate_open", data: { gate: name } });
    }
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
    options: { readonly waitFor?: readonly TaskFuture<unknown>[] },
    parentTaskRun: InternalContext["taskRun"],
  ): TaskFuture<T> {
    if (!future.detached) this.children.push(future as TaskFuture<unknown>);
    // Never rejects: an infrastructure failure settles the future CRASHED.
    void this.#runTask(spec, future, args, key, options, parentTaskRun);
    return future;
  }

  async #runTask<T>(
    spec: TaskSpec,
    future: TaskFuture<T>,
    args: unknown[],
    key: string,
    options: { readonly waitFor?: readonly TaskFuture<unknown>[] },
    parentTaskRun: InternalContext["taskRun"],
  ): Promise<void> {
    try {
      const dataDeps = collectFutures(args);
      const waitFor = options.waitFor ?? NO_FUTURES;
      const upstream: UpstreamEdge[] = [];
      for (const dep of dataDeps) {
        upstream.push({ runId: dep.runId ?? await dep._runIdReady(), kind: "data" });
      }
      for (const dep of waitFor) {
        upstream.push({ runId: dep.runId ?? await dep._runIdReady(), kind: "waitFor" });
      }
      const flowRun = this.mirror.run;
      const runId = uuidv7();
      const newRun: NewRun = {
        id: runId,
        kind: "task",
        name: spec.name,
        flowName: flowRun.flowName,
        runName: future.mapIndex === null
          ? key.replace("#", "-")
          : `${spec.name}-${future.mapIndex}`,
        parentId: flowRun.id,
        rootId: flowRun.rootId,
        depth: flowRun.depth,
        lineageId: flowRun.lineageId,
        attempt: flowRun.attempt,
        taskKey: key,
        mapIndex: future.mapIndex,
        tags: spec.options.tags ?? [],
        parameters: taskParameters(args, dataDeps.length > 0),
        upstream,
      };
      if (parentTaskRun) newRun.parentTaskRunId = parentTaskRun.id;
      const creation = this.plane.createRun(newRun);
      let early = dataDeps.length === 0 && waitFor.length === 0
        ? this.#startWithCreation(spec, runId, args)
        : undefined;
      let run: RunRecord;
      try {
        run = await creation;
      } catch (error) {
        early?.release();
        throw error;
      }
      future._setRunId(run.id);
      const mirror = new RunMirror(
        run,
        this.plane,
        hooksOf(spec.options),
        (m) => this.warn(m, run.id),
      );

      if (dataDeps.length > 0 || waitFor.length > 0) {
        const outcomes = await Promise.all([...dataDeps, ...waitFor].map((f) => f._outcome()));
        const failed = outcomes.findIndex((o) => o.state.type !== COMPLETED);
        if (failed >= 0) {
          const dep = [...dataDeps, ...waitFor][failed]!;
          const outcome = outcomes[failed]!;
          const message =
            `Upstream task run "${dep.runId}" (${dep.taskName}) ended ${outcome.state.type}`;
          await mirror.transition(CANCELLED, {
            kind: "upstream_failed",
            data: { message },
            allowRewrite: false,
          });
          return settleFuture(
            future,
            mirror,
            undefined,
            outcome.error ?? new CancelledError(message),
          );
        }
      }
      const resolved = dataDeps.length > 0 ? await resolveFutures(args) as unknown[] : args;
      const retries = spec.options.retries ?? 0;
      const persist = this.#persists(spec.options);
      const inputs = persist || this.#resume ? inputFingerprint(resolved) : undefined;
      if (this.#resume && inputs !== undefined) {
        // A recomputed upstream invalidates its downstream: only resumed inputs allow a skip.
        const upstreamResumed = [...dataDeps, ...waitFor].every((dep) => dep._resumed);
        const hit = upstreamResumed ? this.#resume.find(key, future.mapIndex, inputs) : undefined;
        if (hit) {
          const restored = await this.#restore(hit, mirror, inputs);
          if (restored.ok) {
            future._markResumed();
            return settleFuture(future, mirror, restored.value as T);
          }
        }
      }

      const cacheKey = early ? early.cacheKey : this.#cacheKey(spec, resolved);

      for (let attempt = 1;; attempt++) {
        let release: () => void;
        let sent: Promise<ProposalResult> | undefined;
        if (early) {
          // Proposed with the creation: the checks below passed when it was sent.
          release = early.release;
          sent = early.answer;
          early = undefined;
        } else {
          if (this.signal.aborted) {
            return settleFuture(future, mirror, undefined, await this.#cancelTask(mirror));
          }
          if (this.#drained) await this.#drained.promise;
          if (this.signal.aborted) {
            return settleFuture(future, mirror, undefined, await this.#cancelTask(mirror));
          }
          try {
            release = await this.runner.acquire(this.signal);
          } catch {
            return settleFuture(future, mirror, undefined, await this.#cancelTask(mirror));
          }
        }
        let outcome: Attempt<T>;
        let inFlight = false;
        try {
          const start = await this.#start(
            mirror,
            attempt > 1 ? StateName.Retrying : undefined,
            startData(cacheKey, spec.options),
            sent,
          ).catch(() => ({ started: false, cancelled: true } as const));
          if ("cancelled" in start) {
            return settleFuture(future, mirror, undefined, await this.#cancelTask(mirror));
          }
          if (start.cached) {
            const value = await this.#cachedValue(start.cached, run.id);
            if (value.ok) return settleFuture(future, mirror, value.value as T);
            return settleFuture(future, mirror, undefined, value.error);
          }
          if (!start.started) return settleFuture(future, mirror, undefined, stoppedError(mirror));
          inFlight = true;
          this.#inFlight += 1;
          future._setState(mirror.snapshot());
          const taskRun = { id: run.id, name: run.runName, attempt };
          const logPrints = spec.options.logPrints ?? this.context.logPrints;
          outcome = await this.#attempt<T>(
            spec.options.timeoutSeconds,
            (signal) =>
              withContext(
                { ...this.context, taskRun, logPrints, signal },
                () =>
                  this.runner.execute({
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
          release();
          if (inFlight) {
            inFlight = false;
            this.#inFlight -= 1;
            this.#settleDrain();
          }
        }
        if (outcome.cancelled) {
          return settleFuture(future, mirror, undefined, await this.#cancelTask(mirror));
        }
        if (outcome.ok) {
          const data = await this.#resultData(
            outcome.value,
            persist || cacheKey !== undefined,
            // "No result" is always resumable, persisted or not: it needs its inputs recorded.
            inputs ?? (outcome.value === undefined ? inputFingerprint(resolved) : undefined),
            run.id,
          );
          if (cacheKey !== undefined && data?.["result"] !== undefined) {
            data["cacheKey"] = cacheKey;
            const expiration = spec.options.cacheExpiration;
            if (expiration !== undefined) {
              data["cacheExpiresAt"] = this.plane.timer.now() + expiration * 1000;
            }
          }
          await mirror.transition(COMPLETED, {
            kind: "complete",
            result: outcome.value,
            ...(data ? { data } : {}),
          });
          if (mirror.state === COMPLETED && persist && data?.["result"] !== undefined) {
            await this.#resultArtifact(data["result"], run);
          }
          return mirror.state === COMPLETED
            ? settleFuture(future, mirror, outcome.value)
            : settleFuture(future, mirror, undefined, stoppedError(mirror));
        }
        const error = outcome.error!;
        const delay = await this.#retryDelay(spec.options, error, attempt, retries);
        writeLog(
          { ...this.context, taskRun: { id: run.id, name: run.runName, attempt } },
          LogLevel.ERROR,
          `Task run "${run.runName}" failed${delay !== undefined ? " (will retry)" : ""}: ${
            error.stack ?? error.message
          }`,
          "ironflow.task",
        );
        await mirror.transition(FAILED, {
          kind: outcome.timedOut ? "timeout" : "fail",
          ...(outcome.timedOut ? { name: StateName.TimedOut } : {}),
          data: failureData(error, delay, retries),
          error,
        });
        if (mirror.state !== SCHEDULED) {
          return mirror.state === COMPLETED
            ? settleFuture(future, mirror, undefined as T)
            : settleFuture(future, mirror, undefined, error);
        }
        future._setState(mirror.snapshot());
        try {
          await this.plane.timer.sleep(delay ?? 0, this.signal);
        } catch {
          return settleFuture(future, mirror, undefined, await this.#cancelTask(mirror));
        }
      }
    } catch (error) {
      // Infrastructure failure (store, network): the task run's outcome is unknown.
      const err = asError(error);
      future._settle({
        state: { type: "CRASHED", name: "Crashed", message: err.message },
        error: err,
      });
    }
  }

  /**
   * A task run with nothing to wait for proposes RUNNING right behind its
   * creation when the runner has a slot free now: both commit in one engine
   * batch instead of two round trips. `undefined` when it has to take the
   * usual way (resuming, drained, cancelled, or no free slot).
   */
  #startWithCreation(spec: TaskSpec, runId: string, args: unknown[]): EarlyStart | undefined {
    if (this.#resume !== undefined || this.#drained !== undefined || this.signal.aborted) {
      return undefined;
    }
    const release = this.runner.tryAcquire?.();
    if (!release) return undefined;
    const cacheKey = this.#cacheKey(spec, args);
    const request = startRequest(undefined, startData(cacheKey, spec.options));
    const answer = this.plane.propose(runId, proposalFor(runId, 1, RUNNING, request));
    // Taken in by the task's mirror; a failed creation fails this answer too.
    answer.catch(() => {});
    return { release, answer, cacheKey };
  }

  #cacheKey(spec: TaskSpec, resolved: unknown[]): string | undefined {
    const { cacheKeyFn, cachePolicy } = spec.options;
    const flowRun = this.mirror.run;
    if (cacheKeyFn) {
      try {
        const key = cacheKeyFn({
          taskName: spec.name,
          args: resolved,
          flowRunId: flowRun.id,
          parameters: flowRun.parameters,
        });
        return key === undefined || key === null ? undefined : `${spec.name}-${String(key)}`;
      } catch (error) {
        this.warn(
          `cacheKeyFn of task "${spec.name}" threw, not caching: ${asError(error).message}`,
        );
        return undefined;
      }
    }
    if (!cachePolicy) return undefined;
    return cacheKeyOf(cachePolicy, {
      taskName: spec.name,
      args: resolved,
      source: Function.prototype.toString.call(spec.fn),
      flowParameters: flowRun.parameters,
      flowRunId: flowRun.id,
    });
  }

  /** The value of a cache hit, decoded from the stored result the engine answered with. */
  async #cachedValue(
    data: { [key: string]: Json },
    taskRunId: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: Error }> {
    const stored = storedResultOf(data);
    try {
      return {
        ok: true,
        value: stored ? await decodeResult(stored, this.plane.results) : undefined,
      };
    } catch (error) {
      const err = asError(error);
      this.warn(`Cached result could not be read: ${err.message}`, taskRunId);
      return { ok: false, error: err };
    }
  }

  /** A persisted task result, shown with the run as a "result" artifact. */
  async #resultArtifact(stored: Json, run: RunRecord): Promise<void> {
    const result = stored as { kind?: string; value?: Json; ref?: string; size?: number };
    if (result.kind === "none") return;
    try {
      await this.plane.createArtifact({
        type: "result",
        key: null,
        description: `Result of task run "${run.runName}"`,
        data: result.kind === "inline"
          ? result.value ?? null
          : { ref: result.ref ?? null, size: result.size ?? null },
        flowRunId: this.mirror.id,
        taskRunId: run.id,
      });
    } catch (error) {
      this.warn(`Result artifact not recorded: ${asError(error).message}`, run.id);
    }
  }

  #persists(options: RunOptions): boolean {
    return options.persistResult ?? this.spec.options.persistResult ?? defaultPersistResult();
  }

  /**
   * What the COMPLETED event records about a value: always "no result" for
   * `undefined` (so it can be resumed), the stored result when persisting,
   * and the input fingerprint. A value that cannot be stored is reported.
   */
  async #resultData(
    value: unknown,
    persist: boolean,
    inputs: string | undefined,
    taskRunId: string | null,
  ): Promise<{ [key: string]: Json } | undefined> {
    const data: { [key: string]: Json } = {};
    if (inputs !== undefined) data["inputs"] = inputs;
    if (value === undefined) {
      data["result"] = { kind: "none" };
    } else if (persist) {
      try {
        data["result"] = await encodeResult(value, this.plane.results) as unknown as Json;
      } catch (error) {
        data["resultPersisted"] = false;
        this.warn(`Result not persisted: ${asError(error).message}`, taskRunId);
      }
    }
    return Object.keys(data).length > 0 ? data : undefined;
  }

  /** Restores a task run from an earlier attempt: PENDING → RUNNING → COMPLETED "Cached", no hooks. */
  async #restore(
    hit: Completion,
    mirror: RunMirror,
    inputs: string,
  ): Promise<{ ok: boolean; value?: unknown }> {
    let value: unknown;
    try {
      value = await decodeResult(hit.result, this.plane.results);
    } catch (error) {
      this.warn(
        `Cannot restore the result of "${mirror.run.runName}", running it again: ${
          asError(error).message
        }`,
        mirror.id,
      );
      return { ok: false };
    }
    const data = { cache_hit: true, resumedFrom: hit.runId };
    await mirror.transition(RUNNING, { kind: "resume", data, callHooks: false });
    if (mirror.state !== RUNNING) return { ok: false };
    await mirror.transition(COMPLETED, {
      kind: "resume",
      name: StateName.Cached,
      data: { ...data, inputs, result: hit.result as unknown as Json },
      callHooks: false,
    });
    const final = mirror.state as StateType;
    return final === COMPLETED ? { ok: true, value } : { ok: false };
  }

  /**
   * Proposes RUNNING and waits out what the engine asks for: a delay (a
   * scheduled retry), or SCHEDULED "AwaitingConcurrencySlot" until a tag slot
   * frees. Resolves with the cached result's data when the engine answered a
   * cache hit instead.
   */
  async #start(
    mirror: RunMirror,
    name: string | undefined,
    data?: { [key: string]: Json },
    sent?: Promise<ProposalResult>,
  ): Promise<{ started: boolean; cached?: { [key: string]: Json } }> {
    while (true) {
      const result = await mirror.transition(RUNNING, startRequest(name, data), sent);
      sent = undefined;
      if (result.status === "wait") {
        await this.plane.timer.sleep(result.retryAfterMs ?? 0, this.signal);
        continue;
      }
      const state = mirror.state as StateType;
      if (state === RUNNING) return { started: true };
      if (state === SCHEDULED && mirror.run.stateName === StateName.AwaitingConcurrencySlot) {
        const due = result.data?.["scheduledTime"];
        const wait = typeof due === "number" ? due - this.plane.timer.now() : 250;
        await this.plane.timer.sleep(Math.max(0, wait), this.signal);
        continue;
      }
      if (state === COMPLETED && result.data?.["cache_hit"] === true) {
        return { started: false, cached: result.data };
      }
      return { started: false };
    }
  }

  async #retryDelay(
    options: RunOptions,
    error: Error,
    attempt: number,
    retries: number,
  ): Promise<number | undefined> {
    if (attempt > retries || error instanceof CancelledError) return undefined;
    if (options.retryCondition) {
      try {
        if (!await options.retryCondition(error, attempt)) return undefined;
      } catch (conditionError) {
        this.warn(`retryCondition threw, not retrying: ${asError(conditionError).message}`);
        return undefined;
      }
    }
    return retryDelayMs(options.retryDelaySeconds, attempt, options.retryJitterFactor ?? 0);
  }

  async #cancelTask(mirror: RunMirror): Promise<Error> {
    const reason = this.signal.reason;
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

  /**
   * Runs one attempt of a body with the run's timeout, and stops waiting for
   * it when the flow run is cancelled.
   */
  async #attempt<T>(
    timeoutSeconds: number | undefined,
    body: (signal: AbortSignal) => Promise<T>,
    label: string,
  ): Promise<Attempt<T>> {
    if (timeoutSeconds === undefined) return await this.#attemptUntimed(body);
    const local = new AbortController();
    const onParentAbort = () => local.abort(this.signal.reason);
    if (this.signal.aborted) onParentAbort();
    else this.#onAbort.add(onParentAbort);
    let stopTimer: AbortController | undefined;
    // Only this attempt's own timer makes it TimedOut: an abort from the flow
    // run (cancelled, or the flow itself timed out) cancels it.
    let ownTimeout: TimeoutError | undefined;
    try {
      const stopped = new Promise<Attempt<T>>((resolve) => {
        local.signal.addEventListener("abort", () => {
          const reason = local.signal.reason;
          resolve(
            reason === ownTimeout && ownTimeout !== undefined
              ? { ok: false, error: ownTimeout, timedOut: true }
              : { ok: false, error: asError(reason), cancelled: true },
          );
        }, { once: true });
      });
      if (timeoutSeconds !== undefined) {
        stopTimer = new AbortController();
        this.plane.timer.sleep(timeoutSeconds * 1000, stopTimer.signal).then(
          () => {
            ownTimeout = new TimeoutError(`${label} timed out after ${timeoutSeconds} s`);
            local.abort(ownTimeout);
          },
          () => {},
        );
      }
      if (local.signal.aborted) return await stopped;
      const ran = (async (): Promise<Attempt<T>> => {
        try {
          return { ok: true, value: await body(local.signal) };
        } catch (error) {
          return { ok: false, error: asError(error) };
        }
      })();
      return await Promise.race([ran, stopped]);
    } finally {
      stopTimer?.abort();
      this.#onAbort.delete(onParentAbort);
    }
  }

  // Without a timeout the body sees the run's own signal: no AbortController
  // or event listener per task, and one promise settled by whichever comes
  // first (the body or a cancellation), which matters for thousands of mapped tasks.
  #attemptUntimed<T>(body: (signal: AbortSignal) => Promise<T>): Promise<Attempt<T>> {
    const signal = this.signal;
    if (signal.aborted) {
      return Promise.resolve({ ok: false, error: asError(signal.reason), cancelled: true });
    }
    const onAbort = this.#onAbort;
    return new Promise<Attempt<T>>((resolve) => {
      const stop = () => resolve({ ok: false, error: asError(signal.reason), cancelled: true });
      onAbort.add(stop);
      let running: Promise<T>;
      try {
        running = body(signal);
      } catch (error) {
        onAbort.delete(stop);
        return resolve({ ok: false, error: asError(error) });
      }
      running.then(
        (value) => {
          onAbort.delete(stop);
          resolve({ ok: true, value });
        },
        (error) => {
          onAbort.delete(stop);
          resolve({ ok: false, error: asError(error) });
        },
      );
    });
  }

  /** Runs the flow body attempts and proposes the final state. */
  async execute(args: unknown[]): Promise<FlowRunOutcome<unknown>> {
    const { options } = this.spec;
    const retries = options.retries ?? 0;
    const mirror = this.mirror;
    try {
      this.#contract = await graphContract(
        options.graphMode ?? "auto",
        this.spec.moduleUrl,
        this.spec.name,
      );
    } catch (error) {
      // A static flow whose plan needs a fallback refuses to start.
      const err = asError(error);
      await mirror.transition(FAILED, {
        kind: "fail",
        data: failureData(err, undefined, 0),
        error: err,
      });
      return this.#outcome(undefined, err);
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
    for (let attempt = 1;; attempt++) {
      this.children = [];
      this.#calls = new Map();
      if (this.signal.aborted) return await this.#finishCancelled();
      const started = await this.#start(
        mirror,
        attempt > 1 ? StateName.Retrying : undefined,
        graphData,
      )
        .then((start) => start.started, () => false);
      if (!started) {
        if (mirror.state === CANCELLING || this.signal.aborted) {
          return await this.#finishCancelled();
        }
        return this.#outcome(undefined, stoppedError(mirror));
      }
      const outcome = await this.#attempt(
        options.timeoutSeconds,
        (signal) =>
          withContext({ ...this.context, signal }, async () => {
            const value = await this.spec.fn(...args);
            return isFuture(value) ? await value.result() : value;
          }),
        `Flow run "${mirror.run.runName}"`,
      );
      if (outcome.timedOut) this.cancel(outcome.error!);
      const childStates = await this.#settleChildren();
      // A drained run stays PAUSED (which cannot end a run) until resumed or cancelled.
      if (this.#drained) await this.#drained.promise;
      if (outcome.cancelled || (mirror.state === CANCELLING)) return await this.#finishCancelled();

      let error = outcome.ok ? undefined : outcome.error;
      let target: StateType = outcome.ok ? COMPLETED : FAILED;
      if (outcome.ok && (options.finalState ?? "waitAll") === "waitAll") {
        const folded = foldChildren(childStates);
        if (folded) {
          target = folded.state;
          error = new FlowRunError(folded.message, mirror.id, folded.state);
        }
      }
      if (target === CANCELLED) {
        await mirror.transition(CANCELLED, {
          kind: "children_cancelled",
          data: { message: error!.message },
        });
        return this.#outcome(undefined, error);
      }
      if (target === COMPLETED) {
        const data = await this.#resultData(
          outcome.value,
          this.#persists(options),
          undefined,
          null,
        );
        await mirror.transition(COMPLETED, {
          kind: "complete",
          result: outcome.value,
          ...(data ? { data } : {}),
        });
        return mirror.state === COMPLETED
          ? this.#outcome(outcome.value)
          : this.#outcome(undefined, stoppedError(mirror));
      }
      const delay = outcome.timedOut
        ? undefined
        : await this.#retryDelay(options, error!, attempt, retries);
      writeLog(
        this.context,
        LogLevel.ERROR,
        `Flow run "${mirror.run.runName}" failed${delay !== undefined ? " (will retry)" : ""}: ${
          error!.stack ?? error!.message
        }`,
        "ironflow.flow",
      );
      await mirror.transition(FAILED, {
        kind: outcome.timedOut ? "timeout" : "fail",
        ...(outcome.timedOut ? { name: StateName.TimedOut } : {}),
        data: failureData(error!, delay, retries),
        error: error!,
      });
      if (mirror.state !== SCHEDULED) {
        return mirror.state === COMPLETED
          ? this.#outcome(undefined)
          : this.#outcome(undefined, error);
      }
      try {
        await this.plane.timer.sleep(delay ?? 0, this.signal);
      } catch {
        return await this.#finishCancelled();
      }
    }
  }

  async #settleChildren(): Promise<Array<{ future: TaskFuture<unknown>; state: RunState }>> {
    // Children may submit more children while we wait: loop until stable.
    const seen = new Set<TaskFuture<unknown>>();
    const states: Array<{ future: TaskFuture<unknown>; state: RunState }> = [];
    while (seen.size < this.children.length) {
      const batch = this.children.filter((child) => !seen.has(child));
      for (const child of batch) seen.add(child);
      const settled = await Promise.all(batch.map((child) => child._outcome()));
      batch.forEach((future, i) => states.push({ future, state: settled[i]!.state }));
    }
    return states;
  }

  async #finishCancelled(): Promise<FlowRunOutcome<unknown>> {
    await this.#settleChildren();
    if (this.#terminatedByPause && this.mirror.state === PAUSED) {
      // Paused with terminate: the run waits for a resume, which re-runs it with resume skips.
      return { runId: this.mirror.id, state: this.mirror.snapshot() };
    }
    const reason = this.signal.reason;
    const message = reason instanceof Error ? reason.message : "Flow run was cancelled";
    if (
      this.mirror.state === RUNNING || this.mirror.state === CANCELLING ||
      this.mirror.state === PENDING || this.mirror.state === SCHEDULED
    ) {
      await this.mirror.transition(CANCELLED, {
        kind: "user_cancel",
        data: { message },
        allowRewrite: false,
      });
    }
    return this.#outcome(
      undefined,
      new CancelledError(`Flow run "${this.mirror.run.runName}" was cancelled: ${message}`),
    );
  }

  #outcome(value: unknown, error?: Error): FlowRunOutcome<unknown> {
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

const hooksByOptions = new WeakMap<RunOptions, TransitionHook[]>();

/** A task run's first RUNNING proposal, sent together with its creation. */
interface EarlyStart {
  release: () => void;
  answer: Promise<ProposalResult>;
  cacheKey: string | undefined;
}

function startRequest(
  name: string | undefined,
  data: { [key: string]: Json } | undefined,
): TransitionRequest {
  const request: TransitionRequest = { kind: "start" };
  if (name) request.name = name;
  if (data) request.data = data;
  return request;
}

function startData(
  cacheKey: string | undefined,
  options: TaskOptions,
): { [key: string]: Json } | undefined {
  if (cacheKey === undefined) return undefined;
  return options.refreshCache ? { cacheKey, refreshCache: true } : { cacheKey };
}

// Ends a task future with the run's state (a function, not a closure per task run).
function settleFuture<T>(future: TaskFuture<T>, mirror: RunMirror, value?: T, error?: Error): void {
  const state = mirror.snapshot();
  future._settle(error ? { state, error } : { state, value: value as T });
}

function hooksOf(options: RunOptions): TransitionHook[] {
  let hooks = hooksByOptions.get(options);
  if (!hooks) hooksByOptions.set(options, hooks = allHooks(options));
  return hooks;
}

function isFuture(value: unknown): value is TaskFuture<unknown> {
  return value !== null && typeof value === "object" &&
    typeof (value as TaskFuture<unknown>)._outcome === "function";
}

function stoppedError(mirror: RunMirror): Error {
  const { type, message } = mirror.snapshot();
  return type === CANCELLED || type === CANCELLING
    ? new CancelledError(
      `Run "${mirror.run.runName}" was cancelled${message ? `: ${message}` : ""}`,
    )
    : new FlowRunError(
      `Run "${mirror.run.runName}" is ${type}${message ? `: ${message}` : ""}`,
      mirror.id,
      type,
    );
}

/** The waitAll fold: any CANCELLED → CANCELLED, any FAILED/unfinished → FAILED. */
function foldChildren(
  children: Array<{ future: TaskFuture<unknown>; state: RunState }>,
): { state: StateType; message: string } | undefined {
  const cancelled = children.filter((c) => c.state.type === CANCELLED);
  if (cancelled.length > 0) {
    return { state: CANCELLED, message: `${describeChildren(cancelled)} ended CANCELLED` };
  }
  const failed = children.filter((c) => c.state.type !== COMPLETED);
  if (failed.length > 0) {
    const first = failed[0]!;
    const detail = first.state.message ? `: ${first.state.message}` : "";
    return {
      state: FAILED,
      message: `${describeChildren(failed)} ended ${first.state.type}${detail}`,
    };
  }
  return undefined;
}

function describeChildren(children: Array<{ future: TaskFuture<unknown> }>): string {
  const names = children.slice(0, 3).map(({ future }) =>
    `"${future.taskName}${future.mapIndex !== null ? `[${future.mapIndex}]` : ""}" (${
      future.runId ?? "not created"
    })`
  );
  const more = children.length > 3 ? ` and ${children.length - 3} more` : "";
  return `Task run ${names.join(", ")}${more}`;
}

function failureData(
  error: Error,
  delay: number | undefined,
  retries: number,
): { [key: string]: Json } {
  const data: { [key: string]: Json } = {
    message: `${error.name}: ${error.message}`,
    error: { name: error.name, message: error.message, stack: error.stack ?? null },
  };
  if (delay !== undefined) {
    data["retries"] = retries;
    data["retryDelayMs"] = delay;
  }
  return data;
}

function taskParameters(args: unknown[], hasFutures: boolean): Json {
  if (args.length === 0) return null;
  try {
    const json = JSON.stringify(args, hasFutures ? futureReplacer : undefined);
    if (json === undefined) return null;
    if (json.length > MAX_TASK_PARAMETERS_CHARS) return { $truncated: json.length };
    // Without futures the arguments serialise as they are; with them, as the replaced copy.
    return hasFutures ? JSON.parse(json) as Json : args as Json;
  } catch {
    return { $unserializable: true };
  }
}

function futureReplacer(_key: string, value: unknown): unknown {
  return isFuture(value) ? { $future: value.runId ?? null } : value;
}

/** Whether results are persisted when no option says: `IRONFLOW_PERSIST_RESULTS`. */
function defaultPersistResult(): boolean {
  persistByDefault ??= /^(1|true|yes)$/i.test(readEnv("IRONFLOW_PERSIST_RESULTS") ?? "");
  return persistByDefault;
}

// Read once: the environment does not change under a running process.
let persistByDefault: boolean | undefined;
