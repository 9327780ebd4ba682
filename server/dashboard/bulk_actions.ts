/**
 * Bulk cancel and retry of the flow runs selected on the runs page. Each run
 * goes through the engine's run actions, as the run page's own buttons do;
 * one refused run does not stop the others, and the answer says which were
 * refused and why.
 *
 * @module
 */
import {
  cancelFlowRun,
  type Engine,
  InvalidArgumentError,
  retryFlowRun,
} from "../../engine/mod.ts";
import { describeError } from "../errors.ts";

/** Most runs one bulk action takes (two pages of the runs list). */
export const MAX_BULK_RUNS = 100;

/** Actions the runs page offers on a selection. */
export const BULK_ACTIONS = ["cancel", "retry"] as const;

/** What a bulk action did. */
export interface BulkOutcome {
  ok: boolean;
  message: string;
}

/**
 * Applies `action` to every run in `ids`; throws `InvalidArgumentError` for
 * an unknown action, an empty or too large selection.
 */
export async function bulkRunAction(
  engine: Engine,
  action: unknown,
  ids: readonly unknown[],
): Promise<BulkOutcome> {
  if (!BULK_ACTIONS.includes(action as typeof BULK_ACTIONS[number])) {
    throw new InvalidArgumentError(
      `Unknown action "${String(action)}": expected one of ${BULK_ACTIONS.join(", ")}`,
    );
  }
  const runIds = [
    ...new Set(ids.filter((id): id is string => typeof id === "string" && id !== "")),
  ];
  if (runIds.length === 0) throw new InvalidArgumentError("Select at least one run");
  if (runIds.length > MAX_BULK_RUNS) {
    throw new InvalidArgumentError(
      `Select at most ${MAX_BULK_RUNS} runs at once (${runIds.length} selected)`,
    );
  }
  const refused: string[] = [];
  for (const id of runIds) {
    try {
      if (action === "cancel") {
        await cancelFlowRun(engine, id, { reason: "Cancelled from the dashboard (bulk)" });
      } else {
        await retryFlowRun(engine, id);
      }
    } catch (error) {
      const { status, body } = describeError(error);
      if (status >= 500) throw error;
      const name = engine.getRun(id)?.runName ?? id;
      refused.push(`${name}: ${body.error.message}`);
    }
  }
  const done = runIds.length - refused.length;
  const verb = action === "cancel" ? "Cancellation requested for" : "Retry scheduled for";
  const summary = `${verb} ${done} of ${runIds.length} run${runIds.length === 1 ? "" : "s"}.`;
  if (refused.length === 0) return { ok: true, message: summary };
  const shown = refused.slice(0, 3).join("; ");
  const more = refused.length > 3 ? ` (and ${refused.length - 3} more)` : "";
  return { ok: false, message: `${summary} Refused: ${shown}${more}` };
}
