/**
 * `ironflow flow-run ls|inspect|task-runs|logs|events|dag|cancel|pause|resume|retry`,
 * on the server or the embedded home by the rule of {@linkcode openApiTarget}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { isStateType, type Json, LogLevel } from "../engine/mod.ts";
import { type ApiTarget, openApiTarget } from "./api_target.ts";
import { UsageError } from "./format.ts";
import {
  type ApiEvent,
  type ApiLog,
  type ApiRun,
  type FlowRunDetail,
  formatDag,
  formatEvents,
  formatLogs,
  formatRunDetail,
  formatRuns,
  formatTaskRuns,
  type Page,
} from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";

export const FLOW_RUN_HELP = `Usage: ironflow flow-run <command> [options]

Commands:
  ls [--state S]... [--flow NAME] [--limit N] [--json]   list flow runs, newest first
  inspect <run> [--json]                                  one run with its task runs
  task-runs <run> [--json]                                the task runs of a run
  logs <run> [--level LEVEL] [--json]                     log lines of a run
  events <run> [--json]                                   state history of a run and its tasks
  dag <run> [--json]                                      task runs and their upstream edges
  watch <run> [--logs] [--json]                           follow a run to its end (with its
                                                          log lines with --logs); exits 0
                                                          COMPLETED, 1 FAILED or CRASHED,
                                                          2 CANCELLED
  cancel <run> [--reason TEXT]                            cancel a run
  pause <run> --mode drain|terminate                      pause a RUNNING run
  resume <run> [--input JSON]                             resume a PAUSED run; a run that
                                                          waits for input needs --input
  retry <run>                                             queue a new attempt of a
                                                          deployment run for its work pool
  retry <run> --module <module>[:flow] [--logs]           run a new attempt here, restoring
                                                          completed task runs

<run> is a run id, a unique prefix of one, or a run name. Works against the
server at --api-url / IRONFLOW_API_URL when set, else the embedded home.`;

/** Runs a flow-run subcommand; resolves with the exit code. */
export async function flowRunCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      state: { type: "string", multiple: true, default: [] },
      flow: { type: "string" },
      limit: { type: "string", default: "20" },
      level: { type: "string" },
      module: { type: "string" },
      mode: { type: "string" },
      input: { type: "string" },
      reason: { type: "string" },
      json: { type: "boolean", default: false },
      logs: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || values.help || sub === "help") {
    cli.out(FLOW_RUN_HELP);
    return 0;
  }
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const api = await openApiTarget(cli);
  const needRun = async () => {
    const reference = positionals[0];
    if (!reference) throw new UsageError(`Missing the flow run.\n\n${FLOW_RUN_HELP}`);
    return await findFlowRun(api, reference);
  };
  switch (sub) {
    case "ls": {
      const states = values.state.map((s) => s.toUpperCase());
      const bad = states.find((s) => !isStateType(s));
      if (bad) throw new UsageError(`Unknown state "${bad}"`);
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new UsageError(
          `--limit must be a whole number from 1 to 1000, got "${values.limit}"`,
        );
      }
      const query = new URLSearchParams({ limit: String(limit) });
      for (const state of states) query.append("state", state);
      if (values.flow) query.set("flow_name", values.flow);
      const page = await api.request<Page<ApiRun>>("GET", `/api/flow-runs?${query}`);
      print(page.items, () => formatRuns(page.items));
      return 0;
    }
    case "inspect": {
      const run = await needRun();
      const [detail, tasks] = await Promise.all([
        api.request<FlowRunDetail>("GET", `/api/flow-runs/${run.id}`),
        taskRunsOf(api, run.id),
      ]);
      print({ ...detail, task_runs: tasks }, () => formatRunDetail(detail, tasks));
      return 0;
    }
    case "task-runs": {
      const run = await needRun();
      const tasks = await taskRunsOf(api, run.id);
      print(tasks, () => formatTaskRuns(tasks));
      return 0;
    }
    case "logs": {
      const run = await needRun();
      const query = new URLSearchParams({ limit: "1000" });
      if (values.level) {
        const level = LogLevel[values.level.toUpperCase() as keyof typeof LogLevel];
        if (level === undefined) throw new UsageError(`Unknown log level "${values.level}"`);
        query.set("level", String(level));
      }
      const logs = await allPages<ApiLog>(api, `/api/flow-runs/${run.id}/logs`, query);
      print(logs, () => formatLogs(logs));
      return 0;
    }
    case "events": {
      const run = await needRun();
      const query = new URLSearchParams({ limit: "1000", include_task_runs: "true" });
      const events = await allPages<ApiEvent>(api, `/api/flow-runs/${run.id}/events`, query);
      const tasks = await taskRunsOf(api, run.id);
      const names = new Map(tasks.map((t) => [t.id, t.run_name]));
      print(
        events,
        () => formatEvents(events, (id) => id === run.id ? "flow" : names.get(id) ?? id),
      );
      return 0;
    }
    case "dag": {
      const run = await needRun();
      const dag = await api.request<Json>("GET", `/api/flow-runs/${run.id}/dag`);
      print(dag, () => formatDag(dag));
      return 0;
    }
    case "watch": {
      const { watchFlowRun } = await import("./watch.ts");
      const run = await needRun();
      return await watchFlowRun(api, run.id, cli, { json: values.json, logs: values.logs });
    }
    case "cancel": {
      const run = await needRun();
      const body = values.reason !== undefined ? { reason: values.reason } : {};
      const after = await action(api, run.id, "cancel", body);
      cli.out(`Flow run ${run.id} is ${after.state} (${api.where})`);
      return 0;
    }
    case "pause": {
      const run = await needRun();
      const mode = values.mode;
      if (mode !== "drain" && mode !== "terminate") {
        throw new UsageError(`Pass --mode drain or --mode terminate.\n\n${FLOW_RUN_HELP}`);
      }
      const after = await action(api, run.id, "pause", { mode });
      cli.out(`Flow run ${run.id} is ${after.state} (${after.state_name}) (${api.where})`);
      return 0;
    }
    case "resume": {
      const run = await needRun();
      let input: Json | undefined;
      if (values.input !== undefined) {
        try {
          input = JSON.parse(values.input) as Json;
        } catch (error) {
          throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
        }
      }
      const after = await action(api, run.id, "resume", input !== undefined ? { input } : {});
      cli.out(`Flow run ${run.id} is ${after.state} (${api.where})`);
      return 0;
    }
    case "retry": {
      const run = await needRun();
      if (values.module) {
        const { retryHere } = await import("./retry_here.ts");
        return await retryHere(run, values.module, cli, { json: values.json, logs: values.logs });
      }
      const attempt = await api.request<ApiRun>("POST", `/api/flow-runs/${run.id}/retry`, {});
      print(
        { run_id: attempt.id, attempt: attempt.attempt, state: attempt.state },
        () =>
          `Attempt ${attempt.attempt} of ${run.run_name}: flow run ${attempt.id} ${attempt.state} (${api.where})`,
      );
      return 0;
    }
    default:
      throw new UsageError(`Unknown flow-run command "${sub}".\n\n${FLOW_RUN_HELP}`);
  }
}

/**
 * The flow run `reference` names: its id, a unique id prefix, or its run name
 * (the newest run of that name when names repeat is not guessed: it is refused).
 */
export async function findFlowRun(api: ApiTarget, reference: string): Promise<ApiRun> {
  const direct = await api.request<{ run: ApiRun }>(
    "GET",
    `/api/flow-runs/${encodeURIComponent(reference)}`,
  ).catch((error: Error) => {
    if (/does not exist/.test(error.message)) return undefined;
    throw error;
  });
  if (direct) return direct.run;
  const query = new URLSearchParams({ q: reference, limit: "1000" });
  const page = await api.request<Page<ApiRun>>("GET", `/api/flow-runs?${query}`);
  const named = page.items.filter((run) => run.run_name === reference);
  const prefixed = page.items.filter((run) => run.id.startsWith(reference));
  const matches = named.length > 0 ? named : prefixed;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`Flow run "${reference}" does not exist`);
  throw new UsageError(
    `"${reference}" names ${matches.length} flow runs; give one of their ids:\n  ` +
      matches.slice(0, 10).map((run) => `${run.id}  ${run.run_name}  ${run.state}`).join("\n  "),
  );
}

async function taskRunsOf(api: ApiTarget, runId: string): Promise<ApiRun[]> {
  const query = new URLSearchParams({ limit: "1000", sort: "created", order: "asc" });
  return await allPages<ApiRun>(api, `/api/flow-runs/${runId}/task-runs`, query);
}

/** Every item of a paged list (bounded by the server's cursor chain). */
async function allPages<T>(api: ApiTarget, path: string, query: URLSearchParams): Promise<T[]> {
  const items: T[] = [];
  for (let cursor: string | null = null;;) {
    if (cursor) query.set("cursor", cursor);
    const page: Page<T> = await api.request<Page<T>>("GET", `${path}?${query}`);
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) return items;
  }
}

async function action(
  api: ApiTarget,
  runId: string,
  name: string,
  body: Record<string, unknown>,
): Promise<ApiRun> {
  const answer = await api.request<{ run: ApiRun }>(
    "POST",
    `/api/flow-runs/${runId}/${name}`,
    body,
  );
  return answer.run;
}
