/**
 * The domain error hierarchy. Only `server/` maps these to HTTP statuses.
 *
 * @module
 */

/** Base class of every IronFlow domain error. */
export class IronFlowError extends Error {
  override name = "IronFlowError";
  /** A stable machine-readable code, e.g. `run_not_found`. */
  readonly code: string;
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, options);
    this.code = options?.code ?? "ironflow_error";
  }
}

/** A run, flow, deployment or other record that does not exist. */
export class NotFoundError extends IronFlowError {
  override name = "NotFoundError";
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "not_found" });
  }
}

/** A run id that names no run. */
export class RunNotFoundError extends NotFoundError {
  override name = "RunNotFoundError";
  constructor(runId: string, options?: ErrorOptions) {
    super(`Run "${runId}" does not exist`, { ...options, code: "run_not_found" });
  }
}

/** A transition the matrix or the policy refused. */
export class InvalidTransitionError extends IronFlowError {
  override name = "InvalidTransitionError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "invalid_transition" });
  }
}

/** A write that conflicts with the current state (stale version, live runs...). */
export class ConflictError extends IronFlowError {
  override name = "ConflictError";
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "conflict" });
  }
}
