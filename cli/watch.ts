/**
 * Following a flow run to its end: a line per state change of the run and a
 * count of its task runs by state, then the exit code of its final state.
 *
 * @module
 */
import type { ApiTarget } from "./api_target.ts";
import type { ApiRun, FlowRunDetail } from "./flow_run_view.ts";
import { stateLabel } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";

const FINAL = new Set(["COMPLETED", "FAILED", "CANCELLED", "CRASHED"]);
/** How often the run is read again; the server is asked, not pushed to. */
const POLL_MS = 500;

/** Follows run `runId`; resolves with 0 when it COMPLETED, else 1. */
export async function watchFlowRun(
  api: ApiTarget,
  runId: string,
  cli: CliContext,
  options: { json: boolean },
): Promise<number> {
  let last = "";
  for (;;) {
    const detail = await api.request<FlowRunDetail>("GET", `/api/flow-runs/${runId}`);
    const run: ApiRun = detail.run;
    const counts = Object.entries(detail.task_run_counts)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => `${state.toLowerCase()} ${n}`)
      .join("  ");
    const line = `${stateLabel(run)}${counts ? `  tasks: ${counts}` : ""}`;
    if (line !== last && !options.json) cli.out(`Flow run ${run.run_name} ${line}`);
    last = line;
    if (FINAL.has(run.state)) {
      if (options.json) {
        cli.out(JSON.stringify({ run_id: run.id, state: run.state, state_name: run.state_name }));
      } else if (run.state !== "COMPLETED" && run.message) cli.err(`Error: ${run.message}`);
      return run.state === "COMPLETED" ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
