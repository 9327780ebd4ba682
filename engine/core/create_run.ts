/**
 * Creating runs: the first event of every run carries the run's fixed fields,
 * so the whole record can be rebuilt from the event log.
 *
 * @module
 */
import { InvalidArgumentError } from "./errors.ts";
import type { Json, NewRun, PendingEvent, RunRecord, UpstreamEdge } from "./model.ts";
import { DEFAULT_STATE_NAME, isStateType, StateType } from "./states.ts";

/** Transition kind of the event that creates a run. */
export const CREATE_KIND = "create";

/** Maximum nesting depth of subflows. */
export const MAX_RUN_DEPTH = 32;

/** Builds the record of a new run and the event that creates it. */
export function createRun(
  input: NewRun,
  ids: { runId: string; eventId: string; token: string },
  now: number,
): { run: RunRecord; event: PendingEvent } {
  const state = input.state ?? StateType.PENDING;
  if (!isStateType(state)) {
    throw new InvalidArgumentError(`Cannot create run: unknown state "${state}"`);
  }
  if (input.kind !== "flow" && input.kind !== "task") {
    throw new InvalidArgumentError(
      `Cannot create run: kind must be "flow" or "task", got "${input.kind}"`,
    );
  }
  if (typeof input.name !== "string" || input.name.length === 0) {
    throw new InvalidArgumentError("Cannot create run: name must be a non-empty string");
  }
  const depth = input.depth ?? 0;
  if (depth > MAX_RUN_DEPTH) {
    throw new InvalidArgumentError(
      `Cannot create run "${input.name}": depth ${depth} exceeds the limit of ${MAX_RUN_DEPTH} nested flows`,
    );
  }
  const id = input.id ?? ids.runId;
  const run: RunRecord = {
    id,
    kind: input.kind,
    name: input.name,
    flowName: input.flowName ?? input.name,
    runName: input.runName ?? id,
    parentId: input.parentId ?? null,
    rootId: input.rootId ?? id,
    parentTaskRunId: input.parentTaskRunId ?? null,
    depth,
    deploymentId: input.deploymentId ?? null,
    lineageId: input.lineageId ?? id,
    attempt: input.attempt ?? 1,
    state,
    stateName: input.stateName ?? DEFAULT_STATE_NAME[state],
    version: 1,
    createdAt: now,
    updatedAt: now,
    expectedStartTime: input.expectedStartTime ?? null,
    startTime: null,
    endTime: null,
    runCount: 0,
    totalRunTimeMs: 0,
    taskKey: input.taskKey ?? null,
    mapIndex: input.mapIndex ?? null,
    tags: [...(input.tags ?? [])],
    parameters: input.parameters ?? null,
    upstream: (input.upstream ?? []).map((edge) => ({ runId: edge.runId, kind: edge.kind })),
    message: null,
  };
  const event: PendingEvent = {
    id: ids.eventId,
    runId: id,
    runKind: run.kind,
    from: null,
    to: state,
    stateName: run.stateName,
    token: ids.token,
    version: 1,
    kind: CREATE_KIND,
    at: now,
    rules: [],
    data: {
      ...creationData(run),
      ...(input.flowVersion ? { flowVersion: input.flowVersion } : {}),
      ...(input.schedule ? { schedule: input.schedule } : {}),
      ...(input.jobVariables ? { jobVariables: input.jobVariables } : {}),
    },
  };
  return { run, event };
}

function creationData(run: RunRecord): { [key: string]: Json } {
  const data: { [key: string]: Json } = { name: run.name };
  if (run.flowName !== run.name) data["flowName"] = run.flowName;
  if (run.runName !== run.id) data["runName"] = run.runName;
  if (run.parentId !== null) data["parentId"] = run.parentId;
  if (run.rootId !== run.id) data["rootId"] = run.rootId;
  if (run.parentTaskRunId !== null) data["parentTaskRunId"] = run.parentTaskRunId;
  if (run.depth !== 0) data["depth"] = run.depth;
  if (run.deploymentId !== null) data["deploymentId"] = run.deploymentId;
  if (run.lineageId !== run.id) data["lineageId"] = run.lineageId;
  if (run.attempt !== 1) data["attempt"] = run.attempt;
  if (run.expectedStartTime !== null) data["expectedStartTime"] = run.expectedStartTime;
  if (run.taskKey !== null) data["taskKey"] = run.taskKey;
  if (run.mapIndex !== null) data["mapIndex"] = run.mapIndex;
  if (run.tags.length > 0) data["tags"] = [...run.tags];
  if (run.parameters !== null) data["parameters"] = run.parameters;
  if (run.upstream.length > 0) {
    data["upstream"] = run.upstream.map((edge) => ({ runId: edge.runId, kind: edge.kind }));
  }
  return data;
}

/** Rebuilds a run's first record from its creation event. */
export function runFromCreation(event: PendingEvent): RunRecord {
  const d = event.data ?? {};
  const str = (key: string) => typeof d[key] === "string" ? d[key] as string : null;
  const num = (key: string) => typeof d[key] === "number" ? d[key] as number : null;
  const id = event.runId;
  const name = str("name") ?? id;
  return {
    id,
    kind: event.runKind,
    name,
    flowName: str("flowName") ?? name,
    runName: str("runName") ?? id,
    parentId: str("parentId"),
    rootId: str("rootId") ?? id,
    parentTaskRunId: str("parentTaskRunId"),
    depth: num("depth") ?? 0,
    deploymentId: str("deploymentId"),
    lineageId: str("lineageId") ?? id,
    attempt: num("attempt") ?? 1,
    state: event.to,
    stateName: event.stateName,
    version: event.version,
    createdAt: event.at,
    updatedAt: event.at,
    expectedStartTime: num("expectedStartTime"),
    startTime: null,
    endTime: null,
    runCount: 0,
    totalRunTimeMs: 0,
    taskKey: str("taskKey"),
    mapIndex: num("mapIndex"),
    tags: Array.isArray(d["tags"]) ? (d["tags"] as Json[]).map(String) : [],
    parameters: d["parameters"] ?? null,
    upstream: Array.isArray(d["upstream"]) ? d["upstream"] as unknown as UpstreamEdge[] : [],
    message: null,
  };
}
