/**
 * Errors the SDK raises to user code.
 *
 * @module
 */
import { IronFlowError } from "../engine/mod.ts";

/** `getRunContext()` was called outside a flow or task run. */
export class MissingContextError extends IronFlowError {
  override name = "MissingContextError";
  constructor(
    message = "No run context: getRunContext() must be called inside a flow or task run",
  ) {
    super(message, { code: "missing_context" });
  }
}

/** A run was cancelled; awaiting its result raises this. */
export class CancelledError extends IronFlowError {
  override name = "CancelledError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "cancelled" });
  }
}

/** A run exceeded its `timeoutSeconds`. */
export class TimeoutError extends IronFlowError {
  override name = "TimeoutError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "timed_out" });
  }
}

/** A flow run ended FAILED, CANCELLED or CRASHED; `cause` holds the underlying error. */
export class FlowRunError extends IronFlowError {
  override name = "FlowRunError";
  /** Id of the flow run that failed. */
  readonly runId: string;
  /** The flow run's final state. */
  readonly state: string;
  constructor(message: string, runId: string, state: string, options?: ErrorOptions) {
    super(message, { ...options, code: "flow_run_failed" });
    this.runId = runId;
    this.state = state;
  }
}

/** A task or flow option that makes no sense. */
export class InvalidOptionError extends TypeError {
  override name = "InvalidOptionError";
}

/** Turns anything thrown into an Error with a message. */
export function asError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === "string" ? thrown : `Non-error thrown: ${String(thrown)}`);
}
