/**
 * `ironflow flow ls|inspect|rename|archive|restore|delete|retention|sweep`:
 * the flow catalog, on the server at `IRONFLOW_API_URL` when it is set, else
 * on the embedded store.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  archiveFlow,
  deleteFlow,
  type FlowRecord,
  getFlow,
  listFlows,
  renameFlow,
  restoreFlow,
  setRetention,
} from "../engine/catalog/mod.ts";
import { purgeHistory, sweepRetention } from "../engine/retention/mod.ts";
import { createHttpClient } from "../sdk/http_client.ts";
import { table, time, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { reportWrite } from "./where.ts";

export const FLOW_HELP = `Usage: ironflow flow <command> [options]

Commands:
  ls [--archived] [--json]          flows with run counts (archived ones with --archived)
  inspect <name> [--json]           a flow's catalog entry (former names resolve)
  rename <name> <new-name>          keep the id; the old name becomes an alias
  archive <name>                    hide from listings
  restore <name>                    list again
  delete <name>                     refused while deployments or live runs exist
  retention <name> <days|off>       keep terminal runs this many days
  sweep [--max-runs N]              purge terminal runs past retention: each
                                    with its subflow and task runs, events,
                                    logs and artifacts (never live runs)

Runs keep the flow name they recorded; a former name finds the renamed flow.`;

/** A flow as both targets answer it (the API's wire shape). */
interface WireFlow {
  id: string | null;
  name: string;
  formerly: string[];
  archived: boolean;
  retention_days: number | null;
  runs?: number;
  purged_runs?: number;
  last_purge_at?: string | null;
  last_run?: { id: string; state: string; created_at: string };
}

/** What a sweep did, as both targets answer it. */
interface WireSweep {
  ran: boolean;
  roots: number;
  flow_runs: number;
  task_runs: number;
  events: number;
  logs: number;
  documents: number;
  /** Result files deleted (absent when the sweeping side has no result store). */
  result_files?: number;
  kept: number;
  more: boolean;
}

interface FlowTarget {
  list(archived: boolean): Promise<WireFlow[]>;
  call(action: string, name: string, arg?: string | number | null): Promise<WireFlow>;
  sweep(maxRuns: number | undefined): Promise<WireSweep>;
}

/** Runs a flow subcommand; resolves with the exit code. */
export async function flowCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      archived: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "max-runs": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(FLOW_HELP);
    return 0;
  }
  const target = openTarget(cli);
  const arg = (i: number, what: string) => {
    const value = positionals[i];
    if (!value) throw new UsageError(`Missing the ${what}.\n\n${FLOW_HELP}`);
    return value;
  };
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  switch (sub) {
    case "ls": {
      const flows = await target.list(values.archived);
      print(
        flows,
        () =>
          flows.length === 0 ? "No flows yet. Run one with: ironflow run <module>" : table(
            ["NAME", "RUNS", "LAST RUN", "ARCHIVED", "RETENTION", "FORMERLY"],
            flows.map((f) => [
              f.name,
              String(f.runs ?? 0),
              f.last_run ? `${f.last_run.state} ${time(Date.parse(f.last_run.created_at))}` : "-",
              f.archived ? "yes" : "no",
              f.retention_days === null ? "-" : `${f.retention_days}d`,
              f.formerly.join(", "),
            ]),
          ),
      );
      return 0;
    }
    case "inspect": {
      const flow = await target.call("inspect", arg(0, "flow name"));
      print(flow, () => describe(flow));
      return 0;
    }
    case "rename": {
      const flow = await target.call("rename", arg(0, "flow name"), arg(1, "new name"));
      print(flow, () => `Renamed flow "${positionals[0]}" to "${flow.name}" (id ${flow.id})`);
      reportWrite(cli);
      return 0;
    }
    case "archive":
    case "restore":
    case "delete": {
      const flow = await target.call(sub, arg(0, "flow name"));
      const done = { archive: "Archived", restore: "Restored", delete: "Deleted" }[sub];
      print(flow, () => `${done} flow "${flow.name}"`);
      reportWrite(cli);
      return 0;
    }
    case "retention": {
      const text = arg(1, "number of days (or off)");
      const days = text === "off" ? null : Number(text);
      if (days !== null && !Number.isInteger(days)) {
        throw new UsageError(`Retention must be a whole number of days or "off", got "${text}"`);
      }
      const flow = await target.call("retention", arg(0, "flow name"), days);
      print(flow, () => describe(flow));
      reportWrite(cli);
      return 0;
    }
    case "sweep": {
      const text = values["max-runs"];
      const maxRuns = text === undefined ? undefined : Number(text);
      if (maxRuns !== undefined && !(Number.isInteger(maxRuns) && maxRuns > 0)) {
        throw new UsageError(`--max-runs must be a positive whole number, got "${text}"`);
      }
      const r = await target.sweep(maxRuns);
      print(r, () =>
        `Purged ${r.roots} run(s) with ${r.flow_runs - r.roots} subflow run(s), ` +
        `${r.task_runs} task run(s), ${r.events} event(s), ${r.logs} log line(s) and ` +
        `${r.documents} document(s)` +
        (r.result_files ? `, deleted ${r.result_files} result file(s) no run references` : "") +
        `; kept ${r.kept} due run(s) that are live or newest` +
        (r.more ? "; more are due, sweep again" : ""));
      reportWrite(cli);
      return 0;
    }
    default:
      throw new UsageError(`Unknown flow command "${sub}".\n\n${FLOW_HELP}`);
  }
}

function describe(flow: WireFlow): string {
  return table(["FIELD", "VALUE"], [
    ["name", flow.name],
    ["id", flow.id ?? "-"],
    ["formerly", flow.formerly.join(", ") || "-"],
    ["archived", flow.archived ? "yes" : "no"],
    ["retention", flow.retention_days === null ? "keep forever" : `${flow.retention_days} days`],
    ["purged runs", String(flow.purged_runs ?? 0)],
    ["last purge", flow.last_purge_at ? time(Date.parse(flow.last_purge_at)) : "-"],
  ]);
}

function openTarget(cli: CliContext): FlowTarget {
  return cli.apiUrl ? remoteTarget(cli.apiUrl, cli.apiKey) : localTarget(cli);
}

function localTarget(cli: CliContext): FlowTarget {
  const { engine, results } = cli.openPlane();
  const { reader: store, clock } = engine;
  const wire = (flow: FlowRecord): WireFlow => {
    const purges = purgeHistory(store, flow.id);
    const last = purges.at(-1);
    return {
      id: flow.id,
      name: flow.name,
      formerly: flow.formerly,
      archived: flow.archived,
      retention_days: flow.retentionDays,
      purged_runs: purges.reduce((sum, purge) => sum + purge.roots, 0),
      last_purge_at: last ? new Date(last.at).toISOString() : null,
    };
  };
  return {
    list: (archived) =>
      Promise.resolve(
        listFlows(store, { archived }).map((f) => ({
          id: f.id,
          name: f.name,
          formerly: f.formerly,
          archived: f.archived,
          retention_days: f.retentionDays,
          runs: f.runs,
          last_run: {
            id: f.lastRun.id,
            state: f.lastRun.state,
            created_at: new Date(f.lastRun.createdAt).toISOString(),
          },
        })),
      ),
    async call(action, name, arg) {
      switch (action) {
        case "rename":
          return wire(await renameFlow(engine, clock, name, String(arg)));
        case "archive":
          return wire(await archiveFlow(engine, clock, name));
        case "restore":
          return wire(await restoreFlow(engine, clock, name));
        case "delete":
          return wire(await deleteFlow(engine, clock, name));
        case "retention":
          return wire(await setRetention(engine, clock, name, arg as number | null));
        default:
          return wire(await getFlow(engine, clock, name));
      }
    },
    async sweep(maxRuns) {
      // The plane's result store is the folder beside its database.
      const r = await sweepRetention(engine, clock, {
        ...(maxRuns === undefined ? {} : { maxRuns }),
        ...(results.files ? { results: results.files } : {}),
      });
      return {
        ran: r.ran,
        roots: r.roots,
        flow_runs: r.flowRuns,
        task_runs: r.taskRuns,
        events: r.events,
        logs: r.logs,
        documents: r.documents,
        result_files: r.results,
        kept: r.kept,
        more: r.more,
      };
    },
  };
}

function remoteTarget(url: string, apiKey: string | undefined): FlowTarget {
  const client = createHttpClient({ url, ...(apiKey ? { apiKey } : {}) });
  // Every flow route answers a body.
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    (await client.request<T>(method, `/api${path}`, body))!;
  const enc = encodeURIComponent;
  return {
    async list(archived) {
      const page = await request<{ items: WireFlow[] }>(
        "GET",
        `/flows${archived ? "?archived=true" : ""}`,
      );
      return page.items;
    },
    call(action, name, arg) {
      const at = `/flows/${enc(name)}`;
      switch (action) {
        case "rename":
          return request("POST", `${at}/rename`, { name: arg });
        case "archive":
        case "restore":
          return request("POST", `${at}/${action}`);
        case "delete":
          return request("DELETE", at);
        case "retention":
          return request("PATCH", at, { retention_days: arg });
        default:
          return request("GET", `/flows/catalog/${enc(name)}`);
      }
    },
    sweep: (maxRuns) =>
      request("POST", `/flows/retention/sweep${maxRuns ? `?max_runs=${maxRuns}` : ""}`),
  };
}
