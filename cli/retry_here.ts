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
import { loadFlow } from "./load_flow.ts";

/** Runs the attempt; resolves with 0 when it COMPLETED, else 1. */
export async function retryHere(
  run: ApiRun,
  reference: string,
  cli: CliContext,
  options: { json: boolean },
): Promise<number> {
  const loaded = await loadFlow(reference, cli.cwd);
  const remote = cli.apiUrl !== undefined;
  const plane: ControlPlane = remote
    ? createRemoteControlPlane({ url: cli.apiUrl!, ...(cli.apiKey ? { apiKey: cli.apiKey } : {}) })
    : cli.openPlane();
  try {
    let outcome;
    try {
      outcome = await retryFlowRun(run.id, { plane, flow: loaded.flow as never });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
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
    }
    return outcome.state.type === "COMPLETED" ? 0 : 1;
  } finally {
    if (remote) await plane.close();
  }
}
