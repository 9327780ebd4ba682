/**
 * The remote control plane: the SDK talks to an IronFlow server over HTTP.
 * Creations, proposals and logs made in the same turn of the event loop go
 * out together as one `POST /api/batch` (see `remote_batcher.ts`); network
 * errors and 5xx answers are retried with capped exponential backoff and
 * jitter (client-chosen run ids and idempotent tokens make that safe) for as
 * long as an outage window (`IRONFLOW_REMOTE_OUTAGE_MS`, 5 minutes), so a
 * flow rides out a server restart; past it the request fails with
 * {@linkcode RemoteUnavailableError}. Large results are uploaded to the
 * server's content-addressed result store (`PUT /api/results/{ref}`) and read
 * back from it, so a retry on another machine restores them; a local cache,
 * bounded in size, spares the download where they were written.
 *
 * @module
 */
import { createRemoteEventClient } from "./event_clients.ts";
import { type EngineEvent, systemClock } from "../engine/mod.ts";
import {
  type ApiArtifact,
  type ApiEvent,
  type ApiLog,
  type ApiProposalResult,
  type ApiRun,
  fromApiArtifact,
  fromApiEvent,
  fromApiProposalResult,
  fromApiRun,
  toApiLog,
  toApiNewRun,
  toApiProposal,
} from "../wire/runs.ts";
import { RunEventFeed } from "./_run_event_feed.ts";
import { type ControlPlane, ironflowHomeDir, registerRemoteFactory } from "./control_plane.ts";
import { createRemoteDeploymentClient } from "./deployment_client.ts";
import { createRemoteVariableClient } from "./variable_client.ts";
import { createRemoteSecretClient } from "./secret_client.ts";
import { withSecretRedaction } from "./redaction.ts";
import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  readJson,
  RemoteError,
} from "./http_client.ts";
import { type BatchAnswer, RemoteBatcher } from "./remote_batcher.ts";
import { remoteHeartbeat, remoteRunActions } from "./remote_actions.ts";
import { createResultCache, isResultCache } from "./result_cache.ts";
import { resultRef, type ResultStore } from "./results.ts";

/** Options of {@linkcode createRemoteControlPlane}. */
export interface RemoteControlPlaneOptions extends Omit<HttpClientOptions, "retry"> {
  /**
   * Replaces the server's result store: large results are kept only here and
   * never uploaded. @default the server's, through `/api/results/{ref}`
   */
  results?: ResultStore;
  /**
   * The local copy of large results this process wrote or downloaded. A
   * result cache (`createResultCache()`) holds each written result until the
   * server acknowledged it and may evict it afterwards; a plain store keeps all.
   * @default a result cache in `IRONFLOW_HOME/result-cache`, bounded by `resultCacheMaxBytes`
   */
  resultCache?: ResultStore;
  /**
   * Largest total size of the default result cache in bytes; past it, the
   * least recently used results the server holds are deleted.
   * @default `IRONFLOW_RESULT_CACHE_MAX_BYTES`, else 268_435_456 (256 MiB)
   */
  resultCacheMaxBytes?: number;
  /** Batch requests in flight at once; later batches queue behind them. @default 4 */
  maxInFlight?: number;
  /** Largest batch request body in bytes; a server that refuses it (413) gets halves. @default 512 KiB */
  maxBatchBytes?: number;
}

/** The answer of `POST /api/concurrency-limits/acquire`. */
interface ApiSlotGrant {
  acquired: boolean;
  lease_id?: string | null;
  names?: string[];
  retry_after_ms?: number;
  reason?: string;
}

/** A control plane that reports to an IronFlow server. */
export function createRemoteControlPlane(options: RemoteControlPlaneOptions): ControlPlane {
  const client = createHttpClient({ ...options, retry: true });
  const { request } = client;

  // Creations, proposals and logs of a turn leave together: one request, one
  // engine transaction on the server. Retrying a batch is safe: runs carry
  // client-chosen ids and proposals idempotent tokens.
  const batcher = new RemoteBatcher({
    // The body is JSON already: the batcher encoded each item once, when queued.
    post: async (body) =>
      (await client.exchange("POST", "/api/batch", { body }, readJson<BatchAnswer>))!,
    itemError: (error) =>
      new RemoteError(error.message, { status: error.status ?? 400, code: error.code }),
    tooLarge: (error) => error instanceof RemoteError && error.status === 413,
    onLogError: (count, error) =>
      console.error(`IronFlow: could not send ${count} log lines: ${String(error)}`),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
  });

  // Plans recorded by this process, by flow name: the fingerprint, or the request on its way.
  const savedPlans = new Map<string, string | Promise<string | undefined>>();

  // One stream for every run this process watches.
  const subscriptionId = crypto.randomUUID();
  const events = new RunEventFeed({
    streamUrl: `${client.url}/api/stream/subscriptions/${subscriptionId}/events`,
    headers: { ...client.headers },
    fetch: client.fetch,
    change: (change) => request("POST", `/api/stream/subscriptions/${subscriptionId}`, change),
  });

  const secrets = createRemoteSecretClient({
    url: client.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    fetch: client.fetch,
  });
  return withSecretRedaction({
    timer: options.timer ?? systemClock,
    createRun: (run) =>
      batcher.create(run.id, toApiNewRun(run)).then((answer) => fromApiRun(answer as ApiRun)),
    propose: (runId, proposal) =>
      batcher.propose(runId, toApiProposal(runId, proposal)).then((answer) =>
        fromApiProposalResult(answer as ApiProposalResult)
      ),
    async getRun(runId) {
      const run = await client.find<ApiRun>(`/api/runs/${encodeURIComponent(runId)}`);
      return run ? fromApiRun(run) : undefined;
    },
    log(records) {
      for (const record of records) batcher.log(cutLogLine(toApiLog(record)));
    },
    watch(runId, listener) {
      return events.watch(runId, (event) => listener(fromApiEvent(event)));
    },
    watchesLive: () => events.settled(),
    async flush() {
      // Let this turn's items join the queue, then wait until every batch was answered.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await batcher.idle();
    },
    async close() {
      await this.flush();
      events.close();
    },
    results: options.results ?? serverResultStore(
      client,
      // Not IRONFLOW_HOME/results: that folder is where local runs (and a
      // server with the same home) keep their only copies, which a cache
      // must never evict.
      options.resultCache ?? createResultCache(`${ironflowHomeDir()}/result-cache`, {
        ...(options.resultCacheMaxBytes !== undefined
          ? { maxBytes: options.resultCacheMaxBytes }
          : {}),
      }),
    ),
    async lineageHistory(lineageId) {
      const path = `/api/lineages/${encodeURIComponent(lineageId)}/history`;
      const answer = await client.find<{
        flow_runs: ApiRun[];
        completions: Array<{ run: ApiRun; event: ApiEvent }>;
        plan_fingerprints: Record<string, string>;
      }>(path);
      if (!answer) return { flowRuns: [], completions: [] };
      return {
        flowRuns: answer.flow_runs.map(fromApiRun),
        completions: answer.completions.map(({ run, event }) => ({
          run: fromApiRun(run),
          event: fromApiEvent(event),
        })),
        planFingerprints: new Map(Object.entries(answer.plan_fingerprints)),
      };
    },
    async createArtifact(input) {
      const body = {
        key: input.key ?? null,
        type: input.type,
        description: input.description ?? null,
        data: input.data,
        flow_run_id: input.flowRunId,
        task_run_id: input.taskRunId ?? null,
      };
      return fromApiArtifact((await request<ApiArtifact>("POST", "/api/artifacts", body))!);
    },
    async updateProgressArtifact(id, progress) {
      const path = `/api/artifacts/${encodeURIComponent(id)}`;
      return fromApiArtifact((await request<ApiArtifact>("PATCH", path, { progress }))!);
    },
    async savePlan(flowName, plan) {
      // Every run of a flow records its plan before it starts: a plan this
      // process recorded already (same fingerprint) costs no request again.
      // Runs starting together wait for the one request of the first.
      const saved = savedPlans.get(flowName);
      if (saved !== undefined && (await saved) === plan.fingerprint) return;
      const saving = request("POST", `/api/flows/${encodeURIComponent(flowName)}/plan`, plan);
      savedPlans.set(flowName, saving.then(() => plan.fingerprint, () => undefined));
      try {
        await saving;
        savedPlans.set(flowName, plan.fingerprint);
      } catch (error) {
        savedPlans.delete(flowName);
        throw error;
      }
    },
    async acquireSlots(slots) {
      const answer = await request<ApiSlotGrant>("POST", "/api/concurrency-limits/acquire", {
        names: slots.names,
        occupy: slots.occupy ?? 1,
        strict: slots.strict ?? false,
        lease_ms: slots.leaseMs ?? 300_000,
        holder: slots.holder ?? null,
      });
      const grant = answer!;
      return grant.acquired
        ? { acquired: true, leaseId: grant.lease_id ?? null, names: grant.names ?? [] }
        : {
          acquired: false,
          retryAfterMs: grant.retry_after_ms ?? 250,
          reason: grant.reason ?? "no free slot",
        };
    },
    async releaseLease(leaseId) {
      const answer = await request<{ released: boolean }>(
        "POST",
        `/api/concurrency-leases/${encodeURIComponent(leaseId)}/release`,
        {},
      );
      return answer?.released ?? false;
    },
    async renewLease(leaseId, leaseMs) {
      const answer = await request<{ renewed: boolean }>(
        "POST",
        `/api/concurrency-leases/${encodeURIComponent(leaseId)}/renew`,
        { lease_ms: leaseMs },
      );
      return answer?.renewed ?? false;
    },
    async listArtifacts(query) {
      const params = new URLSearchParams(query.taskRunId ? { task_run_id: query.taskRunId } : {});
      const path = `/api/flow-runs/${encodeURIComponent(query.flowRunId)}/artifacts?${params}`;
      const page = await client.find<{ items: ApiArtifact[] }>(path);
      return (page?.items ?? []).map(fromApiArtifact);
    },
    deployments: createRemoteDeploymentClient({
      url: client.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      fetch: client.fetch,
    }),
    variables: createRemoteVariableClient({
      url: client.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      fetch: client.fetch,
    }),
    events: createRemoteEventClient(client),
    actions: remoteRunActions(request),
    heartbeat: (runIds) => remoteHeartbeat(request, runIds),
    async scheduledTaskRuns(taskNames, limit) {
      const params = new URLSearchParams({ limit: String(limit) });
      for (const name of taskNames) params.append("task", name);
      const page = await client.find<{ items: ApiRun[] }>(`/api/background-task-runs?${params}`);
      return (page?.items ?? []).map(fromApiRun);
    },
  }, secrets);
}

/**
 * Large results on the server: `put` keeps a copy in `cache` and uploads the
 * bytes (the run's COMPLETED proposal, which names them, leaves only after
 * the server stored them); `get` reads the cache, else downloads, checks the
 * bytes against their address and caches them. Small results never get here:
 * they stay inline in the proposal. Against a server that stores no results
 * (501, or an older one without the route) results stay local, with one
 * warning. A result cache holds each written result until the server
 * acknowledged it, and for good when the server stores none.
 */
function serverResultStore(client: HttpClient, cache: ResultStore): ResultStore {
  let local = false;
  const pathOf = (ref: string) => `/api/results/${encodeURIComponent(ref)}`;
  const hold = (bytes: Uint8Array) => isResultCache(cache) ? cache.hold(bytes) : cache.put(bytes);
  const release = async (ref: string) => {
    if (!isResultCache(cache)) return;
    try {
      await cache.release(ref);
    } catch (error) {
      // Still held: the copy stays, which costs space, never a result.
      console.error(`IronFlow: result "${ref}" could not be released in the cache:`, error);
    }
  };
  return {
    async put(bytes) {
      const ref = await hold(bytes);
      // The server stores none: this copy is the only one, held for good.
      if (local) return ref;
      try {
        await client.exchange("PUT", pathOf(ref), {
          body: bytes as Uint8Array<ArrayBuffer>,
          contentType: "application/octet-stream",
        }, (r) => r.text());
      } catch (error) {
        if (
          !(error instanceof RemoteError &&
            (error.status === 501 || error.code === "route_not_found"))
        ) {
          // No event will name the result: the copy need not stay.
          await release(ref);
          throw error;
        }
        local = true;
        console.error(
          `IronFlow: the server stores no results (${error.message}); large results stay in ` +
            "this process's result store, where a retry elsewhere cannot restore them",
        );
        return ref;
      }
      await release(ref);
      return ref;
    },
    async get(ref) {
      const cached = await cache.get(ref);
      if (cached || local) return cached;
      const bytes = await client.exchange(
        "GET",
        pathOf(ref),
        { absentOn404: true },
        async (r) => new Uint8Array(await r.arrayBuffer()),
      );
      if (!bytes) return undefined;
      if (await resultRef(bytes) !== ref) {
        throw new Error(`Result "${ref}" downloaded from the server does not match its address`);
      }
      try {
        await cache.put(bytes);
      } catch {
        // A cache that cannot write only costs a download next time.
      }
      return bytes;
    },
  };
}

/** Longest log message sent; longer ones are cut (and say so). */
const MAX_LOG_MESSAGE_CHARS = 64 * 1024;

/** A log line whose message fits a request: longer messages are cut, and say so. */
export function cutLogLine(log: ApiLog): ApiLog {
  if (log.message.length <= MAX_LOG_MESSAGE_CHARS) return log;
  return {
    ...log,
    message: `${
      log.message.slice(0, MAX_LOG_MESSAGE_CHARS)
    }… [cut: ${log.message.length} characters]`,
  };
}

registerRemoteFactory((url, apiKey) =>
  createRemoteControlPlane({ url, ...(apiKey !== undefined ? { apiKey } : {}) })
);

/** Types re-exported for callers that build their own transport. */
export type { EngineEvent };
