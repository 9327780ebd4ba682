/**
 * What the remote endpoints (`/batch` and the older per-kind routes) do with
 * one item: create a run, judge a proposal, refuse a log line of an unknown
 * flow run, and turn an engine refusal into the item's answer.
 *
 * @module
 */
import { type Engine, NotFoundError, type RunRecord } from "../../engine/mod.ts";
import {
  type ApiNewRun,
  type ApiProposal,
  type ApiProposalResult,
  fromApiNewRun,
  fromApiProposal,
  toApiProposalResult,
} from "../../wire/mod.ts";
import { describeError, HttpError } from "../errors.ts";
import type { ApiItemError } from "../../wire/run_schemas.ts";

/** A run the engine holds or an earlier item of the same request creates: what references need. */
interface KnownRun {
  kind: "flow" | "task";
  rootId: string;
}

/**
 * Creates the runs of one request in order (each reaches the engine in this
 * turn), once their references hold (see {@linkcode checkReferences}); a run
 * may name one created earlier in the same request as its parent.
 */
export class RunCreator {
  readonly #engine: Engine;
  readonly #earlier = new Map<string, KnownRun>();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Creates the flow or task run `run` describes. */
  create(run: ApiNewRun): Promise<RunRecord> {
    try {
      const checked = checkReferences(run, (id) => this.#known(id));
      if (checked.id !== undefined) {
        this.#earlier.set(checked.id, {
          kind: checked.kind,
          rootId: checked.root_id ?? checked.id,
        });
      }
      const input = fromApiNewRun(checked);
      const engine = this.#engine;
      return input.kind === "flow" ? engine.createFlowRun(input) : engine.createTaskRun(input);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #known(id: string): KnownRun | undefined {
    const earlier = this.#earlier.get(id);
    if (earlier) return earlier;
    const run = this.#engine.getRun(id);
    return run ? { kind: run.kind, rootId: run.rootId } : undefined;
  }
}

/**
 * `run` with its tree fields made consistent, or a 400
 * `invalid_run_reference`: a task run with a parent belongs to a known flow run, a subflow
 * run's parent is a flow run, `root_id` is the parent's root (filled in when
 * null or absent) or, without a parent, the run itself, and
 * `parent_task_run_id` names a task run. Pages and readers walk these links,
 * so a dangling one must never be stored.
 */
function checkReferences(
  run: ApiNewRun,
  known: (id: string) => KnownRun | undefined,
): ApiNewRun {
  const refuse = (message: string) => new HttpError(400, "invalid_run_reference", message);
  const label = `${run.kind} run "${run.name}"`;
  const parentId = run.parent_id ?? null;
  if (parentId === null) {
    // A run of no flow: a flow run, or a task run called outside a flow or
    // delayed (task.delay()); a task called inside such a task names it.
    if (run.parent_task_run_id != null && known(run.parent_task_run_id)?.kind !== "task") {
      throw refuse(
        `Cannot create ${label}: parent_task_run_id "${run.parent_task_run_id}" names no task run`,
      );
    }
    if (run.root_id != null && run.root_id !== run.id) {
      throw refuse(`Cannot create ${label}: without a parent, root_id must be the run's own id`);
    }
    return run;
  }
  const parent = known(parentId);
  if (!parent || parent.kind !== "flow") {
    throw refuse(`Cannot create ${label}: parent_id "${parentId}" names no flow run`);
  }
  if (run.root_id != null && run.root_id !== parent.rootId) {
    throw refuse(
      `Cannot create ${label}: root_id "${run.root_id}" is not its parent's root "${parent.rootId}"`,
    );
  }
  if (run.parent_task_run_id != null && known(run.parent_task_run_id)?.kind !== "task") {
    throw refuse(
      `Cannot create ${label}: parent_task_run_id "${run.parent_task_run_id}" names no task run`,
    );
  }
  return { ...run, root_id: parent.rootId };
}

/** Judges the proposal `item` carries (reaches the engine in this turn). */
export function propose(engine: Engine, item: ApiProposal): Promise<ApiProposalResult> {
  const { runId, proposal } = fromApiProposal(item);
  return engine.propose(runId, proposal).then(toApiProposalResult);
}

/**
 * Whether `id` names a run that keeps log lines: a flow run, or a task run of
 * no flow (a background task, a task called outside a flow), which is its own
 * root. Log lines of anything else are refused.
 */
export function keepsLogs(engine: Engine, id: string): boolean {
  const run = engine.getRun(id);
  return run !== undefined && (run.kind === "flow" || run.parentId === null);
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
