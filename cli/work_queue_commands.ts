/**
 * `ironflow work-queue ls|create|update|inspect|pause|resume|delete --pool P`:
 * the queues of a work pool, on the server or the embedded home by the rule
 * of {@linkcode openApiTarget}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openApiTarget } from "./api_target.ts";
import { table, UsageError } from "./format.ts";
import type { Page } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";
import { wholeNumber } from "./work_pool_commands.ts";

export const WORK_QUEUE_HELP = `Usage: ironflow work-queue <command> [--pool default] [options]

Commands:
  ls [--json]                                  the pool's queues, highest priority first
  create <name> [--priority N] [--concurrency-limit N] [--description TEXT] [--json]
  update <name> [--priority N] [--concurrency-limit N | --no-limit] [--description TEXT]
  inspect <name> [--json]
  pause <name>                                 workers claim nothing from it
  resume <name>
  delete <name>                                refused for "default" and queues in use

Workers claim from a pool's queues in priority order (lower number first),
each within its concurrency limit. A deployment names its queue with
work_queue (ironflow.yaml) or work_pool: { name, work_queue_name }.
Works against the server at --api-url / IRONFLOW_API_URL when set, else the
embedded home.`;

interface ApiQueue {
  name: string;
  work_pool: string;
  priority: number;
  concurrency_limit: number | null;
  paused: boolean;
  description: string | null;
}

function line(q: ApiQueue): string[] {
  return [
    q.name,
    String(q.priority),
    q.concurrency_limit === null ? "-" : String(q.concurrency_limit),
    q.paused ? "yes" : "no",
    q.description ?? "",
  ];
}

/** Runs `ironflow work-queue ...`. */
export async function workQueueCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      pool: { type: "string", default: "default" },
      priority: { type: "string" },
      "concurrency-limit": { type: "string" },
      "no-limit": { type: "boolean", default: false },
      description: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(WORK_QUEUE_HELP);
    return 0;
  }
  const api = await openApiTarget(cli);
  const pool = encodeURIComponent(values.pool);
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const name = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the work queue name.\n\n${WORK_QUEUE_HELP}`);
    return value;
  };
  const path = () => `/api/work-pools/${pool}/queues/${encodeURIComponent(name())}`;
  const fields = () => {
    if (values["no-limit"] && values["concurrency-limit"] !== undefined) {
      throw new UsageError("Give --concurrency-limit or --no-limit, not both");
    }
    const priority = values.priority === undefined ? undefined : Number(values.priority);
    if (priority !== undefined && !(Number.isInteger(priority) && priority >= 1)) {
      throw new UsageError(
        `--priority must be a whole number of 1 or more, got "${values.priority}"`,
      );
    }
    return {
      ...(priority !== undefined ? { priority } : {}),
      ...(values["concurrency-limit"] !== undefined
        ? { concurrency_limit: wholeNumber(values["concurrency-limit"], "--concurrency-limit") }
        : {}),
      ...(values["no-limit"] ? { concurrency_limit: null } : {}),
      ...(values.description !== undefined ? { description: values.description } : {}),
    };
  };
  const header = ["QUEUE", "PRIORITY", "CONCURRENCY", "PAUSED", "DESCRIPTION"];
  switch (sub) {
    case "ls": {
      const page = await api.request<Page<ApiQueue>>("GET", `/api/work-pools/${pool}/queues`);
      print(page.items, () => table(header, page.items.map(line)));
      return 0;
    }
    case "inspect": {
      const queue = await api.request<ApiQueue>("GET", path());
      print(queue, () => table(header, [line(queue)]));
      return 0;
    }
    case "create": {
      const queue = await api.request<ApiQueue>("POST", `/api/work-pools/${pool}/queues`, {
        name: name(),
        ...fields(),
      });
      print(
        queue,
        () =>
          `Created work queue ${queue.name} in work pool ${queue.work_pool} with priority ${queue.priority} (${api.where})`,
      );
      return 0;
    }
    case "update": {
      const queue = await api.request<ApiQueue>("PATCH", path(), fields());
      print(
        queue,
        () => `Updated work queue ${queue.name} of work pool ${queue.work_pool} (${api.where})`,
      );
      return 0;
    }
    case "pause":
    case "resume": {
      const queue = await api.request<ApiQueue>("POST", `${path()}/${sub}`, {});
      cli.out(
        `Work queue ${queue.name} of work pool ${queue.work_pool} ${
          queue.paused ? "paused" : "resumed"
        } (${api.where})`,
      );
      return 0;
    }
    case "delete": {
      await api.request("DELETE", path());
      cli.out(`Deleted work queue ${name()} of work pool ${values.pool} (${api.where})`);
      return 0;
    }
    default:
      throw new UsageError(`Unknown work-queue command "${sub}".\n\n${WORK_QUEUE_HELP}`);
  }
}
