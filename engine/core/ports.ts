/**
 * Ports through which the pure core receives time and identity. The real
 * adapters live outside `engine/core/`; tests inject fakes.
 *
 * @module
 */

/** A source of time, in integer epoch milliseconds. */
export interface Clock {
  /** The current time in epoch milliseconds. */
  now(): number;
}

/** A clock that can also wait: what the SDK uses for retry delays and timeouts. */
export interface Timer extends Clock {
  /** Resolves after `ms` milliseconds of this clock's time; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A source of unique identifiers. */
export interface IdSource {
  /** A new identifier, unique within the store. */
  next(): string;
}

/** A clock that moves only when told to: makes time a test input. */
export class FakeClock implements Timer {
  #now: number;
  #sleepers: Array<{ due: number; resolve: () => void }> = [];

  /** Starts at `start` epoch milliseconds. @default 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  /** The current fake time. */
  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds, waking sleepers that came due. */
  tick(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Cannot tick by ${ms} ms: must be zero or more`);
    this.set(this.#now + ms);
  }

  /** Sets the time to `epochMs`, waking sleepers that came due. */
  set(epochMs: number): void {
    this.#now = epochMs;
    const due = this.#sleepers.filter((s) => s.due <= epochMs);
    this.#sleepers = this.#sleepers.filter((s) => s.due > epochMs);
    for (const sleeper of due) sleeper.resolve();
  }

  /** Number of sleepers waiting for time to move: lets tests wait until code is parked. */
  get pendingSleepers(): number {
    return this.#sleepers.length;
  }

  /** Resolves when fake time reaches now + `ms`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper = {
        due: this.#now + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }
}

/** Ids `prefix-1`, `prefix-2`, ...: deterministic, for tests and replays. */
export class SequentialIds implements IdSource {
  #counter = 0;
  readonly #prefix: string;

  /** Ids start at `${prefix}-1`. @default "id" */
  constructor(prefix = "id") {
    this.#prefix = prefix;
  }

  /** The next id in sequence. */
  next(): string {
    this.#counter += 1;
    return `${this.#prefix}-${this.#counter}`;
  }
}
