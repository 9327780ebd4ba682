/**
 * The state of a run as the SDK reports it to user code.
 *
 * @module
 */
import type { StateType } from "../engine/mod.ts";

/** A run's state: its type, display name and message. */
export interface RunState {
  readonly type: StateType;
  readonly name: string;
  readonly message: string | null;
}

/** The outcome of a flow run started with `.run()`: never throws. */
export interface FlowRunOutcome<R> {
  readonly runId: string;
  readonly state: RunState;
  /** The flow's return value when the run COMPLETED. */
  readonly result?: R;
  /** The error when the run did not complete. */
  readonly error?: Error;
}
