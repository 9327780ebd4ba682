/**
 * The HTTP API's JSON shapes (snake_case, ISO-8601 times): their zod schemas,
 * the TypeScript types derived from them, and the conversions to and from the
 * engine's records. Shared by the server and the SDK's remote client; the
 * engine knows nothing of them. Its files name zod by its full `npm:`
 * specifier: flow modules outside this repository import the SDK, and with it
 * these files, without this repository's import map.
 *
 * @module
 */
export type {
  ApiArtifact,
  ApiEvent,
  ApiLog,
  ApiNewRun,
  ApiProposal,
  ApiProposalResult,
  ApiRun,
} from "./runs.ts";
export {
  fromApiArtifact,
  fromApiEvent,
  fromApiLog,
  fromApiNewRun,
  fromApiProposal,
  fromApiProposalResult,
  fromApiRun,
  toApiArtifact,
  toApiEvent,
  toApiLog,
  toApiNewRun,
  toApiProposal,
  toApiProposalResult,
  toApiRun,
} from "./runs.ts";
export {
  type ApiClaim,
  type ApiDeployment,
  type ApiWorker,
  type ApiWorkPool,
  type ApiWorkQueue,
  ClaimSchema,
  DeploymentSchema,
  type DeploymentSpec,
  DeploymentSpecSchema,
  fromApiClaim,
  fromApiDeployment,
  fromDeploymentSpec,
  fromScheduleSpec,
  PoolSchema,
  type ScheduleSpecInput,
  ScheduleSpecSchema,
  toApiClaim,
  toApiDeployment,
  toApiWorker,
  toApiWorkPool,
  toApiWorkQueue,
  toScheduleSpec,
  WorkerSchema,
  WorkQueueSchema,
} from "./deployments.ts";
export * from "./schemas.ts";
export * from "./run_schemas.ts";
export * from "./concurrency_limit_schemas.ts";
export * from "./variable_schemas.ts";
export * from "./secret_schemas.ts";
