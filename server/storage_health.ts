/**
 * Whether the store can write: set by the first failed write (full disk, I/O
 * error), cleared by the next write that succeeds. `/health` answers 503
 * while it is set, and the log says so once when it starts and once when it
 * ends, not once per failed request.
 *
 * @module
 */
import {
  type Clock,
  type Engine,
  type StorageError,
  type StorageErrorCode,
  storageErrorOf,
} from "../engine/mod.ts";

/** A storage fault in effect. */
export interface StorageFault {
  code: StorageErrorCode;
  message: string;
  /** Epoch ms of the first failure. */
  since: number;
}

const PROBE = { collection: "service_health", key: "probe" } as const;

/** Tracks the store's write health for `/health` and the log. */
export class StorageHealth {
  readonly #clock: Clock;
  readonly #log: (line: string) => void;
  #fault: StorageFault | undefined;

  /** `log` receives the two lines (fault, recovery). @default console.error */
  constructor(clock: Clock, log: (line: string) => void = console.error) {
    this.#clock = clock;
    this.#log = log;
  }

  /** The fault in effect, if any. */
  get fault(): StorageFault | undefined {
    return this.#fault;
  }

  /**
   * Records `error` when it is a storage fault (see `storageErrorOf`) and
   * returns it as a `StorageError`; other errors change nothing.
   */
  report(error: unknown): StorageError | undefined {
    const storage = storageErrorOf(error);
    if (!storage) return undefined;
    if (this.#fault === undefined) {
      this.#fault = { code: storage.code, message: storage.message, since: this.#clock.now() };
      this.#log(
        `IronFlow storage failure (${storage.code}): ${storage.message}. Writes answer 503 ` +
          `and /health reports it until a write succeeds again; this is logged once.`,
      );
    }
    return storage;
  }

  /** A write succeeded: the fault, if any, is over. */
  recovered(): void {
    const fault = this.#fault;
    if (fault === undefined) return;
    this.#fault = undefined;
    const seconds = Math.round((this.#clock.now() - fault.since) / 1000);
    this.#log(`IronFlow storage recovered (${fault.code} for ${seconds} s): writes succeed again`);
  }

  /**
   * While a fault is in effect, tries one small write to see whether it is
   * over (space freed); answers the fault still in effect.
   */
  async probe(engine: Pick<Engine, "transact">): Promise<StorageFault | undefined> {
    if (this.#fault === undefined) return undefined;
    const now = this.#clock.now();
    try {
      await engine.transact((tx) =>
        tx.putDocument({
          ...PROBE,
          ref: null,
          data: { at: now },
          createdAt: now,
          updatedAt: now,
          expiresAt: null,
        })
      );
      this.recovered();
    } catch (error) {
      if (!this.report(error)) throw error;
    }
    return this.#fault;
  }
}
