/**
 * What the remote endpoints (`/batch` and the older per-kind routes) do with
 * one item: create a run, judge a proposal, refuse a log line of an unknown
 * flow run, and turn an engine refusal into the item's answer.
 *
 * @module
 */
import {
  type ApiNewRun,
  type ApiProposal,
  type ApiProposalResult,
  type Engine,
  fromApiNewRun,
  fromApiProposal,
  NotFoundError,
  type RunRecord,
  toApiProposalResult,
} from "../../engine/mod.ts";
import { describeError } from "../errors.ts";
import type { ApiItemError } from "./wire_schemas.ts";

/** Creates the flow or task run `run` describes (reaches the engine in this turn). */
export function createRun(engine: Engine, run: ApiNewRun): Promise<RunRecord> {
  const input = fromApiNewRun(run);
  return input.kind === "flow" ? engine.createFlowRun(input) : engine.createTaskRun(input);
}

/** Judges the proposal `item` carries (reaches the engine in this turn). */
export function propose(engine: Engine, item: ApiProposal): Promise<ApiProposalResult> {
  const { runId, proposal } = fromApiProposal(item);
  return engine.propose(runId, proposal).then(toApiProposalResult);
}

/** Whether `id` names a flow run: log lines of anything else are refused. */
export function isFlowRun(engine: Engine, id: string): boolean {
  return engine.getRun(id)?.kind === "flow";
}

/** The refusal of a log line whose flow run does not exist. */
export function flowRunNotFound(id: string): NotFoundError {
  return new NotFoundError(`Flow run "${id}" does not exist`, { code: "flow_run_not_found" });
}

/**
 * The answer in place of an item the engine refused (unknown run, bad
 * argument), or `undefined` for a failure of the whole batch (store error).
 */
export function itemErrorOf(error: unknown): ApiItemError | undefined {
  const { status, body } = describeError(error);
  if (status >= 500) return undefined;
  return { error: { code: body.error.code, message: body.error.message, status } };
}
