/**
 * Runs task bodies on Web Workers for real parallelism (CPU-bound work).
 * Each worker imports the module that defines the task and calls its body;
 * arguments and results cross by structured clone. State transitions stay on
 * the main thread.
 *
 * @module
 */
import { CancelledError, InvalidOptionError } from "./errors.ts";
import { registerWorkerRunnerFactory, type TaskJob, type TaskRunner } from "./runners.ts";
import { Semaphore } from "./semaphore.ts";

/** Options of {@linkcode WorkerTaskRunner}. */
export interface WorkerTaskRunnerOptions {
  /** Workers in the pool. @default navigator.hardwareConcurrency */
  workers?: number;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Terminate when the current task body finishes (the runner was closed meanwhile). */
  retire: boolean;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { name: string; message: string; stack?: string };
}

const WORKER_URL = new URL("./worker_entry.ts", import.meta.url);

/** A pool of Web Workers; a cancelled or timed-out task terminates its worker. */
export class WorkerTaskRunner implements TaskRunner {
  readonly name = "worker";
  readonly #size: number;
  readonly #slots: Semaphore;
  readonly #pool: Slot[] = [];
  #nextId = 1;

  constructor(options: WorkerTaskRunnerOptions = {}) {
    const size = options.workers ?? navigator.hardwareConcurrency ?? 2;
    if (!Number.isInteger(size) || size < 1) {
      throw new InvalidOptionError(`workers must be a whole number of 1 or more, got ${size}`);
    }
    this.#size = size;
    this.#slots = new Semaphore(size);
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    return this.#slots.acquire(signal);
  }

  tryAcquire(): (() => void) | undefined {
    return this.#slots.tryAcquire();
  }

  execute(job: TaskJob): Promise<unknown> {
    if (!job.moduleUrl) {
      return Promise.reject(
        new InvalidOptionError(
          `Task "${job.taskName}" cannot run on a worker: its module is unknown; pass { module: import.meta.url }`,
        ),
      );
    }
    const slot = this.#take();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const finish = () => {
        slot.worker.removeEventListener("message", onMessage);
        slot.worker.removeEventListener("error", onError);
        job.signal.removeEventListener("abort", onAbort);
        slot.busy = false;
        if (slot.retire) this.#discard(slot);
      };
      const onMessage = (event: MessageEvent<Reply>) => {
        if (event.data.id !== id) return;
        finish();
        if (event.data.ok) resolve(event.data.value);
        else reject(toError(event.data.error));
      };
      const onError = (event: ErrorEvent) => {
        event.preventDefault();
        finish();
        this.#discard(slot);
        reject(new Error(`Worker running task "${job.taskName}" crashed: ${event.message}`));
      };
      const onAbort = () => {
        finish();
        this.#discard(slot);
        reject(job.signal.reason ?? new CancelledError(`Task "${job.taskName}" was cancelled`));
      };
      slot.worker.addEventListener("message", onMessage);
      slot.worker.addEventListener("error", onError);
      job.signal.addEventListener("abort", onAbort, { once: true });
      try {
        slot.worker.postMessage({
          id,
          moduleUrl: job.moduleUrl,
          taskName: job.taskName,
          args: job.args,
        });
      } catch (error) {
        finish();
        reject(error);
      }
    });
  }

  #take(): Slot {
    let slot = this.#pool.find((s) => !s.busy);
    if (!slot) {
      if (this.#pool.length >= this.#size) throw new Error("Worker pool exhausted");
      slot = { worker: new Worker(WORKER_URL, { type: "module" }), busy: false, retire: false };
      this.#pool.push(slot);
    }
    slot.busy = true;
    return slot;
  }

  // A worker whose task was cancelled may still be computing: terminate it.
  #discard(slot: Slot): void {
    slot.worker.terminate();
    const index = this.#pool.indexOf(slot);
    if (index >= 0) this.#pool.splice(index, 1);
  }

  /**
   * Terminates idle workers now and busy ones when their task body finishes:
   * a detached task, or another flow run sharing this runner, may still be
   * using one. The runner stays usable and starts new workers on demand.
   */
  close(): void {
    for (const slot of [...this.#pool]) {
      if (slot.busy) slot.retire = true;
      else this.#discard(slot);
    }
  }
}

function toError(data: Reply["error"]): Error {
  const error = new Error(data?.message ?? "Task failed on a worker");
  error.name = data?.name ?? "Error";
  if (data?.stack) error.stack = data.stack;
  return error;
}

registerWorkerRunnerFactory(() => new WorkerTaskRunner());
