/**
 * Saying where a command wrote, and noticing a server the user may have
 * meant: a command on the embedded home while a server answers on the
 * default address writes somewhere the server never sees.
 *
 * @module
 */
import { resolve } from "node:path";
import { readEnv } from "../sdk/control_plane.ts";
import { ironflowHomeDir } from "../sdk/mod.ts";
import type { CliContext } from "./io.ts";

/** Where `server start` listens when given no --port. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:4200";

/** `server http://…` or `home /abs/path`: where this invocation reads and writes. */
export function whereOf(cli: CliContext): string {
  return cli.apiUrl ? `server ${cli.apiUrl}` : `home ${resolve(cli.cwd, ironflowHomeDir())}`;
}

/** The one line a writing command prints (on stderr, so `--json` stays parseable). */
export function reportWrite(cli: CliContext): void {
  cli.err(`Wrote to ${whereOf(cli)}`);
}

/**
 * When no server is named and one answers on the default address (or
 * IRONFLOW_DEFAULT_API_URL), the hint to use it; else undefined.
 */
export async function serverHint(cli: CliContext): Promise<string | undefined> {
  if (cli.apiUrl) return undefined;
  const url = (readEnv("IRONFLOW_DEFAULT_API_URL") ?? DEFAULT_SERVER_URL).replace(/\/+$/, "");
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) });
    await response.body?.cancel();
    if (response.status !== 200 && response.status !== 503) return undefined;
    const body = response.headers.get("content-type")?.includes("json");
    if (!body) return undefined;
  } catch {
    return undefined;
  }
  return `A server answers at ${url}, but this used the embedded home ` +
    `${resolve(cli.cwd, ironflowHomeDir())}, which that server may not read. ` +
    `To work with the server, pass --api-url ${url} or set IRONFLOW_API_URL=${url}`;
}
