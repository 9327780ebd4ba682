/**
 * `ironflow api METHOD PATH`: one request to the HTTP API, its JSON answer
 * printed; against the server or the embedded home by the usual rule.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { openApiTarget } from "./api_target.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const API_HELP = `Usage: ironflow api METHOD PATH [--query k=v]... [--data JSON|@file]

Sends one request to the HTTP API (docs/http_api.md) and prints the JSON
answer. PATH is relative to /api ("/flow-runs" or "/api/flow-runs").
--data is a JSON body, or @file to read it from a file. An error answer is
printed on stderr and the exit code is 1.`;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Runs the command; resolves with the exit code. */
export async function apiCommand(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      query: { type: "string", multiple: true, default: [] },
      data: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    cli.out(API_HELP);
    return 0;
  }
  const [methodWord, pathWord, ...extra] = positionals;
  if (!methodWord || !pathWord) throw new UsageError(`Missing METHOD or PATH.\n\n${API_HELP}`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}"`);
  const method = methodWord.toUpperCase();
  if (!METHODS.includes(method)) {
    throw new UsageError(`Unknown method "${methodWord}": use one of ${METHODS.join(", ")}`);
  }
  const path = apiPath(pathWord, values.query);
  const body = values.data === undefined ? undefined : await readBody(values.data, cli.cwd);
  const api = await openApiTarget(cli);
  const answer = await api.request<unknown>(method, path, body);
  cli.out(answer === undefined ? "" : JSON.stringify(answer, null, 2));
  return 0;
}

/** `/api`-relative path with the `--query` pairs added. */
export function apiPath(path: string, pairs: readonly string[]): string {
  if (!path.startsWith("/")) path = `/${path}`;
  if (!path.startsWith("/api/") && path !== "/api") path = `/api${path}`;
  const [base, existing] = path.split("?", 2);
  const search = new URLSearchParams(existing ?? "");
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--query must look like key=value, got "${pair}"`);
    search.append(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const text = search.toString();
  return text ? `${base}?${text}` : base!;
}

async function readBody(data: string, cwd: string): Promise<unknown> {
  let text = data;
  let from = "--data";
  if (data.startsWith("@")) {
    from = data.slice(1);
    try {
      text = await Deno.readTextFile(resolve(cwd, from));
    } catch (error) {
      throw new UsageError(`Cannot read --data file "${from}": ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${from} is not valid JSON: ${(error as Error).message}`);
  }
}
