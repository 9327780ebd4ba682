/**
 * What a flow run's executor proposes when its body ended: the state the body
 * suggests (COMPLETED when it returned, FAILED when it raised, or the state
 * it returned) and the report the engine's `DecideFlowFinalState` rule judges
 * by the flow's `finalState` mode. The SDK decides nothing here.
 *
 * @module
 */
import { type FinalStateReport, StateType } from "../engine/mod.ts";
import { TaskFuture } from "./future.ts";
import type { FlowOptions } from "./options.ts";
import { asReturnedState, type RunState, type State } from "./state.ts";

const { COMPLETED, FAILED, CANCELLED, CRASHED } = StateType;

/** One child of a flow run and how it ended. */
export type ChildStates = Array<{ future: TaskFuture<unknown>; state: RunState }>;

/** What the body's end proposes. */
export interface BodyProposal {
  to: typeof COMPLETED | typeof FAILED | typeof CANCELLED;
  /** The value a completed proposal records. */
  value: unknown;
  /** The error of a failed or cancelled proposal. */
  error: Error | undefined;
  /** A state the body returned, when it did. */
  returned: State | undefined;
  report: FinalStateReport;
}

/** The error a returned `Failed(...)`/`Cancelled(...)` carries, or one from its message. */
export class ReturnedStateError extends Error {
  override name = "ReturnedStateError";
}

/** The proposal for a body that returned `value` (not raised) after its children settled. */
export function proposalForReturn(
  value: unknown,
  children: ChildStates,
  options: FlowOptions,
): BodyProposal {
  const report = childReport(children, options);
  const returned = asReturnedState(value);
  if (returned !== undefined) {
    if (returned.isCompleted()) {
      return { to: COMPLETED, value: returned.result(), error: undefined, returned, report };
    }
    const error = returned.result({ raiseOnFailure: false }) as Error;
    const to = returned.isCancelled() ? CANCELLED : FAILED;
    const asError = error instanceof Error && error.message
      ? error
      : new ReturnedStateError(returned.message ?? `Flow returned a ${returned.type} state`);
    return { to, value: undefined, error: asError, returned, report };
  }
  if (report.mode === "prefect" && Array.isArray(value)) {
    const failed = value.map(stateOfItem).filter((state) =>
      state !== undefined && (state.type === FAILED || state.type === CRASHED)
    ) as RunState[];
    if (failed.length > 0) {
      report.returnedFailed = failed.length;
      report.returnedSummary = `${failed.length} of the returned states ended FAILED${
        failed[0]!.message ? `: ${failed[0]!.message}` : ""
      }`;
    }
  }
  return { to: COMPLETED, value, error: undefined, returned: undefined, report };
}

/** The report of a body that raised: only the mode and children, for the record. */
export function reportForRaise(children: ChildStates, options: FlowOptions): FinalStateReport {
  return childReport(children, options);
}

function stateOfItem(item: unknown): RunState | undefined {
  if (item instanceof TaskFuture) return item.state();
  return asReturnedState(item);
}

function childReport(children: ChildStates, options: FlowOptions): FinalStateReport {
  const cancelled = children.filter((c) => c.state.type === CANCELLED);
  const failed = children.filter((c) => c.state.type !== COMPLETED && c.state.type !== CANCELLED);
  const report: FinalStateReport = {
    mode: options.finalState ?? "waitAll",
    failedChildren: failed.length,
    cancelledChildren: cancelled.length,
  };
  if (cancelled.length > 0) {
    report.cancelledSummary = `${describeChildren(cancelled)} ended CANCELLED`;
  }
  if (failed.length > 0) {
    const first = failed[0]!;
    const detail = first.state.message ? `: ${first.state.message}` : "";
    report.failedSummary = `${describeChildren(failed)} ended ${first.state.type}${detail}`;
  }
  return report;
}

function describeChildren(children: Array<{ future: TaskFuture<unknown> }>): string {
  const names = children.slice(0, 3).map(({ future }) =>
    `"${future.taskName}${future.mapIndex !== null ? `[${future.mapIndex}]` : ""}" (${
      future.runId ?? "not created"
    })`
  );
  const more = children.length > 3 ? ` and ${children.length - 3} more` : "";
  return `Task run ${names.join(", ")}${more}`;
}
