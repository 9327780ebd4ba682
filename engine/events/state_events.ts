/**
 * State changes of runs, read from the engine's history, as events: the
 * history is the one log; nothing is copied.
 *
 * @module
 */
import type { EngineEvent, RunRecord } from "../core/mod.ts";
import type { IronEvent, RelatedResource } from "./model.ts";

/** What a state change event names beside its run (looked up by the caller). */
export interface RunContext {
  run: RunRecord | undefined;
  /** The work pool of the run's deployment, if any. */
  workPool?: string | undefined;
}

/** Resource id of a run. */
export function runResource(runId: string, kind: "flow" | "task"): string {
  return `ironflow.${kind}-run.${runId}`;
}

/**
 * The event of one state change: `ironflow.flow-run.<StateName>` about
 * `ironflow.flow-run.<id>`, related to its flow, deployment, work pool and tags.
 *
 * @example
 * ```ts
 * import { stateChangeEvent } from "./state_events.ts";
 * const e = stateChangeEvent({
 *   seq: 7, id: "e7", runId: "r1", runKind: "flow", from: "RUNNING", to: "FAILED",
 *   stateName: "Failed", token: "t", version: 3, kind: "propose", at: 1000, rules: [], data: null,
 * }, { run: undefined });
 * console.log(e.event, e.resource); // ironflow.flow-run.Failed ironflow.flow-run.r1
 * ```
 */
export function stateChangeEvent(engineEvent: EngineEvent, context: RunContext): IronEvent {
  const { run } = context;
  const kind = engineEvent.runKind;
  const related: RelatedResource[] = [];
  if (run) {
    related.push({ id: `ironflow.flow.${run.flowName}`, role: "flow" });
    if (run.deploymentId) {
      related.push({ id: `ironflow.deployment.${run.deploymentId}`, role: "deployment" });
    }
    if (kind === "task" && run.parentId) {
      related.push({ id: runResource(run.parentId, "flow"), role: "flow-run" });
    }
    for (const tag of run.tags) related.push({ id: `ironflow.tag.${tag}`, role: "tag" });
  }
  if (context.workPool) {
    related.push({ id: `ironflow.work-pool.${context.workPool}`, role: "work-pool" });
  }
  const message = engineEvent.data?.["message"];
  return {
    id: engineEvent.id,
    event: `ironflow.${kind}-run.${engineEvent.stateName}`,
    occurred: engineEvent.at,
    resource: runResource(engineEvent.runId, kind),
    related,
    payload: {
      seq: engineEvent.seq,
      state: engineEvent.to,
      state_name: engineEvent.stateName,
      from_state: engineEvent.from,
      ...(run ? { run_name: run.runName, flow_name: run.flowName } : {}),
      ...(run?.deploymentId ? { deployment_id: run.deploymentId } : {}),
      ...(typeof message === "string" ? { message } : {}),
    },
  };
}
