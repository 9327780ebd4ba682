/**
 * Creating flow runs of deployments: merged and validated parameters,
 * idempotency keys (same key → same run), `CANCEL_NEW` at the concurrency
 * limit, and the run's entry in its work pool's queue.
 *
 * @module
 */
import {
  type DocumentAccess,
  type DocumentReader,
  type Json,
  type RunRecord,
  StateType,
  type StoreReader,
  type StoreTx,
} from "../core/mod.ts";
import type { Engine } from "../engine.ts";
import { uuidv7 } from "../uuid7.ts";
import { C, queueKey, write } from "./_documents.ts";
import { CollisionStrategy, CONCURRENCY_LIMIT_REACHED, type Deployment } from "./model.ts";
import { loadSchemaSupport, parameterProblems } from "./parameters.ts";
import { DeploymentError } from "./validate.ts";
import { type JobVariables, parseJobVariables } from "./job_variables.ts";

/** States that hold a deployment concurrency slot. */
export const ACTIVE_STATES: readonly StateType[] = [
  StateType.PENDING,
  StateType.RUNNING,
  StateType.PAUSED,
  StateType.CANCELLING,
];

/** Options of {@linkcode createDeploymentRun}. */
export interface DeploymentRunOptions {
  /** Override the deployment's default parameters, by name. */
  parameters?: { [name: string]: Json };
  /** The same key for the same deployment returns the same run. */
  idempotencyKey?: string;
  /** When the run should start (epoch ms). @default now */
  expectedStartTime?: number;
  /** Tags added to the deployment's. */
  tags?: readonly string[];
  /** Run name. @default `<deployment>-<id tail>` */
  runName?: string;
  /** The flow run this one is a child of (`runDeployment` from inside a flow). */
  parent?: { id: string; rootId: string; depth: number } | null;
  /** Run id to use (the scheduler reserves slot run ids). */
  id?: string;
  /** A new attempt of an earlier run's lineage (a retry). @default a new lineage */
  lineage?: { lineageId: string; attempt: number };
  /** Slug of the schedule creating the run (recorded on its creation event). */
  schedule?: string;
  /**
   * Job variables of this run, over the deployment's and its pool's (`env`,
   * `working_directory`, `command_prefix`); recorded on its creation event.
   */
  jobVariables?: JobVariables;
}

/** The merged parameters of a run, checked against the deployment's schema. */
export function runParameters(
  deployment: Deployment,
  given: { [name: string]: Json } | undefined,
): { [name: string]: Json } {
  const parameters = { ...deployment.parameters, ...(given ?? {}) };
  if (deployment.parameterSchema !== null) {
    const problems = parameterProblems(deployment.parameterSchema, parameters);
    if (problems.length > 0) {
      throw new DeploymentError(
        `Invalid parameters for deployment "${deployment.name}": ${problems.join("; ")}`,
        problems,
        { code: "invalid_parameters" },
      );
    }
  }
  return parameters;
}

/** Live runs of a deployment holding a concurrency slot, claims not yet started included. */
export function activeRuns(
  store: Pick<StoreReader, "countRuns" | "getRun">,
  docs: DocumentReader,
  deploymentId: string,
): number {
  const counts = store.countRuns({ kind: "flow", deploymentId, states: ACTIVE_STATES });
  let active = Object.values(counts).reduce((sum, n) => sum + (n ?? 0), 0);
  for (const claim of docs.listDocuments({ collection: C.claim, ref: deploymentId })) {
    const run = store.getRun(claim.key);
    if (run?.state === StateType.SCHEDULED) active += 1;
  }
  return active;
}

/** Puts a run in its work pool's queue (inside a transaction). */
export function enqueueRun(
  docs: DocumentAccess,
  deployment: Deployment,
  runId: string,
  due: number,
  now: number,
): void {
  write(docs, C.runQueue, queueKey(deployment.workPool, due, runId), {
    runId,
    deploymentId: deployment.id,
  }, { now, ref: deployment.workPool });
}

/**
 * Creates a SCHEDULED flow run of `deployment`. With an idempotency key seen
 * before, returns that run instead; a key whose run retention purged is
 * forgotten with it, so it creates a new run with a new id. With `CANCEL_NEW` at the concurrency
 * limit, the new run is CANCELLED with "concurrency limit reached".
 */
export async function createDeploymentRun(
  engine: Engine,
  deployment: Deployment,
  options: DeploymentRunOptions = {},
): Promise<RunRecord> {
  return (await triggerDeploymentRun(engine, deployment, options)).run;
}

/** Like {@linkcode createDeploymentRun}; `created` is false when an idempotency key replayed. */
export async function triggerDeploymentRun(
  engine: Engine,
  deployment: Deployment,
  options: DeploymentRunOptions = {},
): Promise<{ run: RunRecord; created: boolean }> {
  if (deployment.parameterSchema !== null) await loadSchemaSupport();
  const parameters = runParameters(deployment, options.parameters);
  if (options.jobVariables !== undefined) {
    parseJobVariables(options.jobVariables, `Run of deployment "${deployment.name}"`);
  }
  const now = engine.clock.now();
  const due = options.expectedStartTime ?? now;
  const idemKey = options.idempotencyKey === undefined
    ? undefined
    : `${deployment.id}|${options.idempotencyKey}`;
  const { runId, fresh } = await engine.transact((tx) => {
    if (idemKey !== undefined) {
      const seen = replayedRun(tx, idemKey);
      if (seen !== undefined) return { runId: seen, fresh: false };
    }
    const runId = options.id ?? uuidv7(now);
    if (idemKey !== undefined) {
      write(tx, C.idempotency, idemKey, { runId }, { now, ref: runId });
    }
    enqueueRun(tx, deployment, runId, due, now);
    return { runId, fresh: true };
  });
  const run = await createQueuedRun(engine, deployment, runId, due, parameters, options, fresh);
  return { run, created: fresh };
}

// The run an idempotency key was used for, or undefined when the key is new
// or was forgotten. A key's document names its run in `ref`, so retention
// deletes it in the transaction that purges the run. Documents written before
// that name the deployment instead and outlive a purge: their run being gone
// means it was purged (its creation followed the document within
// milliseconds, long ago), so the key is forgotten rather than the purged id
// brought back. A missing run of a current document is still being created.
function replayedRun(tx: StoreTx, idemKey: string): string | undefined {
  const seen = tx.getDocument(C.idempotency, idemKey);
  if (!seen) return undefined;
  const runId = (seen.data as { runId: string }).runId;
  if (seen.ref === runId || tx.getRun(runId) !== undefined) return runId;
  tx.deleteDocument(C.idempotency, idemKey);
  return undefined;
}

/**
 * Creates the SCHEDULED flow run of a queue entry made before (its id
 * reserved in the same transaction as the entry), applying `CANCEL_NEW`.
 */
export async function createQueuedRun(
  engine: Engine,
  deployment: Deployment,
  runId: string,
  due: number,
  parameters: Json,
  options: DeploymentRunOptions,
  fresh = true,
): Promise<RunRecord> {
  const run = await engine.createFlowRun({
    id: runId,
    name: deployment.flowName,
    runName: options.runName ?? `${deployment.name}-${runId.slice(-6)}`,
    deploymentId: deployment.id,
    state: StateType.SCHEDULED,
    expectedStartTime: due,
    parameters,
    tags: [...new Set([...deployment.tags, ...(options.tags ?? [])])],
    ...(options.schedule !== undefined ? { schedule: options.schedule } : {}),
    ...(options.jobVariables !== undefined && Object.keys(options.jobVariables).length > 0
      ? { jobVariables: options.jobVariables as { [key: string]: Json } }
      : {}),
    ...(options.lineage ?? {}),
    ...(options.parent
      ? {
        parentId: options.parent.id,
        rootId: options.parent.rootId,
        depth: options.parent.depth + 1,
      }
      : {}),
  });
  if (
    !fresh || deployment.concurrencyLimit === null ||
    deployment.collisionStrategy !== CollisionStrategy.CANCEL_NEW ||
    activeRuns(engine.reader, engine.reader, deployment.id) < deployment.concurrencyLimit
  ) return run;
  await cancelForConcurrency(engine, run);
  return engine.getRun(run.id) ?? run;
}

/** Cancels a SCHEDULED run with "concurrency limit reached" (CANCEL_NEW). */
export async function cancelForConcurrency(engine: Engine, run: RunRecord): Promise<void> {
  await engine.propose(run.id, {
    to: StateType.CANCELLED,
    token: `concurrency:${run.id}`,
    kind: "deployment_concurrency",
    data: { message: CONCURRENCY_LIMIT_REACHED },
  });
}
