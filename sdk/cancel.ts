/**
 * Cancelling a flow run from outside it.
 *
 * @module
 */
import { isTerminal, type ProposalResult, StateType } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";

/**
 * Asks a flow run to stop. A running run moves to CANCELLING: its executor
 * aborts running task bodies, cancels pending ones and ends it CANCELLED. A
 * run that has not started is cancelled at once.
 */
export async function cancelFlowRun(
  runId: string,
  options: { plane?: ControlPlane; reason?: string } = {},
): Promise<ProposalResult> {
  const plane = options.plane ?? getControlPlane();
  // The run may move while we decide; retry on a version conflict.
  for (let tries = 0;; tries++) {
    const run = await plane.getRun(runId);
    if (!run) throw new TypeError(`Cannot cancel flow run "${runId}": it does not exist`);
    if (isTerminal(run.state) || run.state === StateType.CANCELLING) {
      throw new TypeError(`Cannot cancel flow run "${runId}": it is already "${run.state}"`);
    }
    const notStarted = run.state === StateType.SCHEDULED || run.state === StateType.PENDING;
    const to = notStarted ? StateType.CANCELLED : StateType.CANCELLING;
    const result = await plane.propose(runId, {
      to,
      token: `${runId}:${run.version}:${to}`,
      kind: "user_cancel",
      expectedVersion: run.version,
      data: { message: options.reason ?? "Cancelled by request" },
    });
    if (
      result.status !== "rejected" || !result.reason?.startsWith("version_conflict") || tries >= 10
    ) {
      return result;
    }
  }
}
