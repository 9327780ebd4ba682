/**
 * The wire and manifest shape of deployments (snake_case, like the rest of
 * the API): one zod schema validates API bodies and `ironflow.yaml` entries,
 * and converters map it to and from the engine's records.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import type { Json } from "../engine/core/mod.ts";
import { CatchupPolicy, DEFAULT_ANCHOR, type Schedule } from "../engine/schedules/plan.ts";
import type {
  Claim,
  Deployment,
  DeploymentInput,
  WorkerRecord,
  WorkPool,
} from "../engine/deployments/model.ts";

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
}).refine(
  (s) => [s.interval, s.cron, s.rrule].filter((v) => v !== undefined).length === 1,
  { error: "give exactly one of interval, cron or rrule" },
).meta({ id: "ScheduleSpec" });

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
  work_pool: z.union([z.string().min(1), z.strictObject({ name: z.string().min(1) })]).optional(),
  schedules: z.array(ScheduleSpecSchema).optional(),
  schedule: ScheduleSpecSchema.optional().meta({
    description: "One schedule (same as schedules: [..])",
  }),
  formerly: z.array(z.string()).optional(),
  working_directory: z.string().nullable().optional(),
  permissions: z.array(z.string()).nullable().optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeout_seconds: z.number().positive().nullable().optional(),
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
  }
  const schedules = [...(spec.schedules ?? []), ...(spec.schedule ? [spec.schedule] : [])];
  if (spec.schedules !== undefined || spec.schedule !== undefined) {
    input.schedules = schedules.map(fromScheduleSpec);
  }
  if (spec.formerly !== undefined) input.formerly = spec.formerly;
  if (spec.working_directory !== undefined) input.workingDirectory = spec.working_directory;
  if (spec.permissions !== undefined) input.permissions = spec.permissions;
  if (spec.env !== undefined) input.env = spec.env;
  if (spec.timeout_seconds !== undefined) input.timeoutSeconds = spec.timeout_seconds;
  return input;
}

/** A deployment on the wire. */
export interface ApiDeployment {
  id: string;
  name: string;
  flow_name: string;
  entrypoint: string;
  description: string | null;
  parameters: Record<string, Json>;
  parameter_schema: Json | null;
  tags: string[];
  paused: boolean;
  concurrency_limit: number | null;
  collision_strategy: string;
  work_pool: string;
  schedules: Array<Record<string, Json>>;
  formerly: string[];
  working_directory: string | null;
  permissions: string[] | null;
  env: Record<string, string>;
  timeout_seconds: number | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

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
    schedules: d.schedules.map(toScheduleSpec),
    formerly: d.formerly,
    working_directory: d.workingDirectory,
    permissions: d.permissions,
    env: d.env,
    timeout_seconds: d.timeoutSeconds,
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
    schedules: fromDeploymentSpec(spec).schedules ?? [],
    formerly: d.formerly,
    workingDirectory: d.working_directory,
    permissions: d.permissions,
    env: d.env,
    timeoutSeconds: d.timeout_seconds,
    createdAt: Date.parse(d.created_at),
    updatedAt: Date.parse(d.updated_at),
    deletedAt: d.deleted_at === null ? null : Date.parse(d.deleted_at),
  };
}

/** The wire form of a work pool. */
export function toApiWorkPool(pool: WorkPool): Record<string, Json> {
  return {
    name: pool.name,
    type: pool.type,
    description: pool.description,
    paused: pool.paused,
    created_at: iso(pool.createdAt),
    updated_at: iso(pool.updatedAt),
  };
}

/** The wire form of a worker. */
export function toApiWorker(worker: WorkerRecord): Record<string, Json> {
  return {
    id: worker.id,
    name: worker.name,
    work_pool: worker.pool,
    status: worker.status,
    last_heartbeat: iso(worker.lastHeartbeat),
    created_at: iso(worker.createdAt),
  };
}

/** A claim on the wire. */
export interface ApiClaim {
  run_id: string;
  claim_id: string;
  worker_id: string;
  work_pool: string;
  deployment_id: string;
  lease_expires_at: string;
  claimed_at: string;
}

/** The wire form of a claim. */
export function toApiClaim(claim: Claim): ApiClaim {
  return {
    run_id: claim.runId,
    claim_id: claim.claimId,
    worker_id: claim.workerId,
    work_pool: claim.pool,
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
    deploymentId: claim.deployment_id,
    leaseExpiresAt: Date.parse(claim.lease_expires_at),
    claimedAt: Date.parse(claim.claimed_at),
  };
}
