/**
 * Proposals (what a caller asks for) and their results (what the engine
 * answered).
 *
 * @module
 */
import type { Json, TransitionKind } from "./model.ts";
import type { StateType } from "./states.ts";

/** A request to move a run to another state. */
export interface Proposal {
  to: StateType;
  /** Display name of the destination; defaults to the state's default name. */
  name?: string;
  /** Idempotency token: re-sending an applied token answers `duplicate`. */
  token: string;
  /** Optimistic concurrency guard: the version the caller last saw. */
  expectedVersion?: number;
  /** What caused the transition (`start`, `complete`, `fail`, `user_cancel`...). */
  kind: TransitionKind;
  /** Payload recorded on the event (message, result reference, ...). */
  data?: { [key: string]: Json };
}

/** How the engine answered a proposal. */
export type ProposalStatus = "accepted" | "rejected" | "wait" | "aborted" | "duplicate";

/** The engine's answer: the run's state after the decision. */
export interface ProposalResult {
  status: ProposalStatus;
  state: StateType;
  stateName: string;
  version: number;
  /** Why the proposal was not accepted as asked. */
  reason?: string;
  /** For `wait`: propose again after this many milliseconds. */
  retryAfterMs?: number;
  /** Sequence number of the committed event, when one was committed. */
  seq?: number;
  /** Data of the committed event when a rule redirected it (e.g. a cached result). */
  data?: { [key: string]: Json };
  /** The run's message as the answer leaves it (what a mirror of the run should show). */
  message?: string | null;
}
