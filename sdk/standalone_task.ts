/**
 * A task called outside a flow records a task run of its own, as in Prefect 3:
 * it is a root run (no parent flow run) with the task engine's retries,
 * caching, timeouts, hooks and result persistence. Its logs and artifacts are
 * filed under the task run itself.
 *
 * @module
 */
import type { RunRecord } from "../engine/mod.ts";
import { LogLevel } from "../engine/mod.ts";
import type { InternalContext, RunExecution } from "./context.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { TaskFuture } from "./future.ts";
import { CancelledError } from "./errors.ts";
import { keepAlive } from "./liveness.ts";
import { writeLog } from "./logger.ts";
import type { RunOptions } from "./options.ts";
import type { RunMirror } from "./run_mirror.ts";
import { RunPauses } from "./run_pauses.ts";
import { Attempts } from "./run_steps.ts";
import type { TaskSpec } from "./run_specs.ts";
import { ConcurrentTaskRunner, type TaskRunner } from "./runners.ts";
import { runTask, type TaskRunHost } from "./task_run.ts";
import { defaultPersistResult, impliedPersist } from "./env.ts";
import { getTransaction } from "./transaction.ts";

/**
 * Runs one task call outside a flow as a root task run; settles `future`.
 * A call made inside a `transaction()` block joins that transaction and, by
 * default, uses its control plane.
 */
export async function runStandaloneTask<T>(
  spec: TaskSpec,
  args: unknown[],
  future: TaskFuture<T>,
  plane?: ControlPlane,
  parentTaskRunId?: string,
  claimed?: RunRecord,
): Promise<void> {
  // A claimed background run executes for another process: no transaction of this one applies.
  const txn = claimed ? undefined : getTransaction();
  txn?._track(future as TaskFuture<unknown>);
  plane ??= txn?._plane ?? getControlPlane();
  const host = new StandaloneTaskHost(plane, spec, future as TaskFuture<unknown>, !!claimed);
  const parentTaskRun = parentTaskRunId !== undefined
    ? { id: parentTaskRunId, name: "", attempt: 0 }
    : undefined;
  const key = claimed?.taskKey ?? `${spec.name}#0`;
  // A root run has no flow run to vouch for it: it heartbeats itself, so a
  // process that dies leaves it CRASHED by the reaper, not RUNNING forever.
  let ended = false;
  let stopHeartbeats = () => {};
  void (future as TaskFuture<unknown>)._runIdReady().then((runId) => {
    if (ended) return;
    stopHeartbeats = keepAlive(plane, runId, (answer) => {
      if (answer.stop) {
        host.cancel(
          new CancelledError(`Task run ended elsewhere as "${answer.state ?? "deleted"}"`),
        );
      }
    });
  });
  try {
    await runTask(host, {
      spec,
      future,
      args,
      key,
      waitFor: [],
      parentTaskRun,
      existingRun: claimed,
      transaction: txn,
    });
  } finally {
    ended = true;
    stopHeartbeats();
  }
  await plane.flush();
}

// Starts run by run: the early start sends RUNNING before the run's id is known here.
function withoutEarlyStart(runner: TaskRunner): TaskRunner {
  return {
    name: runner.name,
    acquire: (signal) => runner.acquire(signal),
    execute: (job) => runner.execute(job),
  };
}

/** What a standalone task run uses in place of a flow run. */
class StandaloneTaskHost implements TaskRunHost, RunExecution {
  readonly plane: ControlPlane;
  readonly runner = withoutEarlyStart(new ConcurrentTaskRunner());
  readonly #controller = new AbortController();
  readonly attempts: Attempts;
  readonly pauses: RunPauses;
  readonly resume = undefined;
  readonly children: TaskFuture<unknown>[] = [];
  readonly context: InternalContext;
  readonly #future: TaskFuture<unknown>;
  readonly #spec: TaskSpec;
  #calls = 0;

  /** A background task run's result is always stored: its caller reads it from there. */
  readonly #persistAlways: boolean;

  constructor(
    plane: ControlPlane,
    spec: TaskSpec,
    future: TaskFuture<unknown>,
    persistAlways: boolean,
  ) {
    this.#persistAlways = persistAlways;
    this.plane = plane;
    this.#spec = spec;
    this.#future = future;
    this.attempts = new Attempts(this.#controller.signal, plane.timer);
    // Nobody drains a standalone run: its pauses only count task bodies in flight.
    const running = { run: { state: "RUNNING" } } as unknown as RunMirror;
    this.pauses = new RunPauses(running, (m) => this.warn(m));
    this.context = {
      // The task run is its own root: its id stands for the flow run's in logs and artifacts.
      get flowRun() {
        return { id: future.runId ?? "", name: spec.name, parameters: null };
      },
      signal: this.#controller.signal,
      execution: this,
      plane,
      logPrints: spec.options.logPrints ?? false,
    };
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the run's attempts: the engine says it ended without this process. */
  cancel(reason: Error): void {
    this.#controller.abort(reason);
  }

  /** The "flow run" fields a task run copies: none, it is a root run named after its task. */
  get mirror(): RunMirror {
    const id = this.#future.runId ?? "";
    const run = { id, parameters: null, flowName: this.#spec.name } as unknown as RunRecord;
    return { run, id } as unknown as RunMirror;
  }

  get standalone(): true {
    return true;
  }

  persists(options: RunOptions): boolean {
    return this.#persistAlways || (impliedPersist(options) ?? defaultPersistResult());
  }

  resultOptions(options: RunOptions): RunOptions {
    return options;
  }

  warn(message: string, taskRunId: string | null = null): void {
    const id = taskRunId ?? this.#future.runId ?? "";
    writeLog({ ...this.context, taskRun: { id, name: "", attempt: 0 } }, LogLevel.WARNING, message);
  }

  nextKey(name: string): string {
    return `${name}#${this.#calls++}`;
  }

  /** A task called inside this task's body: another standalone run, linked to this one. */
  submitTask<T>(
    spec: TaskSpec,
    future: TaskFuture<T>,
    args: unknown[],
  ): TaskFuture<T> {
    void runStandaloneTask(spec, args, future, this.plane, this.#future.runId ?? undefined);
    return future;
  }

  resumedGate(): boolean {
    return false;
  }

  enterGate(name: string): Promise<void> {
    return Promise.reject(new TypeError(`Gate "${name}" needs a flow run`));
  }

  leaveGate(): Promise<void> {
    return Promise.resolve();
  }
}
