/**
 * The one HTTP client of the SDK, the CLI and the worker: it knows the
 * server's base URL and key, sends JSON with `Content-Type:
 * application/json` (the server refuses state-changing requests without
 * it), turns every error answer into a {@linkcode RemoteError} and, when
 * asked to, retries network errors, 5xx and 429 answers with capped
 * exponential backoff and jitter for as long as an outage window
 * (`IRONFLOW_REMOTE_OUTAGE_MS`, 5 minutes); past it the request fails with
 * {@linkcode RemoteUnavailableError}.
 *
 * @example A run the server does not have
 * ```ts
 * import { createHttpClient } from "./http_client.ts";
 * const client = createHttpClient({
 *   url: "http://127.0.0.1:4200",
 *   fetch: () => Promise.resolve(new Response(null, { status: 404 })),
 * });
 * console.assert(await client.find("/api/runs/r1") === undefined);
 * ```
 *
 * @module
 */
import { IronFlowError, systemClock, type Timer } from "../engine/mod.ts";

/** Options of {@linkcode createHttpClient}. */
export interface HttpClientOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:4200`. */
  url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  fetch?: typeof fetch;
  /**
   * Retry network errors, 5xx and 429 answers within the outage window; when
   * off, a request is tried once and a network error is thrown as it is.
   * @default false
   */
  retry?: boolean;
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
}

/** How one request is sent and its answer read. */
export interface ExchangeInit {
  /** The body, sent as it is. */
  body?: BodyInit;
  /** The body's type. @default "application/json" */
  contentType?: string;
  /** A 404 answer means "absent" (the result is `undefined`) instead of an error. @default false */
  absentOn404?: boolean;
}

/** A client of one IronFlow server. */
export interface HttpClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  /** The headers of every request: the bearer key, if any. */
  readonly headers: Readonly<Record<string, string>>;
  /** The fetch it sends with (streams use it directly). */
  readonly fetch: typeof fetch;
  /** A JSON request; an empty answer is `undefined`, an error answer a {@linkcode RemoteError}. */
  request<T>(method: string, path: string, body?: unknown): Promise<T | undefined>;
  /** A GET of something that may not exist: a 404 answer is `undefined`. */
  find<T>(path: string): Promise<T | undefined>;
  /** One request with a body of any type, its answer read by `read`. */
  exchange<T>(
    method: string,
    path: string,
    init: ExchangeInit,
    read: (response: Response) => Promise<T>,
  ): Promise<T | undefined>;
}

/** Fields of a {@linkcode RemoteError} besides its message. */
export interface RemoteErrorOptions extends ErrorOptions {
  /** The HTTP status of the answer. */
  status: number;
  /** The answer's error code, e.g. `run_not_found`. @default "http_error" */
  code?: string;
  /** The answer's error details. @default null */
  details?: unknown;
}

/** An error answer of the server: its status, code, message and details. */
export class RemoteError extends IronFlowError {
  override name = "RemoteError";
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The answer's error details (`null` when it had none). */
  readonly details: unknown;
  constructor(message: string, options: RemoteErrorOptions) {
    const { status, code = "http_error", details = null, ...rest } = options;
    super(message, { ...rest, code });
    this.status = status;
    this.details = details;
  }
}

/** The server stayed unreachable (or failing) for longer than the outage window. */
export class RemoteUnavailableError extends IronFlowError {
  override name = "RemoteUnavailableError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "remote_unavailable" });
  }
}

/** Default of {@linkcode HttpClientOptions.outageMs}. */
export const DEFAULT_REMOTE_OUTAGE_MS = 300_000;

/** `IRONFLOW_REMOTE_OUTAGE_MS`, when set to a number of 0 or more. */
function outageMsFromEnv(): number | undefined {
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

/** A client of the server at `options.url`. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const url = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const headers: Record<string, string> = {};
  if (options.apiKey) headers["authorization"] = `Bearer ${options.apiKey}`;
  const send = options.retry ? retrying(url, options) : once;

  // One attempt: the answer, read; an error answer is thrown as a RemoteError.
  async function attempt<T>(
    method: string,
    path: string,
    init: ExchangeInit,
    read: (response: Response) => Promise<T>,
  ): Promise<T | undefined> {
    const response = await doFetch(`${url}${path}`, {
      method,
      headers: { ...headers, "content-type": init.contentType ?? "application/json" },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    if (response.status === 404 && init.absentOn404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.ok) return await read(response);
    throw parseError(await response.text(), response.status);
  }

  const client: HttpClient = {
    url,
    headers,
    fetch: doFetch,
    exchange: (method, path, init, read) =>
      send(method, path, () => attempt(method, path, init, read)),
    request: <T>(method: string, path: string, body?: unknown) =>
      client.exchange(
        method,
        path,
        body !== undefined ? { body: JSON.stringify(body) } : {},
        readJson<T>,
      ),
    find: <T>(path: string) => client.exchange("GET", path, { absentOn404: true }, readJson<T>),
  };
  return client;
}

function once<T>(_method: string, _path: string, run: () => Promise<T>): Promise<T> {
  return run();
}

/**
 * Tries `run` again on network errors, 5xx and 429 answers with backoff
 * (reading the answer is part of the attempt) until the outage window,
 * counted from the first failure, is spent; other error answers are thrown
 * at once.
 */
function retrying(url: string, options: HttpClientOptions) {
  const timer = options.timer ?? systemClock;
  const maxAttempts = options.maxAttempts ?? Infinity;
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const outageMs = options.outageMs ?? outageMsFromEnv() ?? DEFAULT_REMOTE_OUTAGE_MS;
  const random = options.random ?? Math.random;
  return async function send<T>(method: string, path: string, run: () => Promise<T>): Promise<T> {
    let lastError: unknown;
    let failingSince: number | undefined;
    for (let attempt = 1;; attempt++) {
      try {
        return await run();
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
      `IronFlow server at ${url} unreachable: ${method} ${path} failed for ${seconds} s ` +
        `(outage window ${outageMs} ms, IRONFLOW_REMOTE_OUTAGE_MS): ${describe(lastError)}`,
      { cause: lastError },
    );
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The JSON of an answer; an empty answer is `undefined`. */
export async function readJson<T>(response: Response): Promise<T | undefined> {
  const text = await response.text();
  return text ? JSON.parse(text) as T : undefined;
}

// 501: the server lacks the feature, which trying again will not change.
function retryable(status: number): boolean {
  return (status >= 500 && status !== 501) || status === 429;
}

function parseError(text: string, status: number): RemoteError {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: unknown };
    };
    return new RemoteError(body.error?.message ?? `HTTP ${status}`, {
      status,
      code: body.error?.code ?? "http_error",
      details: body.error?.details ?? null,
    });
  } catch {
    return new RemoteError(`HTTP ${status}: ${text.slice(0, 200)}`, { status });
  }
}

/** A page of a named collection (variables, secrets) in name order. */
export interface NamedPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** Reads one page of `collectionPath` (`?cursor=&limit=`) and maps its items. */
export async function listNamedPage<Api, T>(
  client: HttpClient,
  collectionPath: string,
  query: { cursor?: string; limit?: number },
  fromApi: (item: Api) => T,
): Promise<NamedPage<T>> {
  const params = new URLSearchParams({
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.limit ? { limit: String(query.limit) } : {}),
  });
  const page = await client.request<{ items: Api[]; next_cursor: string | null }>(
    "GET",
    `${collectionPath}?${params}`,
  );
  return { items: (page?.items ?? []).map(fromApi), nextCursor: page?.next_cursor ?? null };
}

/** Deletes what `path` names; whether it existed. */
export async function deleteIfFound(client: HttpClient, path: string): Promise<boolean> {
  if (!(await client.find<unknown>(path))) return false;
  await client.request("DELETE", path);
  return true;
}
