/**
 * How flow runs read in a terminal: the API's JSON shapes (docs/http_api.md),
 * rendered as tables and short blocks.
 *
 * @module
 */
import { isTerminal, LogLevel, type StateType } from "../engine/mod.ts";
import { duration, table } from "./format.ts";

/** A page of a list route. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A run as the API shows it (the fields the CLI prints). */
export interface ApiRun {
  id: string;
  name: string;
  run_name: string;
  state: string;
  state_name: string;
  attempt: number;
  run_count: number;
  parent_id: string | null;
  start_time: string | null;
  end_time: string | null;
  updated_at: string;
  parameters: unknown;
  message: string | null;
}

/** `GET /api/flow-runs/{id}`. */
export interface FlowRunDetail {
  run: ApiRun;
  task_run_counts: Record<string, number>;
}

/** A log line. */
export interface ApiLog {
  level: number;
  message: string;
  at: string;
  task_run_id: string | null;
}

/** A state transition. */
export interface ApiEvent {
  seq: number;
  run_id: string;
  from: string | null;
  to: string;
  state_name: string;
  kind: string;
  at: string;
}

/** A run's state, with its display name when that says more. */
export function stateLabel(run: Pick<ApiRun, "state" | "state_name">): string {
  return run.state_name.toUpperCase() === run.state
    ? run.state
    : `${run.state} (${run.state_name})`;
}

/**
 * How long a run ran: from its start to its end, or to `now` while it has
 * not ended (its last state change would say 0 ms for a run still running).
 */
export function runDuration(run: ApiRun, now: number = Date.now()): string {
  if (run.start_time === null) return duration(null);
  const end = run.end_time !== null
    ? Date.parse(run.end_time)
    : isTerminal(run.state as StateType)
    ? Date.parse(run.updated_at)
    : now;
  return duration(Math.max(0, end - Date.parse(run.start_time)));
}

/** `flow-run ls`. */
export function formatRuns(runs: ApiRun[]): string {
  if (runs.length === 0) return "No flow runs yet. Run one with: ironflow run <module>[:flow]";
  return table(
    ["ID", "NAME", "FLOW", "STATE", "STARTED", "DURATION"],
    runs.map((run) => [
      run.id,
      run.run_name,
      run.name,
      stateLabel(run),
      run.start_time ?? "-",
      runDuration(run),
    ]),
  );
}

/** `flow-run task-runs`. */
export function formatTaskRuns(tasks: ApiRun[]): string {
  if (tasks.length === 0) return "No task runs.";
  return table(
    ["TASK RUN", "TASK", "STATE", "RUNS", "DURATION"],
    tasks.map((t) => [t.run_name, t.name, stateLabel(t), t.run_count, runDuration(t)]),
  );
}

/** `flow-run inspect`. */
export function formatRunDetail(detail: FlowRunDetail, tasks: ApiRun[]): string {
  const run = detail.run;
  return [
    `Flow run  ${run.run_name} (${run.id})`,
    `Flow      ${run.name}`,
    `State     ${stateLabel(run)}${run.message ? ` — ${run.message}` : ""}`,
    `Attempt   ${run.attempt}`,
    `Started   ${run.start_time ?? "-"}`,
    `Duration  ${runDuration(run)}`,
    `Params    ${JSON.stringify(run.parameters)}`,
    `Parent    ${run.parent_id ?? "-"}`,
    "",
    formatTaskRuns(tasks),
  ].join("\n");
}

/** `flow-run logs`. */
export function formatLogs(logs: ApiLog[]): string {
  if (logs.length === 0) return "No log lines.";
  return logs.map((log) => `${log.at} ${levelName(log.level).padEnd(8)} ${log.message}`)
    .join("\n");
}

/** A log level's name, or its number when it has none. */
export function levelName(level: number): string {
  return Object.entries(LogLevel).find(([, v]) => v === level)?.[0] ?? String(level);
}

/** `flow-run events`. */
export function formatEvents(events: ApiEvent[], label: (runId: string) => string): string {
  return table(
    ["SEQ", "RUN", "FROM", "TO", "NAME", "KIND", "AT"],
    events.map((e) => [e.seq, label(e.run_id), e.from ?? "", e.to, e.state_name, e.kind, e.at]),
  );
}

interface DagJson {
  nodes?: Array<{ id: string; label?: string; name?: string; state?: string }>;
  edges?: Array<{ source?: string; target?: string; from?: string; to?: string }>;
}

/** `flow-run dag`: its nodes, then its edges as "upstream -> downstream". */
export function formatDag(value: unknown): string {
  const dag = value as DagJson;
  const nodes = dag.nodes ?? [];
  const label = new Map(nodes.map((n) => [n.id, n.label ?? n.name ?? n.id]));
  const edges = (dag.edges ?? []).map((e) => {
    const from = e.source ?? e.from ?? "";
    const to = e.target ?? e.to ?? "";
    return `${label.get(from) ?? from} -> ${label.get(to) ?? to}`;
  });
  const lines = nodes.map((n) => `${label.get(n.id)}  ${n.state ?? ""}`.trimEnd());
  return [
    `Nodes (${nodes.length})`,
    ...lines.map((l) => `  ${l}`),
    `Edges (${edges.length})`,
    ...edges.map((l) => `  ${l}`),
  ].join("\n");
}
