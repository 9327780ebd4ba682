/**
 * Run states shared by flow runs and task runs, and their display names.
 *
 * @module
 */

/** The type of a run's state: what the engine reasons about. */
export const StateType = {
  SCHEDULED: "SCHEDULED",
  PENDING: "PENDING",
  RUNNING: "RUNNING",
  PAUSED: "PAUSED",
  CANCELLING: "CANCELLING",
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
  CRASHED: "CRASHED",
} as const;

/** One of the nine state types. */
export type StateType = typeof StateType[keyof typeof StateType];

/** Every state type, in lifecycle order. */
export const STATE_TYPES: readonly StateType[] = Object.values(StateType);

/** States a run never leaves, except by a new attempt of its lineage. */
export const TERMINAL_STATES: ReadonlySet<StateType> = new Set<StateType>([
  StateType.COMPLETED,
  StateType.FAILED,
  StateType.CANCELLED,
  StateType.CRASHED,
]);

/** Whether `state` is terminal. */
export function isTerminal(state: StateType): boolean {
  return TERMINAL_STATES.has(state);
}

/** Display names the engine and SDK give to states (Prefect's named states). */
export const StateName = {
  Scheduled: "Scheduled",
  Late: "Late",
  AwaitingRetry: "AwaitingRetry",
  AwaitingConcurrencySlot: "AwaitingConcurrencySlot",
  Pending: "Pending",
  Running: "Running",
  Retrying: "Retrying",
  Paused: "Paused",
  Suspended: "Suspended",
  Draining: "Draining",
  Cancelling: "Cancelling",
  Completed: "Completed",
  Cached: "Cached",
  Failed: "Failed",
  TimedOut: "TimedOut",
  Cancelled: "Cancelled",
  Crashed: "Crashed",
} as const;

/** A display name; custom names are allowed too. */
export type StateName = typeof StateName[keyof typeof StateName];

/** The default display name of each state type. */
export const DEFAULT_STATE_NAME: Readonly<Record<StateType, string>> = {
  SCHEDULED: StateName.Scheduled,
  PENDING: StateName.Pending,
  RUNNING: StateName.Running,
  PAUSED: StateName.Paused,
  CANCELLING: StateName.Cancelling,
  COMPLETED: StateName.Completed,
  FAILED: StateName.Failed,
  CANCELLED: StateName.Cancelled,
  CRASHED: StateName.Crashed,
};

/** Whether `value` names a state type. */
export function isStateType(value: unknown): value is StateType {
  return typeof value === "string" && Object.hasOwn(StateType, value);
}
