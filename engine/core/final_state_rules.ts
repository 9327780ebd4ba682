/**
 * A flow run's final state is the engine's decision: the executor proposes
 * what its body suggests (COMPLETED when it returned, FAILED when it raised,
 * or the state it returned) with a report of its children, and this rule
 * applies the flow's final-state mode:
 *
 * - `waitAll` (default): a cancelled child makes the flow CANCELLED, a failed
 *   or unfinished one FAILED, so no failure is silently swallowed;
 * - `explicit`: the body decides;
 * - `prefect` (Prefect 3's rule): an error raised in the flow → FAILED; a
 *   returned state, or a returned list of states with a FAILED one, decides;
 *   anything else → COMPLETED, even when a task failed and was caught.
 *
 * @module
 */
import type { Json } from "./model.ts";
import type { Rule } from "./rules.ts";
import { StateName, StateType } from "./states.ts";

const { RUNNING, COMPLETED, FAILED, CANCELLED } = StateType;

/** How a flow run's final state is decided. */
export const FinalStateMode = {
  WAIT_ALL: "waitAll",
  EXPLICIT: "explicit",
  PREFECT: "prefect",
} as const;
/** One of {@linkcode FinalStateMode}. */
export type FinalStateMode = typeof FinalStateMode[keyof typeof FinalStateMode];

/** The report a flow run's executor sends with its final proposal (`data.finalState`). */
export interface FinalStateReport {
  mode: FinalStateMode;
  /** Children (task runs, subflows) that ended FAILED, CRASHED or unfinished, and CANCELLED. */
  failedChildren: number;
  cancelledChildren: number;
  /** Who they are, for the run's message (`Task run "x" (id) ended FAILED: ...`). */
  failedSummary?: string;
  cancelledSummary?: string;
  /** States in what the body returned (a list of states or futures): how many FAILED. */
  returnedFailed?: number;
  returnedSummary?: string;
}

function reportOf(
  data: { readonly [key: string]: Json } | undefined,
): FinalStateReport | undefined {
  const report = data?.["finalState"];
  if (report === null || typeof report !== "object" || Array.isArray(report)) return undefined;
  return report as unknown as FinalStateReport;
}

/** Applies the flow's final-state mode to a proposed COMPLETED. */
export const DecideFlowFinalState: Rule = {
  name: "DecideFlowFinalState",
  from: [RUNNING],
  to: [COMPLETED],
  applies: (run, proposal) => run.kind === "flow" && reportOf(proposal.data) !== undefined,
  before(ctx) {
    const report = reportOf(ctx.proposal.data);
    if (report === undefined) return;
    const end = (to: StateType, name: string, message: string) => {
      ctx.annotate({ message });
      ctx.redirect(to, name, `final state (${report.mode}): ${message}`);
    };
    if (report.mode === FinalStateMode.WAIT_ALL) {
      if (report.cancelledChildren > 0) {
        end(CANCELLED, StateName.Cancelled, report.cancelledSummary ?? "a child was cancelled");
      } else if (report.failedChildren > 0) {
        end(FAILED, StateName.Failed, report.failedSummary ?? "a child failed");
      }
    } else if (report.mode === FinalStateMode.PREFECT && (report.returnedFailed ?? 0) > 0) {
      end(FAILED, StateName.Failed, report.returnedSummary ?? "a returned state failed");
    }
  },
};
