/**
 * The IronFlow SDK: write flows and tasks in TypeScript and run them in this
 * process, with no server.
 *
 * @example A flow with a mapped task
 * ```ts
 * import { flow, task } from "./mod.ts";
 * const inc = task(async (x: number) => x + 1);
 * const double = task(async (x: number) => x * 2);
 * export const etl = flow({ name: "etl" }, async (xs: number[]) => {
 *   const incremented = inc.map(xs);
 *   return await Promise.all(double.map(incremented));
 * });
 * // await etl([1, 2, 3]) → [4, 6, 8]
 * ```
 *
 * @module
 */
export { type Flow, flow, type FlowCallOptions } from "./flow.ts";
export { type FutureArgs, type MapArgs, type Task, task } from "./task.ts";
export {
  AllowFailure,
  allowFailure,
  TaskFuture,
  type TaskOutcome,
  Unmapped,
  unmapped,
} from "./future.ts";
export {
  asCompleted,
  type DoneAndNotDone,
  wait,
  type WaitOptions,
  WaitTimeoutError,
} from "./waiting.ts";
export { CallOptions, callOptions, type SubmitOptions } from "./call_options.ts";
export type { FlowOptions, RunOptions, StateHook, TaskOptions } from "./options.ts";
export type { FlowRunOutcome, RunState, StateInput } from "./state.ts";
export { Cancelled, Completed, Failed, State } from "./state.ts";
export { currentTags, withTags } from "./tags.ts";
export { BackgroundFuture } from "./background.ts";
export type { DeployOptions, DeployScheduleSpec } from "./deploy.ts";
export { serveTasks, type ServeTasksOptions, type TaskWorkerHandle } from "./task_worker.ts";
export { emitEvent, type EmitEventOptions, type EventClient } from "./events.ts";
export {
  getTransaction,
  type IsolationLevel,
  Transaction,
  transaction,
  type TransactionHook,
  type TransactionHookContext,
  type TransactionOptions,
  type TransactionStore,
} from "./transaction.ts";
export { exponentialBackoff, type RetryDelay } from "./retry.ts";
export {
  ConcurrentTaskRunner,
  type ConcurrentTaskRunnerOptions,
  SequentialTaskRunner,
  type TaskJob,
  type TaskRunner,
} from "./runners.ts";
export { WorkerTaskRunner, type WorkerTaskRunnerOptions } from "./worker_runner.ts";
export {
  type HookContext,
  type HookEdge,
  type HookFn,
  onTransition,
  type TransitionHook,
} from "./hooks.ts";
export { getRunContext, type RunContext } from "./context.ts";
export { getRunLogger, type RunLogger } from "./logger.ts";
export {
  type ControlPlane,
  createHomeControlPlane,
  createInMemoryControlPlane,
  createLocalControlPlane,
  createPostgresControlPlane,
  createSqliteControlPlane,
  databaseUrlFromEnv,
  getControlPlane,
  type InMemoryControlPlaneOptions,
  ironflowHomeDir,
  type LocalControlPlane,
  setControlPlane,
} from "./control_plane.ts";
export {
  createRemoteControlPlane,
  type RemoteControlPlaneOptions,
} from "./remote_control_plane.ts";
export { RemoteError, RemoteUnavailableError } from "./http_client.ts";
export { cancelFlowRun } from "./cancel.ts";
export {
  type GraphMode,
  StaticGraphContractViolation,
  StaticGraphDeclarationError,
} from "./graph_contract.ts";
export {
  durableSleep,
  gate,
  type GateOptions,
  type InputSchema,
  pauseFlowRun,
  resumeFlowRun,
  type SuspendOptions,
} from "./pause.ts";
export {
  concurrency,
  type ConcurrencyOptions,
  type ConcurrencySlot,
  rateLimit,
} from "./concurrency.ts";
export {
  type CacheKeyContext,
  CachePolicy,
  FLOW_PARAMETERS,
  INPUTS,
  NONE,
  RUN_ID,
  TASK_SOURCE,
} from "./cache_policies.ts";
export { retryFlowRun, type RetryFlowRunOptions } from "./retry_flow_run.ts";
export {
  type ArtifactOptions,
  createImageArtifact,
  createLinkArtifact,
  createMarkdownArtifact,
  createProgressArtifact,
  createTableArtifact,
  updateProgressArtifact,
} from "./artifacts.ts";
export { bindParameters, namedParameters, parameterNames } from "./parameters.ts";
export { getVariable, setVariable, unsetVariable, type VariableOptions } from "./variables.ts";
export { getSecret, type SecretOptions, setSecret } from "./secrets.ts";
export {
  createLocalSecretClient,
  createRemoteSecretClient,
  type SecretClient,
} from "./secret_client.ts";
export { REDACTED, SecretRedactor } from "./redaction.ts";
export {
  createLocalVariableClient,
  createRemoteVariableClient,
  type VariableClient,
} from "./variable_client.ts";
export {
  type DeploymentRunFuture,
  runDeployment,
  type RunDeploymentOptions,
} from "./run_deployment.ts";
export {
  type FlowServeOptions,
  serve,
  type ServedFlow,
  serveFlow,
  type ServeHandle,
  type ServeOptions,
} from "./serve.ts";
export {
  createLocalDeploymentClient,
  createRemoteDeploymentClient,
  type DeploymentClient,
  type RunDeploymentRequest,
  type WorkItem,
} from "./deployment_client.ts";
export {
  defaultProcessCommand,
  type ProcessCommand,
  startWorker,
  type WorkerHandle,
  type WorkerOptions,
  type WorkerSummary,
} from "./process_worker.ts";
export { executeRun, type ExecuteRunOptions } from "./execute_run.ts";
export {
  CancelledError,
  FlowRunError,
  InvalidOptionError,
  MissingContextError,
  TimeoutError,
} from "./errors.ts";
