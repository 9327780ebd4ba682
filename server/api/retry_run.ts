/**
 * Retrying a finished flow run as a new attempt of its lineage.
 *
 * @module
 */
import { type Engine, type RunRecord, StateType } from "../../engine/mod.ts";
import { HttpError } from "../errors.ts";
import { runOfKind } from "./lookup.ts";

const { SCHEDULED, CANCELLED, FAILED, CRASHED } = StateType;

function refuse(message: string): never {
  throw new HttpError(409, "invalid_transition", message);
}

const RETRYABLE: ReadonlySet<StateType> = new Set([FAILED, CRASHED, CANCELLED]);

/**
 * Retries a finished flow run as a new attempt of its lineage: a new
 * SCHEDULED flow run with the same flow, run name, parameters, tags and
 * deployment, and the next attempt number. Only the newest attempt of a
 * root flow run is retried.
 */
export class RunRetrier {
  readonly #engine: Engine;
  readonly #busy = new Set<string>();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  async retry(id: string): Promise<RunRecord> {
    const run = runOfKind(this.#engine, id, "flow");
    if (!RETRYABLE.has(run.state)) {
      refuse(
        `Cannot retry flow run "${id}": it is "${run.state}", not FAILED, CRASHED or CANCELLED`,
      );
    }
    if (run.parentId !== null) {
      refuse(`Cannot retry subflow run "${id}": retry its root flow run "${run.rootId}"`);
    }
    const attempts = this.#engine.listRuns({
      kind: "flow",
      lineageId: run.lineageId,
      limit: 1000,
    }).items;
    const newest = attempts.reduce((a, b) => (b.attempt > a.attempt ? b : a), run);
    if (newest.id !== run.id) {
      throw new HttpError(
        409,
        "conflict",
        `Flow run "${id}" was already retried as "${newest.id}"`,
      );
    }
    if (this.#busy.has(run.lineageId)) {
      throw new HttpError(409, "conflict", `Flow run "${id}" is being retried`);
    }
    this.#busy.add(run.lineageId);
    try {
      return await this.#engine.createFlowRun({
        name: run.name,
        flowName: run.flowName,
        runName: run.runName,
        lineageId: run.lineageId,
        attempt: newest.attempt + 1,
        state: SCHEDULED,
        parameters: run.parameters,
        tags: run.tags,
        deploymentId: run.deploymentId,
      });
    } finally {
      this.#busy.delete(run.lineageId);
    }
  }
}
