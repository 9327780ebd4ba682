/**
 * Where a command's reads and writes go, by one rule: the server at
 * `--api-url` or `IRONFLOW_API_URL` when one is given, else the embedded
 * home. Both are reached through the HTTP API (the embedded one in process,
 * without a port), so every command has one code path and its `--json`
 * output has the API's shape wherever it ran.
 *
 * @module
 */
import { resolve } from "node:path";
import { systemClock } from "../engine/mod.ts";
import { createHttpClient, type HttpClient, RemoteError } from "../sdk/http_client.ts";
import { ironflowHomeDir } from "../sdk/mod.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

/** The API a command talks to, and a one-line description of where that is. */
export interface ApiTarget {
  /** Sends requests; errors come back as {@linkcode UsageError} messages. */
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** `server http://…` or `home /abs/path`, for "wrote to" lines. */
  readonly where: string;
  /** Whether the target is a server (not the embedded home). */
  readonly remote: boolean;
}

/** Opens the target of this invocation (the embedded app is built on first use). */
export async function openApiTarget(cli: CliContext): Promise<ApiTarget> {
  if (cli.apiUrl) {
    const client = createHttpClient({
      url: cli.apiUrl,
      ...(cli.apiKey ? { apiKey: cli.apiKey } : {}),
    });
    return target(client, `server ${client.url}`, true);
  }
  // Loaded only here: commands against a server never need the app.
  const { createApp } = await import("../server/mod.ts");
  const app = createApp({ engine: cli.openPlane().engine, clock: systemClock });
  const client = createHttpClient({
    url: "http://127.0.0.1",
    fetch: (input, init) => Promise.resolve(app.request(input as string, init)),
  });
  return target(client, `home ${resolve(cli.cwd, ironflowHomeDir())}`, false);
}

function target(client: HttpClient, where: string, remote: boolean): ApiTarget {
  return {
    where,
    remote,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      try {
        return await client.request<T>(method, path, body) as T;
      } catch (error) {
        throw explain(error, client.url, `${method} ${path}`, remote);
      }
    },
  };
}

/** An error answer or a network failure as one line that says what was tried. */
export function explain(error: unknown, url: string, tried: string, remote: boolean): Error {
  if (error instanceof RemoteError) {
    const details = problemsOf(error.details);
    return new UsageError(`${error.message}${details}`);
  }
  if (remote && error instanceof TypeError) {
    return new UsageError(
      `Cannot reach the IronFlow server at ${url} (tried ${tried}): ${networkReason(error)}. ` +
        `Start one with "ironflow server start", or set --api-url / IRONFLOW_API_URL ` +
        `to a server that is running (unset both to use the embedded home)`,
    );
  }
  return error as Error;
}

function networkReason(error: TypeError): string {
  const text = `${error.message} ${(error.cause as Error | undefined)?.message ?? ""}`;
  if (/refused/i.test(text)) return "connection refused";
  if (/dns|lookup|resolve|not known/i.test(text)) return "host name not found";
  if (/timed? ?out/i.test(text)) return "timed out";
  return error.message.replace(/^error sending request[^:]*:\s*/i, "");
}

function problemsOf(details: unknown): string {
  const list = Array.isArray(details)
    ? details
    : (details as { problems?: unknown } | null)?.problems;
  if (!Array.isArray(list) || list.length === 0) return "";
  const lines = list.map((item) =>
    typeof item === "string"
      ? item
      : `${(item as { path?: string }).path ?? ""} ${(item as { message?: string }).message ?? ""}`
        .trim()
  );
  return `\n  ${lines.join("\n  ")}`;
}
