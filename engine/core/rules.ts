/**
 * Orchestration rules: small, named checks that judge a proposal before it
 * commits, react after it committed, and undo their side effects when a later
 * rule changed the outcome.
 *
 * @module
 */
import type { Json, PendingEvent, RunRecord } from "./model.ts";
import type { DocumentAccess } from "./store_port.ts";
import type { Proposal } from "./proposal.ts";
import type { StateType } from "./states.ts";

/** States a rule applies to: a list, or `"*"` for any. */
export type StateMatch = readonly StateType[] | "*";

/** The outcome of trying to take concurrency slots for a run. */
export type SlotAttempt =
  | { acquired: true }
  | { acquired: false; retryAfterMs: number; reason: string }
  | { denied: string };

/**
 * What rules may read and write inside the engine's transaction. Ports, so
 * the core stays pure: the engine supplies them, tests may fake them.
 */
export interface RuleServices {
  readonly documents: DocumentAccess;
  /** Takes one slot on each named limit for `holder`, all or nothing. */
  acquireSlots(names: readonly string[], holder: string, now: number): SlotAttempt;
  /** Frees every slot `holder` holds. */
  releaseSlots(holder: string): void;
}

/** What a rule may do with a proposal before it commits. */
export interface RuleContext {
  /** Transactional services; absent when judging without a store (pure tests). */
  readonly services: RuleServices | undefined;
  /** The run as it is before the transition. */
  readonly run: RunRecord;
  /** The proposal as judged so far (earlier rules may have renamed it). */
  readonly proposal: Readonly<Proposal>;
  /** The engine clock's reading for this decision, epoch ms. */
  readonly now: number;
  /** Refuses the proposal; the run stays as it is. */
  reject(reason: string): void;
  /** Asks the caller to propose again after `ms` milliseconds. */
  delay(ms: number, reason: string): void;
  /** Refuses the proposal because it makes no sense any more (e.g. the run is gone). */
  abort(reason: string): void;
  /** Changes the display name of the destination state. */
  rename(name: string): void;
  /**
   * Commits a different destination instead of the proposed one; the caller
   * sees `rejected` with the new state (e.g. Pending→Running becomes
   * Completed "Cached").
   */
  redirect(to: StateType, name: string, reason: string): void;
  /** Adds fields to the event's data. */
  annotate(data: { readonly [key: string]: Json }): void;
}

/** A named orchestration rule (named as an imperative phrase). */
export interface Rule {
  readonly name: string;
  readonly from: StateMatch;
  readonly to: StateMatch;
  /**
   * A cheap test of whether `before` could act on this proposal; when no
   * rule applies, no rule context is built. @default always applies
   */
  applies?(run: RunRecord, proposal: Readonly<Proposal>, now: number): boolean;
  /** Judges the proposal. Not calling any verdict method accepts it. */
  before?(ctx: RuleContext): void;
  /**
   * Pure projection effect: adjusts the run record produced by a committed
   * event. Also used when projections are rebuilt from events, so it must
   * depend only on `prev` and `event`. Returns whether it changed anything.
   */
  project?(next: RunRecord, prev: RunRecord, event: PendingEvent): boolean;
  /** Side effects in the same transaction as the event (cache entries, slot releases). */
  onCommit?(event: PendingEvent, run: RunRecord, services: RuleServices): void;
  /** Runs after the transition committed. */
  after?(event: PendingEvent, run: RunRecord): void;
  /** Undoes this rule's `before` side effects when a later rule changed the outcome. */
  cleanup?(ctx: RuleContext): void;
}

/** Whether a rule's state match covers `state`. */
export function matches(match: StateMatch, state: StateType): boolean {
  return match === "*" || match.includes(state);
}
