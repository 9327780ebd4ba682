/**
 * Following a flow run to its end: a line per state change of the run and a
 * count of its task runs by state, optionally its log lines as they are
 * written, then the exit code of its final state.
 *
 * @module
 */
import type { ApiTarget } from "./api_target.ts";
import type { ApiLog, ApiRun, FlowRunDetail, Page } from "./flow_run_view.ts";
import { levelName, stateLabel } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";

/** How often the run is read again; the server is asked, not pushed to. */
const POLL_MS = 500;

/**
 * The exit code of a run that ended in `state`: 0 COMPLETED, 2 CANCELLED,
 * 1 FAILED or CRASHED; undefined while the run is not final.
 */
export function exitCodeOf(state: string): number | undefined {
  switch (state) {
    case "COMPLETED":
      return 0;
    case "CANCELLED":
      return 2;
    case "FAILED":
    case "CRASHED":
      return 1;
    default:
      return undefined;
  }
}

/** Options of {@linkcode watchFlowRun}. */
export interface WatchOptions {
  /** Print one JSON object at the end instead of lines. */
  json: boolean;
  /** Print the run's log lines as they are written (to stderr with `json`). */
  logs?: boolean;
}

/**
 * Follows run `runId`; resolves with {@linkcode exitCodeOf} its final state:
 * 0 COMPLETED, 1 FAILED or CRASHED, 2 CANCELLED.
 */
export async function watchFlowRun(
  api: ApiTarget,
  runId: string,
  cli: CliContext,
  options: WatchOptions,
): Promise<number> {
  let last = "";
  let afterId = 0;
  const printLog = (line: string) => options.json ? cli.err(line) : cli.out(line);
  const names = new Map<string, string>();
  const readLogs = async () => {
    for (let pages = 0; pages < 100; pages++) {
      const query = new URLSearchParams({ after_id: String(afterId), limit: "1000" });
      const page = await api.request<Page<ApiLog & { id?: number }>>(
        "GET",
        `/api/flow-runs/${runId}/logs?${query}`,
      );
      for (const log of page.items) {
        if (log.id !== undefined) afterId = Math.max(afterId, log.id);
        const source = log.task_run_id ? await taskName(log.task_run_id) : "flow";
        printLog(`${log.at} ${levelName(log.level).padEnd(8)} ${source}: ${log.message}`);
      }
      if (!page.next_cursor || page.items.length === 0) return;
    }
  };
  const taskName = async (id: string) => {
    let name = names.get(id);
    if (name === undefined) {
      const task = await api.request<{ run: ApiRun }>("GET", `/api/task-runs/${id}`)
        .catch(() => undefined);
      name = task?.run.run_name ?? id;
      names.set(id, name);
    }
    return name;
  };
  for (;;) {
    const detail = await api.request<FlowRunDetail>("GET", `/api/flow-runs/${runId}`);
    const run: ApiRun = detail.run;
    if (options.logs) await readLogs();
    const counts = Object.entries(detail.task_run_counts)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${state.toLowerCase()} ${n}`)
      .join("  ");
    const line = `${stateLabel(run)}${counts ? `  tasks: ${counts}` : ""}`;
    if (line !== last && !options.json) cli.out(`Flow run ${run.run_name} ${line}`);
    last = line;
    const code = exitCodeOf(run.state);
    if (code !== undefined) {
      if (options.json) {
        cli.out(JSON.stringify({ run_id: run.id, state: run.state, state_name: run.state_name }));
      } else if (run.state !== "COMPLETED" && run.message) {
        // The way `run` prints it: a plain Error's message without its name.
        cli.err(`Error: ${run.message.replace(/^Error: /, "")}`);
      }
      return code;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
