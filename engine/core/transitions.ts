/**
 * The transition matrix: which state may follow which. Data, not code, so it
 * can be documented and tested exhaustively.
 *
 * @module
 */
import { StateType } from "./states.ts";

const { SCHEDULED, PENDING, RUNNING, PAUSED, CANCELLING, COMPLETED, FAILED, CANCELLED, CRASHED } =
  StateType;

/**
 * Allowed destinations for each state. Terminal states accept nothing: a new
 * attempt of the lineage is a new run, not a transition. Self-transitions are
 * allowed only where a state is re-entered with a new name (SCHEDULED
 * "Scheduled" → SCHEDULED "Late", PAUSED → PAUSED "Suspended").
 */
export const TRANSITIONS: Readonly<Record<StateType, readonly StateType[]>> = {
  SCHEDULED: [SCHEDULED, PENDING, RUNNING, CANCELLING, CANCELLED, CRASHED],
  PENDING: [SCHEDULED, RUNNING, PAUSED, CANCELLING, COMPLETED, FAILED, CANCELLED, CRASHED],
  RUNNING: [SCHEDULED, PAUSED, CANCELLING, COMPLETED, FAILED, CANCELLED, CRASHED],
  PAUSED: [PAUSED, SCHEDULED, PENDING, RUNNING, CANCELLING, CANCELLED, FAILED, CRASHED],
  CANCELLING: [CANCELLED, CRASHED],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
  CRASHED: [],
};

const allowed: ReadonlyMap<StateType, ReadonlySet<StateType>> = new Map(
  Object.entries(TRANSITIONS).map(([from, to]) => [from as StateType, new Set(to)]),
);

/** Whether the matrix allows `from` → `to`. */
export function canTransition(from: StateType, to: StateType): boolean {
  return allowed.get(from)?.has(to) ?? false;
}
