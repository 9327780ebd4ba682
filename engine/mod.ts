/**
 * The IronFlow engine: the deterministic state machine and durable history.
 *
 * @example Run a flow run through its lifecycle
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "./mod.ts";
 * const engine = createEngine({ store: createMemoryStore(), clock: new FakeClock(), ids: new SequentialIds("run") });
 * const run = await engine.createFlowRun({ name: "etl" });
 * const started = await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
 * console.log(started.status, started.version); // accepted 2
 * ```
 *
 * @module
 */
export * from "./core/mod.ts";
export {
  createEngine,
  type Engine,
  type EngineOptions,
  type EngineStorePort,
  type EventListener,
} from "./engine.ts";
export type { DocumentChange } from "./document_changes.ts";
export {
  type CopyReport,
  copyStore,
  countStore,
  createMemoryStore,
  createPostgresStore,
  createSqliteStore,
  isPostgresUrl,
  migratePostgres,
  PG_SCHEMA_VERSION,
  SCHEMA_VERSION,
  sqliteDocumentCollections,
  type StoreCounts,
} from "./store/mod.ts";
export type { PostgresStoreOptions, SqliteStoreOptions, SqliteSynchronous } from "./store/mod.ts";
export { createIdSource, systemClock } from "./ids.ts";
export { uuidv7 } from "./uuid7.ts";
export {
  type Artifact,
  ARTIFACT_COLLECTIONS,
  type ArtifactKeyPointer,
  type ArtifactType,
  createArtifact,
  getArtifact,
  latestArtifact,
  listArtifacts,
  type NewArtifact,
  repairArtifactKeys,
  updateProgressArtifact,
  validateArtifact,
} from "./artifacts.ts";
export {
  type ArtifactKeyEntry,
  artifactKeyEntry,
  type ArtifactKeyPage,
  artifactKeys,
  artifactVersions,
} from "./artifact_catalog.ts";
export {
  acquireSlots,
  activeSlotsOf,
  ConcurrencyDeniedError,
  heldSlotsOf,
  lastSlotReset,
  releaseHolder,
  releaseLease,
  releaseSlots,
  renewLease,
  resetSlots,
  type SlotGrant,
  type SlotRequest,
  type SlotReset,
  type SlotStore,
  tryAcquireSlots,
} from "./concurrency.ts";
export {
  createConcurrencyLimit,
  type NewConcurrencyLimit,
  resetConcurrencyLimit,
  updateConcurrencyLimit,
} from "./concurrency_limits.ts";
export {
  CatchupPolicy,
  CRON_SHORTCUTS,
  type CronSpec,
  DEFAULT_ANCHOR,
  intervalRuns,
  type IntervalSpec,
  nextRunsWith,
  planSlots,
  RRULE_FREQUENCIES,
  type RRuleSpec,
  type Schedule,
  type ScheduleEvaluator,
  scheduleKey,
  scheduleProblems,
  type ScheduleSpec,
  type SlotPlan,
  type SlotPlanInput,
} from "./schedules/plan.ts";
export {
  checkSchedule,
  checkTimezone,
  nextRuns,
  ScheduleError,
  scheduleEvaluator,
} from "./schedules/mod.ts";
export { latestPlan, savePlan } from "./plans.ts";
export { fnv1a64 } from "./planner/fingerprint.ts";
export { type LineageRecords, lineageRecords } from "./lineage.ts";
export {
  type ActionOutcome,
  cancelFlowRun,
  checkResumeInput,
  type HeartbeatAnswer,
  heartbeatFlowRuns,
  InvalidInputError,
  invalidInputError,
  type OfferedActions,
  offeredActions,
  pauseFlowRun,
  type PauseMode,
  type PauseRequest,
  pauseRequestOf,
  reapLostRuns,
  type ReapReport,
  resumeFlowRun,
  retryFlowRun,
} from "./run_actions.ts";
export { BACKGROUND_TASK_KEY, dueBackgroundTaskRuns } from "./background_tasks.ts";
export { endRunsUnder, type TreeEnding } from "./run_tree.ts";
export {
  resolveVariableTemplate,
  type Variable,
  variableNamesIn,
  VariableService,
} from "./variables/mod.ts";
