/**
 * Task runs submitted in a burst (a large `map()`, a loop of `submit()`)
 * start in groups: a group's task runs are all created (committed) before the
 * next group starts. Every submitted task run still starts, and runs at the
 * same time as the others (nothing waits for a task run to finish), but a
 * fan-out of 10,000 no longer holds 10,000 task runs half-way through their
 * start at once: each group's runs move on while the next group is created,
 * so what is in flight stays a few groups deep, the garbage collector copies
 * far less, and the group commit still writes hundreds of runs per
 * transaction.
 *
 * A deferred start runs in the async context of its `submit()` (tags scoped
 * with `withTags()`, the caller's own `AsyncLocalStorage` values).
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Task runs of one group. Below it, a flow's task runs start as they are
 * submitted. Smaller groups hold fewer half-started runs at once (a
 * 10,000-task fan-out peaks ~30 MB lower with 64 than with 256); each group
 * still commits its creations together, and fan-out throughput measured the same.
 */
export const CREATION_SLICE = 64;

/** Starts a task run; calls `created` once its creation settled (committed or failed). */
export type SliceStart = (created: () => void) => void;

/** The groups of one flow run's task-run starts. */
export class CreationSlices {
  readonly #size: number;
  /** Task runs of the current group whose creation has not settled. */
  #creating = 0;
  /** Starts waiting for their group, first submitted first; `#head` is the next one. */
  #waiting: (() => void)[] = [];
  #head = 0;

  constructor(size: number = CREATION_SLICE) {
    if (!(Number.isSafeInteger(size) && size >= 1)) {
      throw new RangeError(`A creation slice needs at least one task run, got ${size}`);
    }
    this.#size = size;
  }

  /** Task runs submitted and not started yet. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Calls `start` now when the current group has room and nothing waits;
   * otherwise once the groups before it are created. False when deferred.
   */
  start(start: SliceStart): boolean {
    if (this.#creating < this.#size && this.waiting === 0) {
      this.#creating += 1;
      start(this.#settledOnce());
      return true;
    }
    const restore = AsyncLocalStorage.snapshot();
    this.#waiting.push(() => restore(() => start(this.#settledOnce())));
    return false;
  }

  // A task run reports its creation once, whatever path it took.
  #settledOnce(): () => void {
    let settled = false;
    return () => {
      if (settled) return;
      settled = true;
      this.#creating -= 1;
      if (this.#creating === 0) this.#startNextGroup();
    };
  }

  #startNextGroup(): void {
    const end = Math.min(this.#head + this.#size, this.#waiting.length);
    if (end === this.#head) return;
    const group = this.#waiting.slice(this.#head, end);
    this.#head = end;
    if (this.#head === this.#waiting.length) {
      this.#waiting = [];
      this.#head = 0;
    }
    this.#creating = group.length;
    for (const start of group) start();
  }
}
