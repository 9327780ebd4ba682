/**
 * Deployments, schedules' runs, work pools, workers and claims, on the
 * store's documents.
 *
 * @example Register a deployment and trigger a run
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * import { DeploymentService, createDeploymentRun } from "./mod.ts";
 * const engine = createEngine({ store: createMemoryStore(), clock: new FakeClock(), ids: new SequentialIds("run") });
 * const deployments = new DeploymentService(engine);
 * const etl = await deployments.create({ name: "etl-daily", entrypoint: "./flows/etl.ts:etl" });
 * const run = await createDeploymentRun(engine, etl, { parameters: { day: "2024-05-01" } });
 * console.log(run.state); // "SCHEDULED"
 * ```
 *
 * @module
 */
export {
  type Claim,
  CollisionStrategy,
  CONCURRENCY_LIMIT_REACHED,
  DEFAULT_WORK_POOL,
  DEFAULT_WORK_QUEUE,
  type Deployment,
  type DeploymentInput,
  type DeploymentPatch,
  type WorkerRecord,
  WorkerStatus,
  type WorkPool,
  type WorkQueue,
} from "./model.ts";
export {
  deploymentJobVariables,
  type EffectiveJobVariables,
  JOB_VARIABLE_NAMES,
  type JobVariables,
  mergeJobVariables,
  parseJobVariables,
} from "./job_variables.ts";
export {
  createWorkQueue,
  deleteWorkQueue,
  listWorkQueues,
  queueOfDeployment,
  queuesOf,
  updateWorkQueue,
  type WorkQueueInput,
} from "./work_queues.ts";
export { buildDeployment, DeploymentError, entrypointExport, NAME_PATTERN } from "./validate.ts";
export {
  issueProblems,
  jsonSchemaOfZod,
  loadSchemaSupport,
  parameterProblems,
  schemaProblems,
  schemaSupportLoaded,
} from "./parameters.ts";
export {
  type ApplyOptions,
  type ApplyResult,
  cancelFutureSlots,
  type DeploymentPage,
  DeploymentService,
  inputOf,
  LIVE_STATES,
} from "./service.ts";
export {
  ACTIVE_STATES,
  activeRuns,
  createDeploymentRun,
  type DeploymentRunOptions,
  runParameters,
  triggerDeploymentRun,
} from "./runs.ts";
export {
  type ClaimedRun,
  claimOf,
  type ClaimOptions,
  claimRuns,
  reclaimExpiredClaims,
  releaseClaim,
  renewClaim,
  type RenewResult,
} from "./claims.ts";
export {
  createWorkPool,
  DEFAULT_LEASE_SECONDS,
  deleteWorkPool,
  getWorkPool,
  heartbeat,
  LEASE_SECONDS_RANGE,
  listWorkers,
  listWorkPools,
  markStaleWorkers,
  updateWorkPool,
  WORKER_STALE_MS,
  workPoolNames,
} from "./work_pools.ts";
export {
  markLateRuns,
  type ScheduleMisses,
  scheduleMisses,
  type ScheduleReport,
  scheduleRuns,
  type SchedulingOptions,
} from "./slot_runs.ts";
