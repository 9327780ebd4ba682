/**
 * What workers, `serve()`, `runDeployment()` and the CLI need from
 * deployments, on a local engine or over the server's HTTP API.
 *
 * @module
 */
import { type Engine, type Json, type RunRecord, type StateType } from "../engine/mod.ts";
import { type ApiRun, fromApiRun } from "../wire/runs.ts";
import {
  type ApplyResult,
  claimRuns,
  type Deployment,
  DeploymentService,
  heartbeat,
  releaseClaim,
  renewClaim,
  type RenewResult,
  triggerDeploymentRun,
  type WorkerRecord,
} from "../engine/deployments/mod.ts";
import type { ApiClaim, ApiDeployment, DeploymentSpec } from "../wire/deployments.ts";
import type { Claim, EffectiveJobVariables, JobVariables } from "../engine/deployments/mod.ts";
import { createHttpClient, type HttpClientOptions } from "./http_client.ts";

// The deployment schemas (and zod) load when a deployment is first handled:
// a run's process, which imports the SDK, never does.
const deploymentWire = () => import("../wire/deployments.ts");

/** A run claimed by a worker, with what it needs to execute it. */
export interface WorkItem {
  run: RunRecord;
  claim: Claim;
  deployment: Deployment;
  /** Job variables merged by the server (absent from servers before job variables). */
  jobVariables?: EffectiveJobVariables;
}

/** Options of a deployment run. */
export interface RunDeploymentRequest {
  parameters?: { [name: string]: Json };
  idempotencyKey?: string;
  tags?: readonly string[];
  /** Epoch ms. @default now */
  scheduledTime?: number;
  /** The flow run that starts this one (a subflow). */
  parentRunId?: string;
  /** Job variables of this run (`env`, `working_directory`, `command_prefix`). */
  jobVariables?: JobVariables;
}

/** The wire answer of `apply`. */
export interface ApplyAnswer {
  created: ApiDeployment[];
  updated: ApiDeployment[];
  unchanged: ApiDeployment[];
  pruned: ApiDeployment[];
  kept: Array<{ deployment: ApiDeployment; reason: string }>;
  dry_run: boolean;
}

/** Deployments, claims and leases, local or remote. */
export interface DeploymentClient {
  apply(
    specs: DeploymentSpec[],
    options: { prune?: boolean; dryRun?: boolean },
  ): Promise<ApplyAnswer>;
  list(): Promise<Deployment[]>;
  get(ref: string): Promise<Deployment | undefined>;
  setPaused(ref: string, paused: boolean): Promise<Deployment>;
  /** Pauses (`active: false`) or resumes one schedule, named by its slug. */
  setScheduleActive(ref: string, slug: string, active: boolean): Promise<Deployment>;
  delete(ref: string): Promise<void>;
  run(ref: string, request?: RunDeploymentRequest): Promise<RunRecord>;
  runs(ref: string, states?: readonly StateType[]): Promise<RunRecord[]>;
  /**
   * Claims due runs of `pool` (or of several pools, in order, as one claim
   * whose long-poll covers them all).
   */
  claim(
    pool: string | readonly string[],
    request: {
      workerId: string;
      workerName?: string;
      limit: number;
      leaseSeconds: number;
      waitMs?: number;
      /** Claim only from these queues of the pool(s). @default all of them */
      queues?: readonly string[];
    },
  ): Promise<WorkItem[]>;
  heartbeat(workerId: string, pool: string, name?: string): Promise<void>;
  renew(claim: Claim, leaseSeconds: number): Promise<RenewResult>;
  release(claim: Claim): Promise<void>;
}

async function applyAnswer(result: ApplyResult, dryRun: boolean): Promise<ApplyAnswer> {
  const { toApiDeployment } = await deploymentWire();
  return {
    created: result.created.map(toApiDeployment),
    updated: result.updated.map(toApiDeployment),
    unchanged: result.unchanged.map(toApiDeployment),
    pruned: result.pruned.map(toApiDeployment),
    kept: result.kept.map((k) => ({ deployment: toApiDeployment(k.deployment), reason: k.reason })),
    dry_run: dryRun,
  };
}

/** A client on an engine in this process. */
export function createLocalDeploymentClient(engine: Engine): DeploymentClient {
  const service = new DeploymentService(engine);
  return {
    async apply(specs, options) {
      const { fromDeploymentSpec } = await deploymentWire();
      const result = await service.apply(specs.map(fromDeploymentSpec), options);
      return await applyAnswer(result, options.dryRun ?? false);
    },
    list() {
      const all: Deployment[] = [];
      let cursor: string | undefined;
      do {
        const page = service.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return Promise.resolve(all);
    },
    get: (ref) => Promise.resolve(service.find(ref)),
    setPaused: (ref, paused) => service.setPaused(ref, paused),
    setScheduleActive: (ref, slug, active) => service.setScheduleActive(ref, slug, active),
    async delete(ref) {
      await service.delete(ref);
    },
    async run(ref, request = {}) {
      const deployment = service.get(ref);
      const parent = request.parentRunId ? engine.getRun(request.parentRunId) : undefined;
      const { run } = await triggerDeploymentRun(engine, deployment, {
        ...(request.parameters ? { parameters: request.parameters } : {}),
        ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
        ...(request.tags ? { tags: request.tags } : {}),
        ...(request.scheduledTime !== undefined
          ? { expectedStartTime: request.scheduledTime }
          : {}),
        ...(request.jobVariables ? { jobVariables: request.jobVariables } : {}),
        ...(parent
          ? { parent: { id: parent.id, rootId: parent.rootId, depth: parent.depth } }
          : {}),
      });
      return run;
    },
    runs: (ref, states) =>
      Promise.resolve(service.runs(ref, { ...(states ? { states } : {}), limit: 500 }).items),
    async claim(pools, request) {
      const claimed: WorkItem[] = [];
      for (const pool of typeof pools === "string" ? [pools] : pools) {
        if (claimed.length >= request.limit) break;
        claimed.push(
          ...await claimRuns(engine, pool, {
            workerId: request.workerId,
            ...(request.workerName ? { workerName: request.workerName } : {}),
            limit: request.limit - claimed.length,
            leaseSeconds: request.leaseSeconds,
            ...(request.queues?.length ? { queues: request.queues } : {}),
          }),
        );
      }
      return claimed;
    },
    async heartbeat(workerId, pool, name) {
      await heartbeat(engine, { id: workerId, pool, ...(name ? { name } : {}) });
    },
    renew: (claim, leaseSeconds) => renewClaim(engine, claim.runId, claim.claimId, leaseSeconds),
    async release(claim) {
      await releaseClaim(engine, claim.runId, claim.claimId);
    },
  };
}

/** Options of {@linkcode createRemoteDeploymentClient}. */
export type RemoteDeploymentClientOptions = Pick<HttpClientOptions, "url" | "apiKey" | "fetch">;

/** A client of the server's deployment, work pool and worker API. */
export function createRemoteDeploymentClient(
  options: RemoteDeploymentClientOptions,
): DeploymentClient {
  const client = createHttpClient(options);
  const request = <T>(method: string, path: string, body?: unknown) =>
    client.request<T>(method, `/api${path}`, body);
  const enc = encodeURIComponent;

  return {
    async apply(specs, opts) {
      return (await request<ApplyAnswer>("POST", "/deployments/apply", {
        deployments: specs,
        prune: opts.prune ?? false,
        dry_run: opts.dryRun ?? false,
      }))!;
    },
    async list() {
      const { fromApiDeployment } = await deploymentWire();
      const all: Deployment[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `&cursor=${enc(cursor)}` : "";
        const page: { items: ApiDeployment[]; next_cursor: string | null } | undefined =
          await request("GET", `/deployments?limit=500${query}`);
        all.push(...(page?.items ?? []).map(fromApiDeployment));
        cursor = page?.next_cursor ?? null;
      } while (cursor);
      return all;
    },
    async get(ref) {
      const { fromApiDeployment } = await deploymentWire();
      const found = await client.find<ApiDeployment>(`/api/deployments/${enc(ref)}`);
      return found ? fromApiDeployment(found) : undefined;
    },
    async setPaused(ref, paused) {
      const { fromApiDeployment } = await deploymentWire();
      const path = `/deployments/${enc(ref)}/${paused ? "pause" : "resume"}`;
      return fromApiDeployment((await request<ApiDeployment>("POST", path, {}))!);
    },
    async setScheduleActive(ref, slug, active) {
      const { fromApiDeployment } = await deploymentWire();
      const path = `/deployments/${enc(ref)}/schedules/${enc(slug)}/${active ? "resume" : "pause"}`;
      return fromApiDeployment((await request<ApiDeployment>("POST", path, {}))!);
    },
    async delete(ref) {
      await request("DELETE", `/deployments/${enc(ref)}`);
    },
    async run(ref, req = {}) {
      const body = {
        ...(req.parameters ? { parameters: req.parameters } : {}),
        ...(req.idempotencyKey !== undefined ? { idempotency_key: req.idempotencyKey } : {}),
        ...(req.tags ? { tags: req.tags } : {}),
        ...(req.scheduledTime !== undefined
          ? { scheduled_time: new Date(req.scheduledTime).toISOString() }
          : {}),
        ...(req.parentRunId ? { parent_run_id: req.parentRunId } : {}),
        ...(req.jobVariables ? { job_variables: req.jobVariables } : {}),
      };
      return fromApiRun((await request<ApiRun>("POST", `/deployments/${enc(ref)}/run`, body))!);
    },
    async runs(ref, states) {
      const query = states && states.length > 0 ? `&state=${states.join(",")}` : "";
      const page = await request<{ items: ApiRun[] }>(
        "GET",
        `/deployments/${enc(ref)}/runs?limit=500${query}`,
      );
      return (page?.items ?? []).map(fromApiRun);
    },
    async claim(pools, req) {
      const list = typeof pools === "string" ? [pools] : pools;
      const several = list.length !== 1;
      const answer = await request<
        {
          runs: Array<
            {
              run: ApiRun;
              claim: ApiClaim;
              deployment: ApiDeployment;
              job_variables?: EffectiveJobVariables;
            }
          >;
        }
      >("POST", several ? "/claims" : `/work-pools/${enc(list[0]!)}/claim`, {
        ...(several ? { work_pools: list } : {}),
        worker_id: req.workerId,
        ...(req.workerName ? { worker_name: req.workerName } : {}),
        limit: req.limit,
        lease_seconds: req.leaseSeconds,
        ...(req.waitMs ? { wait_ms: req.waitMs } : {}),
        ...(req.queues?.length ? { work_queues: req.queues } : {}),
      });
      const { fromApiClaim, fromApiDeployment } = await deploymentWire();
      return (answer?.runs ?? []).map((item) => ({
        run: fromApiRun(item.run),
        claim: fromApiClaim(item.claim),
        deployment: fromApiDeployment(item.deployment),
        ...(item.job_variables ? { jobVariables: item.job_variables } : {}),
      }));
    },
    async heartbeat(workerId, pool, name) {
      await request("POST", `/workers/${enc(workerId)}/heartbeat`, {
        work_pool: pool,
        ...(name ? { name } : {}),
      });
    },
    async renew(claim, leaseSeconds) {
      const answer = await request<
        { held: boolean; lease_expires_at: string | null; state: StateType | null }
      >("POST", `/workers/${enc(claim.workerId)}/claims/${enc(claim.runId)}/renew`, {
        claim_id: claim.claimId,
        lease_seconds: leaseSeconds,
      });
      return {
        held: answer!.held,
        leaseExpiresAt: answer!.lease_expires_at ? Date.parse(answer!.lease_expires_at) : null,
        state: answer!.state,
      };
    },
    async release(claim) {
      await request("POST", `/workers/${enc(claim.workerId)}/claims/${enc(claim.runId)}/release`, {
        claim_id: claim.claimId,
      });
    },
  };
}

/** Types for callers that pass records around. */
export type { Deployment, WorkerRecord };
