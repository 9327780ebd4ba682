/**
 * Operator actions on flow runs: cancel, pause and resume. Each one
 * reads the run, picks the proposal the matrix allows and guards it with the
 * version it read, retrying when the run moved in between.
 *
 * @module
 */
import {
  type Engine,
  isTerminal,
  type Proposal,
  type ProposalResult,
  type RunRecord,
  StateName,
  StateType,
} from "../../engine/mod.ts";
import { HttpError } from "../errors.ts";
import { runOfKind } from "./lookup.ts";

const { SCHEDULED, PENDING, RUNNING, PAUSED, CANCELLING, CANCELLED } = StateType;

/** What an action did: the engine's answer and the run after it. */
export interface ActionOutcome {
  result: ProposalResult;
  run: RunRecord;
}

/** Pause modes: drain lets running tasks finish in place; terminate stops the executor. */
export type PauseMode = "drain" | "terminate";

const MAX_TRIES = 10;

function refuse(message: string): never {
  throw new HttpError(409, "invalid_transition", message);
}

// Proposes what `choose` picks for the run as read now; re-reads on a version conflict.
async function act(
  engine: Engine,
  id: string,
  choose: (run: RunRecord) => Omit<Proposal, "token" | "expectedVersion">,
): Promise<ActionOutcome> {
  for (let tries = 1;; tries++) {
    const run = runOfKind(engine, id, "flow");
    const proposal = choose(run);
    const result = await engine.propose(id, {
      ...proposal,
      // Same run version and action: a repeated request is a duplicate, not a second change.
      token: `${id}:${run.version}:${proposal.kind}`,
      expectedVersion: run.version,
    });
    const conflict = result.status === "rejected" && result.reason?.startsWith("version_conflict");
    if (conflict && tries < MAX_TRIES) continue;
    if (result.status !== "accepted" && result.status !== "duplicate") {
      throw new HttpError(
        409,
        conflict ? "conflict" : "invalid_transition",
        `Flow run "${id}" refused "${proposal.to}": ${result.reason ?? result.status}`,
        { details: { status: result.status, reason: result.reason ?? null } },
      );
    }
    return { result, run: engine.getRun(id)! };
  }
}

/**
 * Cancels a flow run like `cancelFlowRun()` in the SDK: a run that is not
 * executing (SCHEDULED, PENDING, or PAUSED "Suspended" with no executor) is
 * CANCELLED at once; an executing one moves to CANCELLING and its executor
 * finishes the cancellation.
 */
export function cancelRun(engine: Engine, id: string, reason?: string): Promise<ActionOutcome> {
  return act(engine, id, (run) => {
    if (isTerminal(run.state) || run.state === CANCELLING) {
      refuse(`Cannot cancel flow run "${id}": it is already "${run.state}"`);
    }
    const idle = run.state === SCHEDULED || run.state === PENDING ||
      (run.state === PAUSED && run.stateName === StateName.Suspended);
    return {
      to: idle ? CANCELLED : CANCELLING,
      kind: "user_cancel",
      data: { message: reason ?? "Cancelled by request" },
    };
  });
}

/** Pauses a RUNNING flow run: PAUSED "Paused" (drain) or PAUSED "Suspended" (terminate). */
export function pauseRun(
  engine: Engine,
  id: string,
  mode: PauseMode,
  reason?: string,
): Promise<ActionOutcome> {
  return act(engine, id, (run) => {
    if (run.state !== RUNNING) {
      refuse(`Cannot pause flow run "${id}": it is "${run.state}", only a RUNNING run pauses`);
    }
    return {
      to: PAUSED,
      // Drain: "Draining" until in-flight task bodies finish, then the executor marks it "Paused".
      name: mode === "drain" ? StateName.Draining : StateName.Suspended,
      kind: `operator_pause_${mode}`,
      data: { mode, message: reason ?? `Paused by operator (${mode})` },
    };
  });
}

/**
 * Resumes a PAUSED flow run. A drained run's executor is still waiting, so
 * the run goes back to RUNNING; a suspended (terminated) run has no executor
 * and goes to SCHEDULED for a worker to pick up.
 */
export function resumeRun(engine: Engine, id: string): Promise<ActionOutcome> {
  return act(engine, id, (run) => {
    if (run.state !== PAUSED) {
      refuse(`Cannot resume flow run "${id}": it is "${run.state}", not "PAUSED"`);
    }
    const suspended = run.stateName === StateName.Suspended;
    return {
      to: suspended ? SCHEDULED : RUNNING,
      kind: "operator_resume",
      data: { message: "Resumed by operator" },
    };
  });
}
