/**
 * The pure core of the engine: states, the transition matrix, orchestration
 * rules and the decision function. No I/O, no clocks, no randomness: time,
 * ids and storage come in as arguments.
 *
 * @example Judge a proposal
 * ```ts
 * import { createRun, decide, DEFAULT_POLICY } from "./mod.ts";
 * const { run } = createRun({ kind: "flow", name: "etl" }, { runId: "r1", eventId: "e1", token: "t1" }, 0);
 * const d = decide({ run, proposal: { to: "RUNNING", token: "t2", kind: "start" }, policy: DEFAULT_POLICY, now: 5, eventId: "e2", appliedTokenVersion: undefined });
 * console.log(d.result.status); // "accepted"
 * ```
 *
 * @module
 */
export {
  DEFAULT_STATE_NAME,
  isStateType,
  isTerminal,
  STATE_TYPES,
  StateName,
  StateType,
  TERMINAL_STATES,
} from "./states.ts";
export { canTransition, TRANSITIONS } from "./transitions.ts";
export type { Clock, IdSource, Timer } from "./ports.ts";
export { FakeClock, SequentialIds } from "./ports.ts";
export { LogLevel } from "./model.ts";
export type {
  EngineEvent,
  Json,
  LogLevelName,
  LogQuery,
  LogRecord,
  NewRun,
  PendingEvent,
  RunKind,
  RunRecord,
  TransitionKind,
  UpstreamEdge,
} from "./model.ts";
export type { Proposal, ProposalResult, ProposalStatus } from "./proposal.ts";
export type { Rule, RuleContext, RuleServices, SlotAttempt, StateMatch } from "./rules.ts";
export { matches } from "./rules.ts";
export type { DecideInput, Decision, Policy } from "./decide.ts";
export { decide, project } from "./decide.ts";
export {
  BOOKKEEPING_RULES,
  IncrementRunCount,
  SetEndTime,
  SetStartTime,
  UpdateTotalRunTime,
  WaitForScheduledTime,
} from "./bookkeeping_rules.ts";
export { CREATE_KIND, createRun, MAX_RUN_DEPTH, runFromCreation } from "./create_run.ts";
export {
  ConflictError,
  InvalidArgumentError,
  InvalidCursorError,
  InvalidTransitionError,
  IronFlowError,
  NotFoundError,
  RunNotFoundError,
  StorageError,
  StorageErrorCode,
  storageErrorOf,
} from "./errors.ts";
export type { JsonProblem } from "./json_bounds.ts";
export {
  boundJsonDepth,
  checkJsonInput,
  isCleanText,
  MAX_JSON_DEPTH,
  stringifyJson,
  TOO_DEEP_MARKER,
} from "./json_bounds.ts";
export { allDocuments, checkImportedSeq, emptyPurgeResult } from "./store_port.ts";
export type {
  ConcurrencyLimit,
  ConcurrencyLimitAccess,
  DocumentAccess,
  DocumentQuery,
  DocumentReader,
  PurgeKeptReason,
  PurgeOptions,
  PurgeResult,
  Store,
  StoredDocument,
  StoreReader,
  StoreTx,
  StoreWrites,
  Transactor,
} from "./store_port.ts";
export { ACTIVITY_BUCKET_MS } from "./store_queries.ts";
export type {
  ActivityBucket,
  ActivityQuery,
  EventQuery,
  FlowStat,
  Page,
  RunQuery,
  RunSortKey,
  StoreQueries,
  StoreSummary,
  TaskGraph,
  TaskGraphEdge,
  TaskGraphNode,
} from "./store_queries.ts";
export type { CursorPosition } from "./run_query.ts";
export {
  checkActivityQuery,
  compareSortValues,
  decodeBase64UrlJson,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeBase64UrlJson,
  encodeCursor,
  matchesQuery,
  MAX_PAGE_SIZE,
  queryShape,
  SORT_FIELDS,
} from "./run_query.ts";

export { RetryFailedRuns, SetExpectedStartTime } from "./retry_rules.ts";
export {
  DecideFlowFinalState,
  FinalStateMode,
  type FinalStateReport,
} from "./final_state_rules.ts";
export {
  DEFAULT_LIVENESS_MS,
  hasOwnExecutor,
  type Liveness,
  LIVENESS_COLLECTION,
  LIVENESS_KIND,
  livenessIn,
  livenessOf,
  needsExecutor,
  parseLivenessMs,
  putLiveness,
  RefuseReapingLiveRuns,
  trackExecutorLiveness,
} from "./liveness_rules.ts";
export { ReleaseTaskConcurrencySlots, SecureTaskConcurrencySlots } from "./concurrency_rules.ts";
export { type LeaseView, planSlotReset, type SlotResetPlan } from "./slot_reset.ts";
export { CACHE_COLLECTION, ServeCachedResults, StoreCachedResults } from "./cache_rules.ts";

import { BOOKKEEPING_RULES } from "./bookkeeping_rules.ts";
import { ServeCachedResults, StoreCachedResults } from "./cache_rules.ts";
import { ReleaseTaskConcurrencySlots, SecureTaskConcurrencySlots } from "./concurrency_rules.ts";
import type { Policy } from "./decide.ts";
import { RetryFailedRuns, SetExpectedStartTime } from "./retry_rules.ts";
import { DecideFlowFinalState } from "./final_state_rules.ts";

/**
 * The flow-run policy unless the engine is given another: the final state is
 * decided before a failure is turned into a retry.
 */
export const DEFAULT_POLICY: Policy = [
  DecideFlowFinalState,
  RetryFailedRuns,
  ...BOOKKEEPING_RULES,
  SetExpectedStartTime,
];

/**
 * The task-run policy: cache hits are judged before slots are taken, so a
 * cached task never waits for a slot.
 */
export const DEFAULT_TASK_POLICY: Policy = [
  RetryFailedRuns,
  ServeCachedResults,
  SecureTaskConcurrencySlots,
  ...BOOKKEEPING_RULES,
  SetExpectedStartTime,
  StoreCachedResults,
  ReleaseTaskConcurrencySlots,
];
