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
import {
  type ApiArtifact,
  type ApiEvent,
  type ApiLog,
  type ApiProposalResult,
  type ApiRun,
  type EngineEvent,
  fromApiArtifact,
  fromApiEvent,
  fromApiProposalResult,
  fromApiRun,
  IronFlowError,
  systemClock,
  type Timer,
  toApiLog,
  toApiNewRun,
  toApiProposal,
} from "../engine/mod.ts";
import { type ControlPlane, ironflowHomeDir, registerRemoteFactory } from "./control_plane.ts";
import { createRemoteDeploymentClient } from "./deployment_client.ts";
import { type BatchAnswer, RemoteBatcher } from "./remote_batcher.ts";
import { remoteHeartbeat, remoteRunActions } from "./remote_actions.ts";
import { createResultCache, isResultCache } from "./result_cache.ts";
import { resultRef, type ResultStore } from "./results.ts";

/** Options of {@linkcode createRemoteControlPlane}. */
export interface RemoteControlPlaneOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:4200`. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Attempts per request before giving up, within the outage window. @default unlimited */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles per attempt up to `maxBackoffMs`. @default 100 */
  backoffMs?: number;
  /** Longest backoff delay in ms. @default 5000 */
  maxBackoffMs?: number;
  /**
   * How long a request keeps retrying while the server is unreachable (or
   * answers 5xx/429), from its first failed attempt, before it fails with
   * {@linkcode RemoteUnavailableError}.
   * @default `IRONFLOW_REMOTE_OUTAGE_MS`, else 300_000 (5 minutes)
   */
  outageMs?: number;
  /** Source of the backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  timer?: Timer;
  fetch?: typeof fetch;
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

/** An error answer of the server. */
export class RemoteError extends Error {
  override name = "RemoteError";
  readonly status: number;
  readonly code: string;
  constructor(message: string, status: number, code: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The server stayed unreachable (or failing) for longer than the outage window. */
export class RemoteUnavailableError extends IronFlowError {
  override name = "RemoteUnavailableError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "remote_unavailable" });
  }
}

/** Default of {@linkcode RemoteControlPlaneOptions.outageMs}. */
export const DEFAULT_REMOTE_OUTAGE_MS = 300_000;

/** `IRONFLOW_REMOTE_OUTAGE_MS`, when set to a number of 0 or more. */
export function outageMsFromEnv(): number | undefined {
  let text: string | undefined;
  try {
    text = Deno.env.get("IRONFLOW_REMOTE_OUTAGE_MS");
  } catch {
    return undefined; // no env permission: the default applies
  }
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `IRONFLOW_REMOTE_OUTAGE_MS must be milliseconds (0 or more), got "${text}"`,
    );
  }
  return value;
}

/**
 * The delay before retry `attempt` (1-based): exponential from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so many
 * clients do not come back in step after an outage.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** A control plane that reports to an IronFlow server. */
export function createRemoteControlPlane(options: RemoteControlPlaneOptions): ControlPlane {
  const base = options.url.replace(/\/+$/, "");
  const timer = options.timer ?? systemClock;
  const doFetch = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? Infinity;
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const outageMs = options.outageMs ?? outageMsFromEnv() ?? DEFAULT_REMOTE_OUTAGE_MS;
  const random = options.random ?? Math.random;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.apiKey) headers["authorization"] = `Bearer ${options.apiKey}`;

  // One request with retries: network errors, 5xx and 429 are tried again
  // with backoff (reading the answer is part of the attempt) until the outage
  // window, counted from the first failure, is spent; other 4xx throw a
  // RemoteError; a GET answered 404 is `undefined`.
  async function exchange<T>(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string> },
    read: (response: Response) => Promise<T>,
  ): Promise<T | undefined> {
    let lastError: unknown;
    let failingSince: number | undefined;
    for (let attempt = 1;; attempt++) {
      try {
        const response = await doFetch(`${base}${path}`, {
          method,
          headers: init.headers ?? headers,
          ...(init.body !== undefined ? { body: init.body } : {}),
        });
        if (response.status === 404 && method === "GET") {
          await response.body?.cancel();
          return undefined;
        }
        if (response.ok) return await read(response);
        const error = parseError(await response.text(), response.status);
        if (!retryable(response.status)) throw error;
        lastError = error;
      } catch (error) {
        if (error instanceof RemoteError && !retryable(error.status)) throw error;
        lastError = error;
      }
      failingSince ??= timer.now();
      const left = outageMs - (timer.now() - failingSince);
      if (left <= 0 || attempt >= maxAttempts) break;
      await timer.sleep(Math.min(left, backoffDelay(attempt, backoffMs, maxBackoffMs, random)));
    }
    const seconds = Math.round((timer.now() - failingSince) / 100) / 10;
    throw new RemoteUnavailableError(
      `IronFlow server at ${base} unreachable: ${method} ${path} failed for ${seconds} s ` +
        `(outage window ${outageMs} ms, IRONFLOW_REMOTE_OUTAGE_MS): ${describe(lastError)}`,
      { cause: lastError },
    );
  }

  function request<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    return exchange(
      method,
      path,
      body !== undefined ? { body: JSON.stringify(body) } : {},
      readJson<T>,
    );
  }

  // Creations, proposals and logs of a turn leave together: one request, one
  // engine transaction on the server. Retrying a batch is safe: runs carry
  // client-chosen ids and proposals idempotent tokens.
  const batcher = new RemoteBatcher({
    // The body is JSON already: the batcher encoded each item once, when queued.
    post: async (body) => (await exchange("POST", "/api/batch", { body }, readJson<BatchAnswer>))!,
    itemError: (error) => new RemoteError(error.message, error.status ?? 400, error.code),
    tooLarge: (error) => error instanceof RemoteError && error.status === 413,
    onLogError: (count, error) =>
      console.error(`IronFlow: could not send ${count} log lines: ${String(error)}`),
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    ...(options.maxBatchBytes !== undefined ? { maxBatchBytes: options.maxBatchBytes } : {}),
  });

  const watchers = new Map<string, AbortController>();

  return {
    timer,
    createRun: (run) =>
      batcher.create(run.id, toApiNewRun(run)).then((answer) => fromApiRun(answer as ApiRun)),
    propose: (runId, proposal) =>
      batcher.propose(runId, toApiProposal(runId, proposal)).then((answer) =>
        fromApiProposalResult(answer as ApiProposalResult)
      ),
    async getRun(runId) {
      const run = await request<ApiRun>("GET", `/api/runs/${encodeURIComponent(runId)}`);
      return run ? fromApiRun(run) : undefined;
    },
    log(records) {
      for (const record of records) batcher.log(cutLogLine(toApiLog(record)));
    },
    watch(runId, listener) {
      const controller = new AbortController();
      watchers.set(runId, controller);
      streamEvents(
        // Only the run's own events: its task runs' would cross the wire to be dropped.
        `${base}/api/stream/events?run_id=${encodeURIComponent(runId)}`,
        headers,
        doFetch,
        controller.signal,
        (event) => {
          if (event.run_id === runId) listener(fromApiEvent(event));
        },
      );
      return () => {
        controller.abort();
        watchers.delete(runId);
      };
    },
    async flush() {
      // Let this turn's items join the queue, then wait until every batch was answered.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await batcher.idle();
    },
    async close() {
      await this.flush();
      for (const controller of watchers.values()) controller.abort();
      watchers.clear();
    },
    results: options.results ?? serverResultStore(
      exchange,
      { ...headers, "content-type": "application/octet-stream" },
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
      const answer = await request<{
        flow_runs: ApiRun[];
        completions: Array<{ run: ApiRun; event: ApiEvent }>;
        plan_fingerprints: Record<string, string>;
      }>("GET", path);
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
      await request("POST", `/api/flows/${encodeURIComponent(flowName)}/plan`, plan);
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
      const page = await request<{ items: ApiArtifact[] }>("GET", path);
      return (page?.items ?? []).map(fromApiArtifact);
    },
    deployments: createRemoteDeploymentClient({
      url: base,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      fetch: doFetch,
    }),
    actions: remoteRunActions(request),
    heartbeat: (runIds) => remoteHeartbeat(request, runIds),
  };
}

/** What {@linkcode serverResultStore} sends requests with (the plane's retrying exchange). */
type Exchange = <T>(
  method: string,
  path: string,
  init: { body?: BodyInit; headers?: Record<string, string> },
  read: (response: Response) => Promise<T>,
) => Promise<T | undefined>;

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
function serverResultStore(
  exchange: Exchange,
  binaryHeaders: Record<string, string>,
  cache: ResultStore,
): ResultStore {
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
        await exchange("PUT", pathOf(ref), {
          body: bytes as Uint8Array<ArrayBuffer>,
          headers: binaryHeaders,
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
      const bytes = await exchange(
        "GET",
        pathOf(ref),
        {},
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readJson<T>(response: Response): Promise<T | undefined> {
  const text = await response.text();
  return text ? JSON.parse(text) as T : undefined;
}

// 501: the server lacks the feature, which trying again will not change.
function retryable(status: number): boolean {
  return (status >= 500 && status !== 501) || status === 429;
}

function parseError(text: string, status: number): RemoteError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return new RemoteError(
      body.error?.message ?? `HTTP ${status}`,
      status,
      body.error?.code ?? "http_error",
    );
  } catch {
    return new RemoteError(`HTTP ${status}: ${text.slice(0, 200)}`, status, "http_error");
  }
}

// Reads an SSE stream of transition events, reconnecting with Last-Event-ID
// until aborted.
async function streamEvents(
  url: string,
  headers: Record<string, string>,
  doFetch: typeof fetch,
  signal: AbortSignal,
  onEvent: (event: ApiEvent) => void,
): Promise<void> {
  let lastId: string | undefined;
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await doFetch(url, {
        headers: {
          ...headers,
          accept: "text/event-stream",
          ...(lastId ? { "last-event-id": lastId } : {}),
        },
        signal,
      });
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      failures = 0;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let type = "message";
          let data = "";
          for (const line of message.split("\n")) {
            if (line.startsWith("id:")) lastId = line.slice(3).trim();
            else if (line.startsWith("event:")) type = line.slice(6).trim();
            else if (line.startsWith("data:")) data += line.slice(5).trim();
          }
          if (type === "transition" && data) onEvent(JSON.parse(data) as ApiEvent);
        }
      }
    } catch {
      if (signal.aborted) return;
      failures += 1;
    }
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** failures)));
  }
}

registerRemoteFactory((url, apiKey) =>
  createRemoteControlPlane({ url, ...(apiKey !== undefined ? { apiKey } : {}) })
);

/** Types re-exported for callers that build their own transport. */
export type { EngineEvent };
