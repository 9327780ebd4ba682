/**
 * `ironflow work-pool ls|create|inspect|pause|resume|delete`, on the server or
 * the embedded home by the rule of {@linkcode openApiTarget}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openApiTarget } from "./api_target.ts";
import { table, UsageError } from "./format.ts";
import type { Page } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";

export const WORK_POOL_HELP = `Usage: ironflow work-pool <command> [options]

Commands:
  ls [--json]                                  work pools with their state
  create <name> [--description TEXT] [--paused] [--concurrency-limit N]
         [--base-job-variables JSON] [--json]
  inspect <name> [--json]                      a pool, its queues and its workers
  pause <name>                                 workers stop claiming its runs
  resume <name>
  set-concurrency-limit <name> <N>             most claimed runs of the pool at once
  clear-concurrency-limit <name>
  set-base-job-variables <name> <JSON>         env, working_directory, command_prefix of
                                               every run of the pool (deployments and
                                               runs override them)
  delete <name>

Queues of a pool: ironflow work-queue --help.

Works against the server at --api-url / IRONFLOW_API_URL when set, else the
embedded home.`;

interface ApiPool {
  name: string;
  type: string;
  description: string | null;
  paused: boolean;
  concurrency_limit?: number | null;
  created_at: string;
}

interface ApiQueue {
  name: string;
  priority: number;
  concurrency_limit: number | null;
  paused: boolean;
}

interface ApiWorker {
  id: string;
  name: string;
  last_heartbeat_at?: string | null;
  status?: string;
}

/** Runs `ironflow work-pool ...`. */
export async function workPoolCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      description: { type: "string" },
      paused: { type: "boolean", default: false },
      "concurrency-limit": { type: "string" },
      "base-job-variables": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(WORK_POOL_HELP);
    return 0;
  }
  const api = await openApiTarget(cli);
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const name = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the work pool name.\n\n${WORK_POOL_HELP}`);
    return encodeURIComponent(value);
  };
  switch (sub) {
    case "ls": {
      const page = await api.request<Page<ApiPool>>("GET", "/api/work-pools");
      print(page.items, () =>
        page.items.length === 0 ? "No work pools." : table(
          ["NAME", "TYPE", "PAUSED", "DESCRIPTION"],
          page.items.map((p) => [p.name, p.type, p.paused ? "yes" : "no", p.description]),
        ));
      return 0;
    }
    case "create": {
      const pool = await api.request<ApiPool>("POST", "/api/work-pools", {
        name: positionals[0] ?? name(),
        ...(values.description !== undefined ? { description: values.description } : {}),
        ...(values.paused ? { paused: true } : {}),
        ...(values["concurrency-limit"] !== undefined
          ? { concurrency_limit: wholeNumber(values["concurrency-limit"], "--concurrency-limit") }
          : {}),
        ...(values["base-job-variables"] !== undefined
          ? { base_job_variables: jsonObject(values["base-job-variables"], "--base-job-variables") }
          : {}),
      });
      print(pool, () => `Created work pool ${pool.name} (${api.where})`);
      return 0;
    }
    case "inspect": {
      const pool = await api.request<ApiPool>("GET", `/api/work-pools/${name()}`);
      const workers = await api.request<Page<ApiWorker> | ApiWorker[]>(
        "GET",
        `/api/work-pools/${name()}/workers`,
      );
      const list = Array.isArray(workers) ? workers : workers.items;
      const queues = (await api.request<Page<ApiQueue>>("GET", `/api/work-pools/${name()}/queues`))
        .items;
      print({ ...pool, queues, workers: list }, () =>
        [
          `Work pool    ${pool.name}`,
          `Type         ${pool.type}`,
          `Paused       ${pool.paused ? "yes" : "no"}`,
          `Description  ${pool.description ?? "-"}`,
          `Concurrency  ${pool.concurrency_limit ?? "-"}`,
          "",
          table(
            ["QUEUE", "PRIORITY", "CONCURRENCY", "PAUSED"],
            queues.map((
              q,
            ) => [q.name, q.priority, q.concurrency_limit ?? "-", q.paused ? "yes" : "no"]),
          ),
          "",
          list.length === 0 ? "No workers." : table(
            ["WORKER", "NAME", "STATUS", "LAST HEARTBEAT"],
            list.map((w) => [w.id, w.name, w.status, w.last_heartbeat_at]),
          ),
        ].join("\n"));
      return 0;
    }
    case "pause":
    case "resume": {
      const pool = await api.request<ApiPool>("PATCH", `/api/work-pools/${name()}`, {
        paused: sub === "pause",
      });
      cli.out(`Work pool ${pool.name} ${pool.paused ? "paused" : "resumed"} (${api.where})`);
      return 0;
    }
    case "set-concurrency-limit":
    case "clear-concurrency-limit": {
      const limit = sub === "clear-concurrency-limit"
        ? null
        : wholeNumber(positionals[1], "The concurrency limit");
      const pool = await api.request<ApiPool>("PATCH", `/api/work-pools/${name()}`, {
        concurrency_limit: limit,
      });
      cli.out(
        `Work pool ${pool.name} concurrency limit ${
          limit === null ? "cleared" : `set to ${limit}`
        } (${api.where})`,
      );
      return 0;
    }
    case "set-base-job-variables": {
      const pool = await api.request<ApiPool>("PATCH", `/api/work-pools/${name()}`, {
        base_job_variables: jsonObject(positionals[1], "The base job variables"),
      });
      cli.out(`Work pool ${pool.name} base job variables set (${api.where})`);
      return 0;
    }
    case "delete": {
      await api.request("DELETE", `/api/work-pools/${name()}`);
      cli.out(`Deleted work pool ${positionals[0]} (${api.where})`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown work-pool command "${sub}".\n\n${WORK_POOL_HELP}`);
  }
}

/** A whole number of 0 or more from a flag or argument, or a usage error naming `what`. */
export function wholeNumber(value: string | undefined, what: string): number {
  const n = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`${what} must be a whole number of 0 or more, got "${value ?? ""}"`);
  }
  return n;
}

function jsonObject(text: string | undefined, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    throw new UsageError(
      `${what} must be a JSON object such as '{"env":{"MODE":"fast"}}', got "${text ?? ""}"`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(
      `${what} must be a JSON object such as '{"env":{"MODE":"fast"}}', got "${text}"`,
    );
  }
  return value as Record<string, unknown>;
}
