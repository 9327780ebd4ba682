/**
 * Deployments: a flow registered by name with its entrypoint, default
 * parameters, schedules and execution settings, so runs can be created from
 * the API, the CLI, a schedule or another flow and executed by a worker.
 *
 * @module
 */
import type { Json } from "../core/mod.ts";
import type { Schedule } from "../schedules/plan.ts";

/** Job variables one layer (pool, deployment or run) sets; absent keys leave the lower layer's. */
export interface JobVariables {
  /** Environment variables of the run's process, merged over the lower layers'. */
  env?: { [name: string]: string };
  /** Where the run's process starts (and relative entrypoints resolve). */
  working_directory?: string;
  /**
   * Words put before the run's command, e.g. `["nice", "-n", "10"]` or
   * `["systemd-run", "--scope", "-p", "MemoryMax=2G"]`; the run's `deno`
   * command line follows them.
   */
  command_prefix?: string[];
}

/** What happens to a new run when the deployment is at its concurrency limit. */
export const CollisionStrategy = {
  /** The run waits (stays SCHEDULED) until a slot is free. */
  ENQUEUE: "ENQUEUE",
  /** The run is CANCELLED with "concurrency limit reached". */
  CANCEL_NEW: "CANCEL_NEW",
} as const;

/** One of the collision strategies. */
export type CollisionStrategy = typeof CollisionStrategy[keyof typeof CollisionStrategy];

/** Message of runs cancelled by `CANCEL_NEW`. */
export const CONCURRENCY_LIMIT_REACHED = "concurrency limit reached";

/** The pool deployments use when they name none. */
export const DEFAULT_WORK_POOL = "default";

/** A deployment as stored. */
export interface Deployment {
  id: string;
  /** Unique among live deployments. */
  name: string;
  flowName: string;
  /** `./flows/etl.ts:etl` or `https://host/flows.ts:etl`. */
  entrypoint: string;
  description: string | null;
  /** Default parameters, by name; a run's parameters override them. */
  parameters: { [name: string]: Json };
  /** JSON schema the merged parameters of a run must satisfy. */
  parameterSchema: Json | null;
  tags: string[];
  /** A paused deployment gets no scheduled runs; manual runs still work. */
  paused: boolean;
  /** Most runs in PENDING, RUNNING, PAUSED or CANCELLING at once; `null` for no limit. */
  concurrencyLimit: number | null;
  collisionStrategy: CollisionStrategy;
  workPool: string;
  /** The queue of its pool its runs go to; absent in deployments made before queues: `default`. */
  workQueue?: string;
  schedules: Schedule[];
  /** Earlier names that still resolve to this deployment. */
  formerly: string[];
  /** Where relative entrypoints resolve and the run's process starts; `null`: the worker's. */
  workingDirectory: string | null;
  /** `deno run` permission flags of the run's process; `null`: the worker's default. */
  permissions: string[] | null;
  /** Environment variables of the run's process. */
  env: { [name: string]: string };
  /** Words put before the run process's command (job variable `command_prefix`); absent: none. */
  commandPrefix?: string[] | null;
  /** The worker kills the run's process and fails it as "TimedOut" after this long. */
  timeoutSeconds: number | null;
  /** The version of the flow this deployment runs, as the manifest gives it. */
  version?: string | null;
  createdAt: number;
  updatedAt: number;
  /** Soft delete time; deleted deployments are hidden and free their name. */
  deletedAt: number | null;
}

/** The fields a caller gives to create or replace a deployment. */
export interface DeploymentInput {
  name: string;
  entrypoint: string;
  flowName?: string;
  description?: string | null;
  parameters?: { [name: string]: Json };
  parameterSchema?: Json | null;
  tags?: string[];
  paused?: boolean;
  concurrencyLimit?: number | null;
  collisionStrategy?: CollisionStrategy;
  workPool?: string;
  workQueue?: string;
  schedules?: Schedule[];
  formerly?: string[];
  workingDirectory?: string | null;
  permissions?: string[] | null;
  env?: { [name: string]: string };
  commandPrefix?: string[] | null;
  timeoutSeconds?: number | null;
  version?: string | null;
}

/** Fields a partial update may change. */
export type DeploymentPatch = Partial<Omit<DeploymentInput, "name">> & { name?: string };

/** The queue of a pool that deployments naming none use; every pool has it. */
export const DEFAULT_WORK_QUEUE = "default";

/**
 * A work queue of a pool: workers claim from a pool's queues in priority
 * order (lower number first), each queue within its concurrency limit.
 */
export interface WorkQueue {
  name: string;
  /** Lower numbers are claimed from first; the default queue has 1. */
  priority: number;
  /** Most claimed runs of this queue at once; `null` for no limit. */
  concurrencyLimit: number | null;
  /** Workers claim nothing from a paused queue. */
  paused: boolean;
  description: string | null;
}

/** A work pool: a queue of deployment runs that workers claim from. */
export interface WorkPool {
  name: string;
  /** Only `process` today: runs execute in a `deno run` subprocess. */
  type: "process";
  description: string | null;
  /** Workers claim nothing from a paused pool. */
  paused: boolean;
  /** Most claimed runs of the pool at once; absent or `null`: no limit. */
  concurrencyLimit?: number | null;
  /** The pool's queues; absent in pools made before queues (they have the default one). */
  queues?: WorkQueue[];
  /** Job variables of every run of the pool, under the deployment's and the run's. */
  baseJobVariables?: JobVariables;
  createdAt: number;
  updatedAt: number;
}

/** Worker status: stale workers (no heartbeat for 120 s) are OFFLINE. */
export const WorkerStatus = { ONLINE: "ONLINE", OFFLINE: "OFFLINE" } as const;

/** One of the worker statuses. */
export type WorkerStatus = typeof WorkerStatus[keyof typeof WorkerStatus];

/** A worker as last heard of. */
export interface WorkerRecord {
  id: string;
  name: string;
  pool: string;
  lastHeartbeat: number;
  status: WorkerStatus;
  createdAt: number;
}

/** A run claimed by a worker, held through a lease. */
export interface Claim {
  runId: string;
  claimId: string;
  workerId: string;
  pool: string;
  /** The queue the run was claimed from (absent in claims made before queues). */
  queue?: string;
  deploymentId: string;
  leaseExpiresAt: number;
  claimedAt: number;
}
