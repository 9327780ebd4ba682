/**
 * A FIFO counting semaphore.
 *
 * @module
 */

/** Limits how many holders run at once; waiters are served in arrival order. */
export class Semaphore {
  #free: number;
  readonly #waiters: Array<{ grant: () => void; reject: (reason: unknown) => void }> = [];

  /** A semaphore with `permits` slots. */
  constructor(permits: number) {
    if (!(permits >= 1) || !Number.isFinite(permits)) {
      throw new RangeError(`A semaphore needs at least 1 permit, got ${permits}`);
    }
    this.#free = Math.floor(permits);
  }

  /** Waits for a slot; resolves with its release function. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const release = this.tryAcquire();
    if (release) return Promise.resolve(release);
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve(this.#releaser());
        },
        reject,
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * Takes a slot if one is free now and returns its release; else `undefined`.
   * (A free slot means nobody waits: a release hands its slot to the first waiter.)
   */
  tryAcquire(): (() => void) | undefined {
    if (this.#free === 0) return undefined;
    this.#free -= 1;
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      if (next) next.grant();
      else this.#free += 1;
    };
  }
}
