/**
 * Cancelling a flow run from outside it.
 *
 * @module
 */
import type { ProposalResult } from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";

/**
 * Asks a flow run to stop. A running run moves to CANCELLING: its executor
 * aborts running task bodies, cancels pending ones and ends it CANCELLED. A
 * run nobody executes (not started, suspended, or whose executor died) is
 * cancelled at once. Throws `RunNotFoundError` for an unknown run and
 * `InvalidTransitionError` for one that already ended.
 */
export async function cancelFlowRun(
  runId: string,
  options: { plane?: ControlPlane; reason?: string } = {},
): Promise<ProposalResult> {
  const plane = options.plane ?? getControlPlane();
  const outcome = await plane.actions.cancel(
    runId,
    options.reason !== undefined ? { reason: options.reason } : {},
  );
  return outcome.result;
}
