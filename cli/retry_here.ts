/**
 * `ironflow flow-run retry <run> --module <module>[:flow]`: a new attempt of
 * a run in this process, restoring the task runs its lineage completed.
 *
 * @module
 */
import { type ControlPlane, createRemoteControlPlane, retryFlowRun } from "../sdk/mod.ts";
import { UsageError } from "./format.ts";
import type { ApiRun } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";
import { loadFlow, parseReference } from "./load_flow.ts";
import { moduleUrlOf } from "../sdk/_flow_module.ts";
import { rerunInProject } from "./project_config.ts";
import { watchRun } from "./run_command.ts";
import { observePlane } from "./run_progress.ts";

/** Runs the attempt; resolves with 0 when it COMPLETED, else 1. */
export async function retryHere(
  run: ApiRun,
  reference: string,
  cli: CliContext,
  options: { json: boolean; logs?: boolean },
): Promise<number> {
  // Against a server the command can run again under the flow's project
  // configuration; on the embedded home it reads runs through the server's
  // own modules, which need IronFlow's configuration.
  if (cli.apiUrl) {
    const { module } = parseReference(reference);
    const rerun = await rerunInProject(cli, [moduleUrlOf(module, cli.cwd)]);
    if (rerun !== undefined) return rerun;
  }
  const loaded = await loadFlow(reference, cli.cwd);
  const remote = cli.apiUrl !== undefined;
  const base: ControlPlane = remote
    ? createRemoteControlPlane({ url: cli.apiUrl!, ...(cli.apiKey ? { apiKey: cli.apiKey } : {}) })
    : cli.openPlane();
  // The same live status line, log lines and failure report as `ironflow run`.
  const watching = watchRun(cli, { logs: options.logs ?? false, json: options.json });
  const plane = observePlane(base, watching);
  try {
    let outcome;
    try {
      outcome = await retryFlowRun(run.id, { plane, flow: loaded.flow as never });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    watching.stop();
    await plane.flush();
    const attempt = await plane.getRun(outcome.runId);
    const answer = {
      run_id: outcome.runId,
      attempt: attempt?.attempt,
      state: outcome.state.type,
      error: outcome.error?.message ?? null,
    };
    if (options.json) cli.out(JSON.stringify(answer, null, 2));
    else {
      cli.out(
        `Attempt ${answer.attempt} of ${run.run_name}: flow run ${outcome.runId} ${answer.state}`,
      );
      if (answer.error) cli.err(`Error: ${answer.error}`);
      watching.printFailure(answer.state);
    }
    return outcome.state.type === "COMPLETED" ? 0 : 1;
  } finally {
    watching.stop();
    if (remote) await base.close();
  }
}
