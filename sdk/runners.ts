/**
 * Task runners decide where and how many task bodies run at once.
 *
 * @module
 */
import { InvalidOptionError } from "./errors.ts";
import { Semaphore } from "./semaphore.ts";
import { readEnv } from "./env.ts";

/** One task body to execute. */
export interface TaskJob {
  readonly taskName: string;
  /** Module that defines the task (needed by runners that leave this thread). */
  readonly moduleUrl: string | undefined;
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: unknown[];
  readonly signal: AbortSignal;
}

/** Where task bodies run. */
export interface TaskRunner {
  readonly name: string;
  /** Waits for a slot to run one task body; resolves with its release. */
  acquire(signal: AbortSignal): Promise<() => void>;
  /**
   * Takes a slot only if one is free right now and returns its release, else
   * `undefined` (it never waits). With it, a task run proposes RUNNING
   * together with its creation.
   */
  tryAcquire?(): (() => void) | undefined;
  /** Runs one task body (in a slot acquired before). */
  execute(job: TaskJob): Promise<unknown>;
  /** Frees resources (workers); called when the flow run ends. */
  close?(): void;
}

/** Options of {@linkcode ConcurrentTaskRunner}. */
export interface ConcurrentTaskRunnerOptions {
  /** Task bodies that may run at once. @default Infinity */
  maxConcurrency?: number;
}

/** Runs task bodies concurrently on this thread (the default). */
export class ConcurrentTaskRunner implements TaskRunner {
  readonly name: string = "concurrent";
  readonly #slots: Semaphore | undefined;

  constructor(options: ConcurrentTaskRunnerOptions = {}) {
    const max = options.maxConcurrency ?? Infinity;
    if (!(max >= 1)) {
      throw new InvalidOptionError(`maxConcurrency must be 1 or more, got ${max}`);
    }
    this.#slots = Number.isFinite(max) ? new Semaphore(max) : undefined;
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    return this.#slots ? this.#slots.acquire(signal) : Promise.resolve(noop);
  }

  tryAcquire(): (() => void) | undefined {
    return this.#slots ? this.#slots.tryAcquire() : noop;
  }

  async execute(job: TaskJob): Promise<unknown> {
    return await job.fn(...job.args);
  }
}

/** Runs one task body at a time, in submission order. */
export class SequentialTaskRunner extends ConcurrentTaskRunner {
  override readonly name = "sequential";
  constructor() {
    super({ maxConcurrency: 1 });
  }
}

function noop(): void {}

/** Builds the runner named by `IRONFLOW_TASK_RUNNER` (`concurrent`, `sequential`, `worker`). */
export function runnerFromEnv(): TaskRunner | undefined {
  const name = readEnv("IRONFLOW_TASK_RUNNER");
  if (!name) return undefined;
  return runnerByName(name);
}

let workerRunnerFactory: (() => TaskRunner) | undefined;

/** Registers how to build the worker runner (kept out of this module to keep it light). */
export function registerWorkerRunnerFactory(factory: () => TaskRunner): void {
  workerRunnerFactory = factory;
}

/** A runner by its name. */
function runnerByName(name: string): TaskRunner {
  switch (name) {
    case "concurrent":
      return new ConcurrentTaskRunner();
    case "sequential":
      return new SequentialTaskRunner();
    case "worker":
      if (workerRunnerFactory) return workerRunnerFactory();
  }
  throw new InvalidOptionError(
    `Unknown task runner "${name}": expected "concurrent", "sequential" or "worker"`,
  );
}
