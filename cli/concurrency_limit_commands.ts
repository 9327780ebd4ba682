/**
 * `ironflow concurrency-limit ls|create|inspect|update|reset|delete` (alias `gcl`):
 * global concurrency limits, on the server or the embedded home by the rule
 * of {@linkcode openApiTarget}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { openApiTarget } from "./api_target.ts";
import { table, UsageError } from "./format.ts";
import type { Page } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";

export const CONCURRENCY_LIMIT_HELP = `Usage: ironflow concurrency-limit <command> [options]
       (alias: ironflow gcl)

Commands:
  ls [--json]                                          limits with their slots in use
  create <name> --limit N [--slot-decay-per-second X] [--json]
  inspect <name> [--json]
  update <name> [--limit N] [--slot-decay-per-second X] [--json]
  reset <name> [--json]                                free every slot in use (holders
                                                       that release later change nothing)
  delete <name>

Works against the server at --api-url / IRONFLOW_API_URL when set, else the
embedded home.`;

interface ApiLimit {
  name: string;
  limit: number;
  slot_decay_per_second: number;
  active_slots: number;
}

/** Runs `ironflow concurrency-limit ...`. */
export async function concurrencyLimitCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      limit: { type: "string" },
      "slot-decay-per-second": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(CONCURRENCY_LIMIT_HELP);
    return 0;
  }
  const api = await openApiTarget(cli);
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const name = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the limit's name.\n\n${CONCURRENCY_LIMIT_HELP}`);
    return value;
  };
  const numbers = () => ({
    ...(values.limit !== undefined ? { limit: whole(values.limit, "--limit") } : {}),
    ...(values["slot-decay-per-second"] !== undefined
      ? {
        slot_decay_per_second: number(values["slot-decay-per-second"], "--slot-decay-per-second"),
      }
      : {}),
  });
  const describe = (l: ApiLimit) =>
    `${l.name}: ${l.active_slots}/${l.limit} slots in use, decay ${l.slot_decay_per_second}/s`;
  switch (sub) {
    case "ls": {
      const answer = await api.request<Page<ApiLimit> | ApiLimit[]>(
        "GET",
        "/api/concurrency-limits",
      );
      const items = Array.isArray(answer) ? answer : answer.items;
      print(items, () =>
        items.length === 0 ? "No concurrency limits." : table(
          ["NAME", "LIMIT", "ACTIVE", "DECAY/S"],
          items.map((l) => [l.name, l.limit, l.active_slots, l.slot_decay_per_second]),
        ));
      return 0;
    }
    case "create": {
      if (values.limit === undefined) {
        throw new UsageError(`Give --limit N.\n\n${CONCURRENCY_LIMIT_HELP}`);
      }
      const limit = await api.request<ApiLimit>("POST", "/api/concurrency-limits", {
        name: name(),
        ...numbers(),
      });
      print(limit, () => `Created concurrency limit ${describe(limit)} (${api.where})`);
      return 0;
    }
    case "inspect": {
      const limit = await api.request<ApiLimit>(
        "GET",
        `/api/concurrency-limits/${encodeURIComponent(name())}`,
      );
      print(limit, () => describe(limit));
      return 0;
    }
    case "update": {
      const body = numbers();
      if (Object.keys(body).length === 0) {
        throw new UsageError("Give --limit or --slot-decay-per-second");
      }
      const limit = await api.request<ApiLimit>(
        "PATCH",
        `/api/concurrency-limits/${encodeURIComponent(name())}`,
        body,
      );
      print(limit, () => `Updated concurrency limit ${describe(limit)} (${api.where})`);
      return 0;
    }
    case "reset": {
      const reset = await api.request<
        { limit: ApiLimit; freed_slots: number; released_leases: number; narrowed_leases: number }
      >("POST", `/api/concurrency-limits/${encodeURIComponent(name())}/reset`, {});
      print(
        reset,
        () =>
          `Reset concurrency limit ${name()}: freed ${reset.freed_slots} slot${
            reset.freed_slots === 1 ? "" : "s"
          }; now ${describe(reset.limit)} (${api.where})`,
      );
      return 0;
    }
    case "delete": {
      await api.request("DELETE", `/api/concurrency-limits/${encodeURIComponent(name())}`);
      cli.out(`Deleted concurrency limit ${name()} (${api.where})`);
      return 0;
    }
    default:
      throw new UsageError(
        `Unknown concurrency-limit command "${sub}".\n\n${CONCURRENCY_LIMIT_HELP}`,
      );
  }
}

function whole(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < 0) {
    throw new UsageError(`${flag} must be a whole number of 0 or more, got "${text}"`);
  }
  return value;
}

function number(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`${flag} must be a number of 0 or more, got "${text}"`);
  }
  return value;
}
