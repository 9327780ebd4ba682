/**
 * `ironflow task-run ls|inspect|logs` and `ironflow artifact ls|inspect`, on
 * the server or the embedded home by the rule of {@linkcode openApiTarget}.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { isStateType } from "../engine/mod.ts";
import { openApiTarget } from "./api_target.ts";
import { findFlowRun } from "./flow_run_commands.ts";
import {
  type ApiLog,
  type ApiRun,
  formatLogs,
  type Page,
  runDuration,
  stateLabel,
} from "./flow_run_view.ts";
import { table, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";

export const TASK_RUN_HELP = `Usage: ironflow task-run <command> [options]

Commands:
  ls <flow run> [--state S]... [--json]   the task runs of a flow run, in execution order
  inspect <task run id> [--json]          one task run
  logs <task run id> [--json]             its log lines

<flow run> is a run id, a unique prefix of one, or a run name.`;

export const ARTIFACT_HELP = `Usage: ironflow artifact <command> [options]

Commands:
  ls <flow run> [--json]       the artifacts of a flow run, oldest first
  inspect <artifact id> [--json]

<flow run> is a run id, a unique prefix of one, or a run name.`;

interface TaskRunDetail {
  run: ApiRun;
  flow_run: ApiRun | null;
  upstream: ApiRun[];
}

interface ApiArtifact {
  id: string;
  key: string | null;
  type: string;
  description: string | null;
  data: unknown;
  task_run_id: string | null;
  created_at: string;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      state: { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
}

/** Runs `ironflow task-run ...`. */
export async function taskRunCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest);
  if (!sub || sub === "help" || values.help) {
    cli.out(TASK_RUN_HELP);
    return 0;
  }
  const api = await openApiTarget(cli);
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const reference = positionals[0];
  if (!reference) throw new UsageError(`Missing the run.\n\n${TASK_RUN_HELP}`);
  switch (sub) {
    case "ls": {
      const run = await findFlowRun(api, reference);
      const query = new URLSearchParams({ limit: "1000", order: "asc" });
      for (const state of values.state.map((s) => s.toUpperCase())) {
        if (!isStateType(state)) throw new UsageError(`Unknown state "${state}"`);
        query.append("state", state);
      }
      const page = await api.request<Page<ApiRun>>(
        "GET",
        `/api/flow-runs/${run.id}/task-runs?${query}`,
      );
      print(page.items, () => formatTaskRunTable(page.items));
      return 0;
    }
    case "inspect": {
      const detail = await api.request<TaskRunDetail>(
        "GET",
        `/api/task-runs/${encodeURIComponent(reference)}`,
      );
      const task = detail.run;
      print(detail, () =>
        [
          `Task run  ${task.run_name} (${task.id})`,
          `Task      ${task.name}`,
          `State     ${stateLabel(task)}${task.message ? ` — ${task.message}` : ""}`,
          `Runs      ${task.run_count}`,
          `Started   ${task.start_time ?? "-"}`,
          `Duration  ${runDuration(task)}`,
          `Flow run  ${
            detail.flow_run ? `${detail.flow_run.run_name} (${detail.flow_run.id})` : "-"
          }`,
          `Upstream  ${detail.upstream.map((u) => u.run_name).join(", ") || "-"}`,
        ].join("\n"));
      return 0;
    }
    case "logs": {
      const page = await api.request<Page<ApiLog>>(
        "GET",
        `/api/task-runs/${encodeURIComponent(reference)}/logs?limit=1000`,
      );
      print(page.items, () => formatLogs(page.items));
      return 0;
    }
    default:
      throw new UsageError(`Unknown task-run command "${sub}".\n\n${TASK_RUN_HELP}`);
  }
}

function formatTaskRunTable(tasks: ApiRun[]): string {
  if (tasks.length === 0) return "No task runs.";
  return table(
    ["ID", "TASK RUN", "STATE", "RUNS", "DURATION"],
    tasks.map((t) => [t.id, t.run_name, stateLabel(t), t.run_count, runDuration(t)]),
  );
}

/** Runs `ironflow artifact ...`. */
export async function artifactCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest);
  if (!sub || sub === "help" || values.help) {
    cli.out(ARTIFACT_HELP);
    return 0;
  }
  const api = await openApiTarget(cli);
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  const reference = positionals[0];
  if (!reference) throw new UsageError(`Missing the run or artifact.\n\n${ARTIFACT_HELP}`);
  switch (sub) {
    case "ls": {
      const run = await findFlowRun(api, reference);
      const answer = await api.request<{ items: ApiArtifact[] } | ApiArtifact[]>(
        "GET",
        `/api/flow-runs/${run.id}/artifacts`,
      );
      const items = Array.isArray(answer) ? answer : answer.items;
      print(items, () =>
        items.length === 0 ? "No artifacts." : table(
          ["ID", "KEY", "TYPE", "DESCRIPTION", "CREATED"],
          items.map((a) => [a.id, a.key, a.type, a.description, a.created_at]),
        ));
      return 0;
    }
    case "inspect": {
      const artifact = await api.request<ApiArtifact>(
        "GET",
        `/api/artifacts/${encodeURIComponent(reference)}`,
      );
      print(artifact, () =>
        [
          `Artifact  ${artifact.key ?? "-"} (${artifact.id})`,
          `Type      ${artifact.type}`,
          `Created   ${artifact.created_at}`,
          `Task run  ${artifact.task_run_id ?? "-"}`,
          "",
          typeof artifact.data === "string"
            ? artifact.data
            : JSON.stringify(artifact.data, null, 2),
        ].join("\n"));
      return 0;
    }
    default:
      throw new UsageError(`Unknown artifact command "${sub}".\n\n${ARTIFACT_HELP}`);
  }
}
