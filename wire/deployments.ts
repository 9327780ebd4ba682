/**
 * The wire and manifest shape of deployments (snake_case, like the rest of
 * the API): one zod schema validates API bodies and `ironflow.yaml` entries,
 * and converters map it to and from the engine's records.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import { JsonSchema } from "./run_schemas.ts";
import type { Json } from "../engine/core/mod.ts";
import { CatchupPolicy, DEFAULT_ANCHOR, type Schedule } from "../engine/schedules/plan.ts";
import type {
  Claim,
  Deployment,
  DeploymentInput,
  WorkerRecord,
  WorkPool,
  WorkQueue,
} from "../engine/deployments/model.ts";
import { DEFAULT_WORK_QUEUE } from "../engine/deployments/model.ts";
import { deploymentJobVariables, parseJobVariables } from "../engine/deployments/job_variables.ts";

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

const IsoDate = z.string().refine((text) => !Number.isNaN(Date.parse(text)), {
  error: "must be an ISO-8601 time such as 2024-05-01T00:00:00Z",
});

/** A schedule as written in the API or a manifest: exactly one of interval, cron, rrule. */
export const ScheduleSpecSchema = z.strictObject({
  interval: z.number().positive().optional().meta({ description: "Seconds between runs" }),
  anchor_date: IsoDate.optional().meta({
    description: "A slot of the interval, or DTSTART of an RRule without one",
  }),
  cron: z.string().min(1).optional().meta({
    description: "5 or 6 fields (seconds first), or @hourly, @daily, @weekly, @monthly, @yearly",
  }),
  rrule: z.string().min(1).optional().meta({ description: "RFC 5545 rule, FREQ=MINUTELY..WEEKLY" }),
  timezone: z.string().min(1).optional().meta({ description: "IANA time zone; default UTC" }),
  active: z.boolean().optional().meta({ description: "Default true" }),
  catchup: z.enum([CatchupPolicy.SKIP, CatchupPolicy.RUN_ONCE]).optional().meta({
    description: "Missed slots after downtime: skip (default) or run_once",
  }),
  slug: z.string().min(1).max(100).nullable().optional().meta({
    description: "Names the schedule within its deployment, to pause or resume it alone",
  }),
  parameters: z.record(z.string(), z.json()).optional().meta({
    description: "Parameters of this schedule's runs, merged over the deployment's defaults",
  }),
}).refine(
  (s) => [s.interval, s.cron, s.rrule].filter((v) => v !== undefined).length === 1,
  { error: "give exactly one of interval, cron or rrule" },
).meta({ id: "ScheduleSpec" });

/** Job variables as written: checked by name when converted (see `parseJobVariables`). */
const JobVariablesSpec = z.record(z.string(), z.unknown()).meta({
  description: "env, working_directory, command_prefix: merged over the work pool's base",
});

/** The concurrency settings of a deployment, as a number or an object. */
const ConcurrencySpec = z.union([
  z.number().int().min(1),
  z.strictObject({
    limit: z.number().int().min(1),
    collision_strategy: z.enum(["ENQUEUE", "CANCEL_NEW"]).optional(),
  }),
]);

/** A deployment as written in the API or a manifest. */
export const DeploymentSpecSchema = z.strictObject({
  name: z.string().min(1).max(200),
  entrypoint: z.string().min(1).meta({ description: "./flows/etl.ts:etl or a URL with :export" }),
  flow_name: z.string().min(1).optional(),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  parameter_schema: z.record(z.string(), z.unknown()).nullable().optional(),
  tags: z.array(z.string()).optional(),
  paused: z.boolean().optional(),
  concurrency_limit: ConcurrencySpec.nullable().optional(),
  collision_strategy: z.enum(["ENQUEUE", "CANCEL_NEW"]).optional(),
  work_pool: z.union([
    z.string().min(1),
    z.strictObject({
      name: z.string().min(1),
      work_queue_name: z.string().min(1).optional().meta({
        description: "The pool's queue its runs go to (Prefect's spelling); default `default`",
      }),
      job_variables: JobVariablesSpec.optional(),
    }),
  ]).optional(),
  job_variables: JobVariablesSpec.optional(),
  work_queue: z.string().min(1).optional().meta({
    description: "The queue of the work pool its runs go to; default `default`",
  }),
  schedules: z.array(ScheduleSpecSchema).optional(),
  schedule: ScheduleSpecSchema.optional().meta({
    description: "One schedule (same as schedules: [..])",
  }),
  formerly: z.array(z.string()).optional(),
  working_directory: z.string().nullable().optional(),
  permissions: z.array(z.string()).nullable().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout_seconds: z.number().positive().nullable().optional(),
  version: z.string().min(1).max(200).nullable().optional().meta({
    description: "The version of the flow this deployment runs",
  }),
}).meta({ id: "DeploymentSpec" });

/** A deployment spec as parsed. */
export type DeploymentSpec = z.output<typeof DeploymentSpecSchema>;
/** A schedule spec as parsed. */
export type ScheduleSpecInput = z.output<typeof ScheduleSpecSchema>;

/** The engine's schedule for a parsed schedule spec. */
export function fromScheduleSpec(spec: ScheduleSpecInput): Schedule {
  const timezone = spec.timezone ?? "UTC";
  const anchor = spec.anchor_date !== undefined ? Date.parse(spec.anchor_date) : DEFAULT_ANCHOR;
  const common = {
    timezone,
    active: spec.active ?? true,
    catchup: spec.catchup ?? CatchupPolicy.SKIP,
    ...(spec.slug ? { slug: spec.slug } : {}),
    ...(spec.parameters !== undefined
      ? { parameters: spec.parameters as { [name: string]: Json } }
      : {}),
  };
  if (spec.interval !== undefined) {
    return { kind: "interval", intervalSeconds: spec.interval, anchor, ...common };
  }
  if (spec.cron !== undefined) return { kind: "cron", cron: spec.cron, ...common };
  return { kind: "rrule", rrule: spec.rrule!, anchor, ...common };
}

/** The wire form of a schedule. */
export function toScheduleSpec(schedule: Schedule): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (schedule.kind === "interval") {
    out["interval"] = schedule.intervalSeconds;
    out["anchor_date"] = iso(schedule.anchor);
  } else if (schedule.kind === "cron") out["cron"] = schedule.cron;
  else {
    out["rrule"] = schedule.rrule;
    out["anchor_date"] = iso(schedule.anchor);
  }
  out["timezone"] = schedule.timezone;
  out["active"] = schedule.active;
  out["catchup"] = schedule.catchup;
  if (schedule.slug) out["slug"] = schedule.slug;
  if (schedule.parameters !== undefined) out["parameters"] = schedule.parameters;
  return out;
}

/** The engine's deployment input for a parsed spec. */
export function fromDeploymentSpec(spec: DeploymentSpec): DeploymentInput {
  const input: DeploymentInput = { name: spec.name, entrypoint: spec.entrypoint };
  if (spec.flow_name !== undefined) input.flowName = spec.flow_name;
  if (spec.description !== undefined) input.description = spec.description;
  if (spec.parameters !== undefined) input.parameters = spec.parameters as Record<string, Json>;
  if (spec.parameter_schema !== undefined) input.parameterSchema = spec.parameter_schema as Json;
  if (spec.tags !== undefined) input.tags = spec.tags;
  if (spec.paused !== undefined) input.paused = spec.paused;
  const concurrency = spec.concurrency_limit;
  if (typeof concurrency === "number" || concurrency === null) input.concurrencyLimit = concurrency;
  else if (concurrency !== undefined) {
    input.concurrencyLimit = concurrency.limit;
    if (concurrency.collision_strategy) input.collisionStrategy = concurrency.collision_strategy;
  }
  if (spec.collision_strategy !== undefined) input.collisionStrategy = spec.collision_strategy;
  if (spec.work_pool !== undefined) {
    input.workPool = typeof spec.work_pool === "string" ? spec.work_pool : spec.work_pool.name;
    if (typeof spec.work_pool !== "string" && spec.work_pool.work_queue_name !== undefined) {
      input.workQueue = spec.work_pool.work_queue_name;
    }
  }
  if (spec.work_queue !== undefined) input.workQueue = spec.work_queue;
  const jobVariables = {
    ...(typeof spec.work_pool === "object" ? spec.work_pool.job_variables : undefined),
    ...spec.job_variables,
  };
  const schedules = [...(spec.schedules ?? []), ...(spec.schedule ? [spec.schedule] : [])];
  if (spec.schedules !== undefined || spec.schedule !== undefined) {
    input.schedules = schedules.map(fromScheduleSpec);
  }
  if (spec.formerly !== undefined) input.formerly = spec.formerly;
  if (spec.working_directory !== undefined) input.workingDirectory = spec.working_directory;
  if (spec.permissions !== undefined) input.permissions = spec.permissions;
  if (spec.env !== undefined) input.env = spec.env;
  if (Object.keys(jobVariables).length > 0) {
    // Prefect's spelling of the deployment's env, working directory and command prefix.
    const vars = parseJobVariables(jobVariables, `Deployment "${spec.name}"`);
    if (vars.env) input.env = { ...input.env, ...vars.env };
    if (vars.working_directory !== undefined && spec.working_directory === undefined) {
      input.workingDirectory = vars.working_directory;
    }
    if (vars.command_prefix !== undefined) input.commandPrefix = vars.command_prefix;
  }
  if (spec.timeout_seconds !== undefined) input.timeoutSeconds = spec.timeout_seconds;
  if (spec.version !== undefined) input.version = spec.version;
  return input;
}

/** A deployment on the wire (`ApiDeployment`). */
export const DeploymentSchema = z.object({
  id: z.string(),
  name: z.string(),
  flow_name: z.string(),
  entrypoint: z.string(),
  description: z.string().nullable(),
  parameters: z.record(z.string(), JsonSchema),
  parameter_schema: JsonSchema.nullable(),
  tags: z.array(z.string()),
  paused: z.boolean(),
  concurrency_limit: z.number().int().nullable(),
  collision_strategy: z.enum(["ENQUEUE", "CANCEL_NEW"]),
  work_pool: z.string(),
  work_queue: z.string().optional(),
  schedules: z.array(z.record(z.string(), JsonSchema)),
  formerly: z.array(z.string()),
  working_directory: z.string().nullable(),
  permissions: z.array(z.string()).nullable(),
  env: z.record(z.string(), z.string()),
  job_variables: z.record(z.string(), JsonSchema).optional().meta({
    description:
      "The deployment's layer of job variables (its env, working directory, command prefix)",
  }),
  timeout_seconds: z.number().nullable(),
  version: z.string().nullable().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  deleted_at: z.string().nullable(),
}).meta({ id: "Deployment" });

/** A deployment on the wire. */
export type ApiDeployment = z.output<typeof DeploymentSchema>;

/** The wire form of a deployment. */
export function toApiDeployment(d: Deployment): ApiDeployment {
  return {
    id: d.id,
    name: d.name,
    flow_name: d.flowName,
    entrypoint: d.entrypoint,
    description: d.description,
    parameters: d.parameters,
    parameter_schema: d.parameterSchema,
    tags: d.tags,
    paused: d.paused,
    concurrency_limit: d.concurrencyLimit,
    collision_strategy: d.collisionStrategy,
    work_pool: d.workPool,
    work_queue: d.workQueue ?? DEFAULT_WORK_QUEUE,
    schedules: d.schedules.map(toScheduleSpec),
    formerly: d.formerly,
    working_directory: d.workingDirectory,
    permissions: d.permissions,
    env: d.env,
    job_variables: deploymentJobVariables(d) as Record<string, Json>,
    timeout_seconds: d.timeoutSeconds,
    version: d.version ?? null,
    created_at: iso(d.createdAt)!,
    updated_at: iso(d.updatedAt)!,
    deleted_at: iso(d.deletedAt),
  };
}

/** The engine's deployment from its wire form (for remote clients). */
export function fromApiDeployment(d: ApiDeployment): Deployment {
  const spec = DeploymentSpecSchema.parse({
    name: d.name,
    entrypoint: d.entrypoint,
    schedules: d.schedules,
  });
  return {
    id: d.id,
    name: d.name,
    flowName: d.flow_name,
    entrypoint: d.entrypoint,
    description: d.description,
    parameters: d.parameters,
    parameterSchema: d.parameter_schema,
    tags: d.tags,
    paused: d.paused,
    concurrencyLimit: d.concurrency_limit,
    collisionStrategy: d.collision_strategy as Deployment["collisionStrategy"],
    workPool: d.work_pool,
    workQueue: d.work_queue ?? DEFAULT_WORK_QUEUE,
    schedules: fromDeploymentSpec(spec).schedules ?? [],
    formerly: d.formerly,
    workingDirectory: d.working_directory,
    permissions: d.permissions,
    env: d.env,
    ...(Array.isArray(d.job_variables?.["command_prefix"])
      ? { commandPrefix: d.job_variables["command_prefix"] as string[] }
      : {}),
    timeoutSeconds: d.timeout_seconds,
    ...(d.version ? { version: d.version } : {}),
    createdAt: Date.parse(d.created_at),
    updatedAt: Date.parse(d.updated_at),
    deletedAt: d.deleted_at === null ? null : Date.parse(d.deleted_at),
  };
}

/** The wire form of a work pool. */
export function toApiWorkPool(pool: WorkPool): ApiWorkPool {
  return {
    name: pool.name,
    type: pool.type,
    description: pool.description,
    paused: pool.paused,
    concurrency_limit: pool.concurrencyLimit ?? null,
    base_job_variables: (pool.baseJobVariables ?? {}) as Record<string, Json>,
    created_at: iso(pool.createdAt)!,
    updated_at: iso(pool.updatedAt)!,
  };
}

/** The wire form of a worker. */
export function toApiWorker(worker: WorkerRecord): ApiWorker {
  return {
    id: worker.id,
    name: worker.name,
    work_pool: worker.pool,
    status: worker.status,
    last_heartbeat: iso(worker.lastHeartbeat)!,
    created_at: iso(worker.createdAt)!,
  };
}

/** A work pool on the wire (`ApiWorkPool`). */
export const PoolSchema = z.object({
  name: z.string(),
  type: z.literal("process"),
  description: z.string().nullable(),
  paused: z.boolean(),
  concurrency_limit: z.number().int().nullable(),
  base_job_variables: z.record(z.string(), JsonSchema),
  created_at: z.string(),
  updated_at: z.string(),
}).meta({ id: "WorkPool" });

/** A work queue of a pool on the wire (`ApiWorkQueue`). */
export const WorkQueueSchema = z.object({
  name: z.string(),
  work_pool: z.string(),
  priority: z.number().int(),
  concurrency_limit: z.number().int().nullable(),
  paused: z.boolean(),
  description: z.string().nullable(),
}).meta({ id: "WorkQueue" });

/** A work queue on the wire. */
export type ApiWorkQueue = z.output<typeof WorkQueueSchema>;

/** The wire form of a work queue of `pool`. */
export function toApiWorkQueue(pool: string, queue: WorkQueue): ApiWorkQueue {
  return {
    name: queue.name,
    work_pool: pool,
    priority: queue.priority,
    concurrency_limit: queue.concurrencyLimit,
    paused: queue.paused,
    description: queue.description,
  };
}

/** A worker on the wire (`ApiWorker`). */
export const WorkerSchema = z.object({
  id: z.string(),
  name: z.string(),
  work_pool: z.string(),
  status: z.enum(["ONLINE", "OFFLINE"]),
  last_heartbeat: z.string(),
  created_at: z.string(),
}).meta({ id: "Worker" });

/** A claim on the wire (`ApiClaim`). */
export const ClaimSchema = z.object({
  run_id: z.string(),
  claim_id: z.string(),
  worker_id: z.string(),
  work_pool: z.string(),
  work_queue: z.string().optional(),
  deployment_id: z.string(),
  lease_expires_at: z.string(),
  claimed_at: z.string(),
}).meta({ id: "Claim" });

/** A work pool on the wire. */
export type ApiWorkPool = z.output<typeof PoolSchema>;

/** A worker on the wire. */
export type ApiWorker = z.output<typeof WorkerSchema>;

/** A claim on the wire. */
export type ApiClaim = z.output<typeof ClaimSchema>;

/** The wire form of a claim. */
export function toApiClaim(claim: Claim): ApiClaim {
  return {
    run_id: claim.runId,
    claim_id: claim.claimId,
    worker_id: claim.workerId,
    work_pool: claim.pool,
    ...(claim.queue !== undefined ? { work_queue: claim.queue } : {}),
    deployment_id: claim.deploymentId,
    lease_expires_at: iso(claim.leaseExpiresAt)!,
    claimed_at: iso(claim.claimedAt)!,
  };
}

/** A claim from its wire form. */
export function fromApiClaim(claim: ApiClaim): Claim {
  return {
    runId: claim.run_id,
    claimId: claim.claim_id,
    workerId: claim.worker_id,
    pool: claim.work_pool,
    ...(claim.work_queue !== undefined ? { queue: claim.work_queue } : {}),
    deploymentId: claim.deployment_id,
    leaseExpiresAt: Date.parse(claim.lease_expires_at),
    claimedAt: Date.parse(claim.claimed_at),
  };
}
