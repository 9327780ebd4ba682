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

/** A source of unique identifiers. */
export interface IdSource {
  /** A new identifier, unique within the store. */
  next(): string;
}

/** A clock that moves only when told to: makes time a test input. */
export class FakeClock implements Clock {
  #now: number;

  /** Starts at `start` epoch milliseconds. @default 1_700_000_000_000 */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  /** The current fake time. */
  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` milliseconds. */
  tick(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`Cannot tick by ${ms} ms: must be zero or more`);
    this.#now += ms;
  }

  /** Sets the time to `epochMs`. */
  set(epochMs: number): void {
    this.#now = epochMs;
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
