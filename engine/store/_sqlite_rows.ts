/**
 * Rows of the SQLite tables and the records they hold: what goes into an
 * insert statement and what comes out of a `SELECT *`.
 *
 * @module
 */
import type { SQLInputValue } from "node:sqlite";
import type {
  ConcurrencyLimit,
  EngineEvent,
  Json,
  LogRecord,
  PendingEvent,
  RunKind,
  RunRecord,
  StateType,
  StoredDocument,
  UpstreamEdge,
} from "../core/mod.ts";

/** A row as `node:sqlite` answers it, by column name. */
export type Row = Record<string, SQLInputValue>;

/** The values of a run row, in the order of `RUN_COLUMN_NAMES`. */
export function runToRow(run: RunRecord): SQLInputValue[] {
  return [
    run.id,
    run.name,
    run.flowName,
    run.runName,
    run.parentId,
    run.rootId,
    run.parentTaskRunId,
    run.depth,
    run.deploymentId,
    run.lineageId,
    run.attempt,
    run.state,
    run.stateName,
    run.version,
    run.createdAt,
    run.updatedAt,
    run.expectedStartTime,
    run.startTime,
    run.endTime,
    run.runCount,
    run.totalRunTimeMs,
    run.taskKey,
    run.mapIndex,
    run.tags.length > 0 ? JSON.stringify(run.tags) : null,
    run.parameters === null ? null : JSON.stringify(run.parameters),
    run.upstream.length > 0 ? JSON.stringify(run.upstream) : null,
    run.message,
  ];
}

/** The run a row of `flow_runs` or `task_runs` holds. */
export function rowToRun(row: Row, kind: RunKind): RunRecord {
  return {
    id: row["id"] as string,
    kind,
    name: row["name"] as string,
    flowName: row["flow_name"] as string,
    runName: row["run_name"] as string,
    parentId: row["parent_id"] as string | null,
    rootId: row["root_id"] as string,
    parentTaskRunId: row["parent_task_run_id"] as string | null,
    depth: row["depth"] as number,
    deploymentId: row["deployment_id"] as string | null,
    lineageId: row["lineage_id"] as string,
    attempt: row["attempt"] as number,
    state: row["state"] as StateType,
    stateName: row["state_name"] as string,
    version: row["version"] as number,
    createdAt: row["created_at"] as number,
    updatedAt: row["updated_at"] as number,
    expectedStartTime: row["expected_start_time"] as number | null,
    startTime: row["start_time"] as number | null,
    endTime: row["end_time"] as number | null,
    runCount: row["run_count"] as number,
    totalRunTimeMs: row["total_run_time_ms"] as number,
    taskKey: row["task_key"] as string | null,
    mapIndex: row["map_index"] as number | null,
    tags: row["tags"] ? JSON.parse(row["tags"] as string) as string[] : [],
    parameters: row["parameters"] ? JSON.parse(row["parameters"] as string) as Json : null,
    upstream: row["upstream"] ? JSON.parse(row["upstream"] as string) as UpstreamEdge[] : [],
    message: row["message"] as string | null,
  };
}

/** The values of an event row with its `seq`, in the order of `INSERT_EVENT_HEAD`. */
export function eventToRow(event: PendingEvent, seq: number): SQLInputValue[] {
  return [
    seq,
    event.id,
    event.runId,
    event.runKind,
    event.from,
    event.to,
    event.stateName,
    event.token,
    event.version,
    event.kind,
    event.at,
    event.rules.length > 0 ? event.rules.join(",") : null,
    event.data === null ? null : JSON.stringify(event.data),
  ];
}

/** The event a row of `events` holds. */
export function rowToEvent(row: Row): EngineEvent {
  return {
    seq: row["seq"] as number,
    id: row["id"] as string,
    runId: row["run_id"] as string,
    runKind: row["run_kind"] as RunKind,
    from: row["from_state"] as StateType | null,
    to: row["to_state"] as StateType,
    stateName: row["state_name"] as string,
    token: row["token"] as string,
    version: row["version"] as number,
    kind: row["kind"] as string,
    at: row["at"] as number,
    rules: row["rules"] ? (row["rules"] as string).split(",") : [],
    data: row["data"] ? JSON.parse(row["data"] as string) as EngineEvent["data"] : null,
  };
}

/** The values of a log row, in the order of `INSERT_LOG_SQL`. */
export function logToRow(log: LogRecord): SQLInputValue[] {
  return [log.flowRunId, log.taskRunId, log.level, log.name, log.message, log.at];
}

/** The log line a row of `logs` holds. */
export function rowToLog(row: Row): LogRecord {
  return {
    id: row["id"] as number,
    flowRunId: row["flow_run_id"] as string,
    taskRunId: row["task_run_id"] as string | null,
    level: row["level"] as number,
    name: row["name"] as string,
    message: row["message"] as string,
    at: row["at"] as number,
  };
}

/** The values of a document row, in the order of `PUT_DOCUMENT_SQL`. */
export function documentToRow(document: StoredDocument): SQLInputValue[] {
  return [
    document.collection,
    document.key,
    document.ref,
    JSON.stringify(document.data),
    document.createdAt,
    document.updatedAt,
    document.expiresAt,
  ];
}

/** The document a row of `documents` holds. */
export function rowToDocument(row: Row): StoredDocument {
  return {
    collection: row["collection"] as string,
    key: row["key"] as string,
    ref: row["ref"] as string | null,
    data: JSON.parse(row["data"] as string) as Json,
    createdAt: row["created_at"] as number,
    updatedAt: row["updated_at"] as number,
    expiresAt: row["expires_at"] as number | null,
  };
}

/** The values of a limit row, in the order of `PUT_LIMIT_SQL`. */
export function limitToRow(limit: ConcurrencyLimit): SQLInputValue[] {
  return [
    limit.name,
    limit.limit,
    limit.slotDecayPerSecond,
    limit.activeSlots,
    limit.createdAt,
    limit.updatedAt,
  ];
}

/** The limit a row of `concurrency_limits` holds. */
export function rowToLimit(row: Row): ConcurrencyLimit {
  return {
    name: row["name"] as string,
    limit: row["slot_limit"] as number,
    slotDecayPerSecond: row["slot_decay_per_second"] as number,
    activeSlots: row["active_slots"] as number,
    createdAt: row["created_at"] as number,
    updatedAt: row["updated_at"] as number,
  };
}
