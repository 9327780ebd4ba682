/**
 * The JSON shapes of runs, events, logs and proposals on the HTTP API
 * (snake_case, ISO-8601 times), and their conversion to and from the
 * engine's records. Shared by the server and the SDK's remote client.
 *
 * @module
 */
import type { EngineEvent, LogRecord, NewRun, RunRecord } from "../engine/core/mod.ts";
import type { Proposal, ProposalResult } from "../engine/core/mod.ts";
import { boundJsonDepth } from "../engine/core/mod.ts";
import type { Artifact } from "../engine/artifacts.ts";
import type { z } from "npm:zod@^4.6.7";
import type {
  ApiArtifactSchema,
  ApiEventSchema,
  ApiLogSchema,
  ApiNewRunSchema,
  ApiProposalResultSchema,
  ApiProposalSchema,
  ApiRunSchema,
} from "./run_schemas.ts";

/** An artifact on the wire. */
export type ApiArtifact = z.output<typeof ApiArtifactSchema>;

/** An artifact as API JSON. */
export function toApiArtifact(artifact: Artifact): ApiArtifact {
  return {
    id: artifact.id,
    key: artifact.key,
    version: artifact.version,
    type: artifact.type,
    description: artifact.description,
    // Readers get a bounded value, also of what an older database holds (see json_bounds.ts).
    data: boundJsonDepth(artifact.data),
    flow_run_id: artifact.flowRunId,
    task_run_id: artifact.taskRunId,
    created_at: new Date(artifact.createdAt).toISOString(),
    updated_at: new Date(artifact.updatedAt).toISOString(),
  };
}

/** API JSON of an artifact back to the record. */
export function fromApiArtifact(artifact: ApiArtifact): Artifact {
  return {
    id: artifact.id,
    key: artifact.key,
    version: artifact.version,
    type: artifact.type,
    description: artifact.description,
    data: artifact.data,
    flowRunId: artifact.flow_run_id,
    taskRunId: artifact.task_run_id,
    createdAt: Date.parse(artifact.created_at),
    updatedAt: Date.parse(artifact.updated_at),
  };
}

/** A run on the wire. */
export type ApiRun = z.output<typeof ApiRunSchema>;

/** An event on the wire. */
export type ApiEvent = z.output<typeof ApiEventSchema>;

/** A log line on the wire. */
export type ApiLog = z.output<typeof ApiLogSchema>;

/** A proposal on the wire (`POST /api/transitions`). */
export type ApiProposal = z.output<typeof ApiProposalSchema>;

/** The answer to one proposal on the wire. */
export type ApiProposalResult = z.output<typeof ApiProposalResultSchema>;

/** A run to create on the wire (`POST /api/runs/batch`). */
export type ApiNewRun = z.output<typeof ApiNewRunSchema>;

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const msOrNull = (text: string | null | undefined) => (text ? Date.parse(text) : null);

/** A run record as API JSON. */
export function toApiRun(run: RunRecord): ApiRun {
  return {
    id: run.id,
    kind: run.kind,
    name: run.name,
    flow_name: run.flowName,
    run_name: run.runName,
    parent_id: run.parentId,
    root_id: run.rootId,
    parent_task_run_id: run.parentTaskRunId,
    depth: run.depth,
    deployment_id: run.deploymentId,
    lineage_id: run.lineageId,
    attempt: run.attempt,
    state: run.state,
    state_name: run.stateName,
    version: run.version,
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
    expected_start_time: isoOrNull(run.expectedStartTime),
    start_time: isoOrNull(run.startTime),
    end_time: isoOrNull(run.endTime),
    run_count: run.runCount,
    total_run_time_ms: run.totalRunTimeMs,
    task_key: run.taskKey,
    map_index: run.mapIndex,
    tags: [...run.tags],
    parameters: boundJsonDepth(run.parameters),
    upstream: run.upstream.map((edge) => ({ ...edge })),
    message: run.message,
  };
}

/** API JSON back to a run record. */
export function fromApiRun(run: ApiRun): RunRecord {
  return {
    id: run.id,
    kind: run.kind,
    name: run.name,
    flowName: run.flow_name,
    runName: run.run_name,
    parentId: run.parent_id,
    rootId: run.root_id,
    parentTaskRunId: run.parent_task_run_id,
    depth: run.depth,
    deploymentId: run.deployment_id,
    lineageId: run.lineage_id,
    attempt: run.attempt,
    state: run.state,
    stateName: run.state_name,
    version: run.version,
    createdAt: Date.parse(run.created_at),
    updatedAt: Date.parse(run.updated_at),
    expectedStartTime: msOrNull(run.expected_start_time),
    startTime: msOrNull(run.start_time),
    endTime: msOrNull(run.end_time),
    runCount: run.run_count,
    totalRunTimeMs: run.total_run_time_ms,
    taskKey: run.task_key,
    mapIndex: run.map_index,
    tags: run.tags,
    parameters: run.parameters,
    upstream: run.upstream,
    message: run.message,
  };
}

/** A new run as API JSON. */
export function toApiNewRun(run: NewRun): ApiNewRun {
  const out: ApiNewRun = { kind: run.kind, name: run.name };
  if (run.id !== undefined) out.id = run.id;
  if (run.flowName !== undefined) out.flow_name = run.flowName;
  if (run.runName !== undefined) out.run_name = run.runName;
  if (run.parentId !== undefined) out.parent_id = run.parentId;
  if (run.rootId !== undefined) out.root_id = run.rootId;
  if (run.parentTaskRunId !== undefined) out.parent_task_run_id = run.parentTaskRunId;
  if (run.depth !== undefined) out.depth = run.depth;
  if (run.deploymentId !== undefined) out.deployment_id = run.deploymentId;
  if (run.lineageId !== undefined) out.lineage_id = run.lineageId;
  if (run.attempt !== undefined) out.attempt = run.attempt;
  if (run.state !== undefined) out.state = run.state;
  if (run.stateName !== undefined) out.state_name = run.stateName;
  if (run.expectedStartTime !== undefined) {
    out.expected_start_time = isoOrNull(run.expectedStartTime);
  }
  if (run.taskKey !== undefined) out.task_key = run.taskKey;
  if (run.mapIndex !== undefined) out.map_index = run.mapIndex;
  if (run.tags !== undefined) out.tags = [...run.tags];
  if (run.parameters !== undefined) out.parameters = run.parameters;
  if (run.upstream !== undefined) out.upstream = run.upstream.map((edge) => ({ ...edge }));
  if (run.flowVersion !== undefined) out.flow_version = run.flowVersion;
  return out;
}

/** API JSON of a new run back to the engine's input. */
export function fromApiNewRun(run: ApiNewRun): NewRun {
  const out: NewRun = { kind: run.kind, name: run.name };
  if (run.id !== undefined) out.id = run.id;
  if (run.flow_name !== undefined) out.flowName = run.flow_name;
  if (run.run_name !== undefined) out.runName = run.run_name;
  if (run.parent_id !== undefined) out.parentId = run.parent_id;
  if (run.root_id !== undefined) out.rootId = run.root_id;
  if (run.parent_task_run_id !== undefined) out.parentTaskRunId = run.parent_task_run_id;
  if (run.depth !== undefined) out.depth = run.depth;
  if (run.deployment_id !== undefined) out.deploymentId = run.deployment_id;
  if (run.lineage_id !== undefined) out.lineageId = run.lineage_id;
  if (run.attempt !== undefined) out.attempt = run.attempt;
  if (run.state !== undefined) out.state = run.state;
  if (run.state_name !== undefined) out.stateName = run.state_name;
  if (run.expected_start_time !== undefined) {
    out.expectedStartTime = msOrNull(run.expected_start_time);
  }
  if (run.task_key !== undefined) out.taskKey = run.task_key;
  if (run.map_index !== undefined) out.mapIndex = run.map_index;
  if (run.tags !== undefined) out.tags = run.tags;
  if (run.parameters !== undefined) out.parameters = run.parameters;
  if (run.upstream !== undefined) out.upstream = run.upstream;
  if (run.flow_version !== undefined) out.flowVersion = run.flow_version;
  return out;
}

/** An event as API JSON. */
export function toApiEvent(event: EngineEvent): ApiEvent {
  return {
    seq: event.seq,
    id: event.id,
    run_id: event.runId,
    run_kind: event.runKind,
    from: event.from,
    to: event.to,
    state_name: event.stateName,
    token: event.token,
    version: event.version,
    kind: event.kind,
    at: iso(event.at),
    rules: [...event.rules],
    data: boundJsonDepth(event.data),
  };
}

/** API JSON of an event back to the engine's record. */
export function fromApiEvent(event: ApiEvent): EngineEvent {
  return {
    seq: event.seq,
    id: event.id,
    runId: event.run_id,
    runKind: event.run_kind,
    from: event.from,
    to: event.to,
    stateName: event.state_name,
    token: event.token,
    version: event.version,
    kind: event.kind,
    at: Date.parse(event.at),
    rules: event.rules,
    data: event.data,
  };
}

/** A log line as API JSON. */
export function toApiLog(log: LogRecord): ApiLog {
  const out: ApiLog = {
    flow_run_id: log.flowRunId,
    task_run_id: log.taskRunId,
    level: log.level,
    name: log.name,
    message: log.message,
    at: iso(log.at),
  };
  if (log.id !== undefined) out.id = log.id;
  return out;
}

/** API JSON of a log line back to the engine's record. */
export function fromApiLog(log: ApiLog): LogRecord {
  return {
    flowRunId: log.flow_run_id,
    taskRunId: log.task_run_id,
    level: log.level,
    name: log.name,
    message: log.message,
    at: Date.parse(log.at),
  };
}

/** A proposal as API JSON. */
export function toApiProposal(runId: string, proposal: Proposal): ApiProposal {
  const out: ApiProposal = {
    run_id: runId,
    to: proposal.to,
    token: proposal.token,
    kind: proposal.kind,
  };
  if (proposal.name !== undefined) out.name = proposal.name;
  if (proposal.expectedVersion !== undefined) out.expected_version = proposal.expectedVersion;
  if (proposal.data !== undefined) out.data = proposal.data;
  return out;
}

/** API JSON of a proposal back to the engine's input. */
export function fromApiProposal(proposal: ApiProposal): { runId: string; proposal: Proposal } {
  const out: Proposal = { to: proposal.to, token: proposal.token, kind: proposal.kind };
  if (proposal.name !== undefined) out.name = proposal.name;
  if (proposal.expected_version !== undefined) out.expectedVersion = proposal.expected_version;
  if (proposal.data !== undefined) out.data = proposal.data;
  return { runId: proposal.run_id, proposal: out };
}

/** A proposal result as API JSON. */
export function toApiProposalResult(result: ProposalResult): ApiProposalResult {
  const out: ApiProposalResult = {
    status: result.status,
    state: result.state,
    state_name: result.stateName,
    version: result.version,
  };
  if (result.reason !== undefined) out.reason = result.reason;
  if (result.retryAfterMs !== undefined) out.retry_after_ms = result.retryAfterMs;
  if (result.seq !== undefined) out.seq = result.seq;
  if (result.data !== undefined) out.data = result.data;
  if (result.message !== undefined) out.message = result.message;
  return out;
}

/** API JSON of a proposal result back to the engine's answer. */
export function fromApiProposalResult(result: ApiProposalResult): ProposalResult {
  const out: ProposalResult = {
    status: result.status,
    state: result.state,
    stateName: result.state_name,
    version: result.version,
  };
  if (result.reason !== undefined) out.reason = result.reason;
  if (result.retry_after_ms !== undefined) out.retryAfterMs = result.retry_after_ms;
  if (result.seq !== undefined) out.seq = result.seq;
  if (result.data !== undefined) out.data = result.data;
  if (result.message !== undefined) out.message = result.message;
  return out;
}
