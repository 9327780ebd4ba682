/**
 * States as values, as in Prefect 3: `flow.run()`, `future.wait()` and
 * `wait()` give a {@linkcode State} with `isCompleted()`, `isFailed()`, …
 * and `result()`; a flow or task may return `Completed(...)`, `Failed(...)`
 * or `Cancelled(...)` to propose its own final state (the engine decides).
 *
 * @module
 */
import { StateName, StateType } from "../engine/mod.ts";

/** A run's state: its type, display name and message. */
export interface RunState {
  readonly type: StateType;
  readonly name: string;
  readonly message: string | null;
}

/** Fields of a state a body returns; survives structured cloning (worker runner). */
const STATE_MARK = "$ironflowState";

/** Options of `Completed()`, `Failed()` and `Cancelled()`. */
export interface StateInput<T = unknown> {
  /** The state's message (shown on the run). */
  message?: string;
  /** Display name. @default the type's default (`Completed`, `Failed`, `Cancelled`) */
  name?: string;
  /** The result a completed state carries. */
  data?: T;
  /** The error a failed or cancelled state carries. */
  error?: Error;
}

/**
 * A run's state with its result. `result()` returns the value of a completed
 * state and throws the error of any other (Prefect's `State.result()`).
 *
 * @example
 * ```ts
 * import { Completed, Failed } from "./mod.ts";
 * const done = Completed({ data: 3 });
 * const broken = Failed({ message: "no rows" });
 * // done.isCompleted() === true, done.result() === 3
 * // broken.isFailed() === true, broken.result() throws Error("no rows")
 * ```
 */
export class State<T = unknown> implements RunState {
  readonly type: StateType;
  readonly name: string;
  readonly message: string | null;
  /** Marks a state returned by a body, also once cloned to or from a Web Worker. */
  readonly [STATE_MARK] = 1;
  /** The value a completed state carries. */
  readonly data: T | undefined;
  readonly #error: Error | undefined;

  constructor(state: RunState, data?: T, error?: Error) {
    this.type = state.type;
    this.name = state.name;
    this.message = state.message;
    this.data = data;
    this.#error = error;
  }

  isScheduled(): boolean {
    return this.type === StateType.SCHEDULED;
  }
  isPending(): boolean {
    return this.type === StateType.PENDING;
  }
  isRunning(): boolean {
    return this.type === StateType.RUNNING;
  }
  isPaused(): boolean {
    return this.type === StateType.PAUSED;
  }
  isCancelling(): boolean {
    return this.type === StateType.CANCELLING;
  }
  isCompleted(): boolean {
    return this.type === StateType.COMPLETED;
  }
  isFailed(): boolean {
    return this.type === StateType.FAILED;
  }
  isCancelled(): boolean {
    return this.type === StateType.CANCELLED;
  }
  isCrashed(): boolean {
    return this.type === StateType.CRASHED;
  }
  /** Whether the run ended (COMPLETED, FAILED, CANCELLED or CRASHED). */
  isFinal(): boolean {
    return this.isCompleted() || this.isFailed() || this.isCancelled() || this.isCrashed();
  }

  /**
   * The completed state's value. Any other state throws its error (or one
   * naming the state); with `{ raiseOnFailure: false }` the error is returned.
   */
  result(): T;
  result(options: { raiseOnFailure: false }): T | Error;
  result(options: { raiseOnFailure?: boolean } = {}): T | Error {
    if (this.isCompleted()) return this.data as T;
    const error = this.#error ??
      new Error(
        this.message ?? `Run ended ${this.type}${this.name !== this.type ? ` "${this.name}"` : ""}`,
      );
    if (options.raiseOnFailure === false) return error;
    throw error;
  }

  /** The plain form recorded and passed between processes. */
  toJSON(): RunState & { [STATE_MARK]: 1 } {
    return { type: this.type, name: this.name, message: this.message, [STATE_MARK]: 1 };
  }
}

function made<T>(type: StateType, input: StateInput<T>, defaultName: string): State<T> {
  const message = input.message ?? input.error?.message ?? null;
  return new State<T>({ type, name: input.name ?? defaultName, message }, input.data, input.error);
}

/** A completed state, to return from a flow or task (Prefect's `Completed`). */
export function Completed<T = unknown>(input: StateInput<T> = {}): State<T> {
  return made(StateType.COMPLETED, input, StateName.Completed);
}

/** A failed state, to return from a flow or task (Prefect's `Failed`). */
export function Failed<T = never>(input: StateInput<T> | string = {}): State<T> {
  return made(StateType.FAILED, typeof input === "string" ? { message: input } : input, "Failed");
}

/** A cancelled state, to return from a flow or task (Prefect's `Cancelled`). */
export function Cancelled<T = never>(input: StateInput<T> | string = {}): State<T> {
  const options = typeof input === "string" ? { message: input } : input;
  return made(StateType.CANCELLED, options, "Cancelled");
}

/** A returned value that is a state: a `State`, or its plain form after a worker's clone. */
export function asReturnedState(value: unknown): State | undefined {
  if (value instanceof State) return value;
  if (value === null || typeof value !== "object") return undefined;
  const plain = value as Record<string, unknown>;
  if (plain[STATE_MARK] !== 1 || typeof plain["type"] !== "string") return undefined;
  return new State({
    type: plain["type"] as StateType,
    name: typeof plain["name"] === "string" ? plain["name"] : String(plain["type"]),
    message: typeof plain["message"] === "string" ? plain["message"] : null,
  }, plain["data"]);
}

/** The outcome of a flow run started with `.run()`: never throws. */
export interface FlowRunOutcome<R> {
  readonly runId: string;
  /** The final state; `state.result()` gives the result or throws the error. */
  readonly state: State<R>;
  /** The flow's return value when the run COMPLETED. */
  readonly result?: R;
  /** The error when the run did not complete. */
  readonly error?: Error;
}

/** A flow run's outcome as the executing code builds it. */
export interface RunOutcome<R> {
  readonly runId: string;
  readonly state: RunState;
  readonly result?: R;
  readonly error?: Error;
}

/** The outcome with its state as a {@linkcode State} value. */
export function withStateValue<R>(outcome: RunOutcome<R>): FlowRunOutcome<R> {
  if (outcome.state instanceof State) return outcome as FlowRunOutcome<R>;
  return { ...outcome, state: new State<R>(outcome.state, outcome.result, outcome.error) };
}
