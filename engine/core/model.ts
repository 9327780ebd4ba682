/**
 * The records the engine keeps: runs (the projection) and events (the
 * append-only history that is the source of truth).
 *
 * @module
 */
import type { StateType } from "./states.ts";

/** Whether a run is a flow run or a task run. */
export type RunKind = "flow" | "task";

/** JSON-safe values, as stored in `parameters`, `data` and results. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The current state of one run, derived from its events. */
export interface RunRecord {
  id: string;
  kind: RunKind;
  /** Flow name for flow runs, task name for task runs. */
  name: string;
  /** Flow name of the flow run a task run belongs to; own flow name for flow runs. */
  flowName: string;
  /** Human-friendly run name (e.g. `etl-42`). */
  runName: string;
  /** For task runs: the owning flow run. For subflow runs: the parent flow run. */
  parentId: string | null;
  /** The top-most flow run of the tree (itself for a root flow run). */
  rootId: string;
  /** Task run that stands for a subflow inside its parent (subflow runs only). */
  parentTaskRunId: string | null;
  depth: number;
  deploymentId: string | null;
  /** Lineage of attempts: retries of a flow run share it. */
  lineageId: string;
  attempt: number;
  state: StateType;
  stateName: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  expectedStartTime: number | null;
  startTime: number | null;
  endTime: number | null;
  /** Times the run entered RUNNING. */
  runCount: number;
  /** Milliseconds spent in RUNNING, summed over entries. */
  totalRunTimeMs: number;
  /** Planned node / task key; map index for mapped task runs. */
  taskKey: string | null;
  mapIndex: number | null;
  tags: readonly string[];
  parameters: Json;
  /** Task runs this task run depends on: data inputs and `waitFor` edges. */
  upstream: readonly UpstreamEdge[];
  /** Last state message (error text, cancel reason...). */
  message: string | null;
}

/** A dependency edge from an upstream task run. */
export interface UpstreamEdge {
  runId: string;
  kind: "data" | "waitFor";
}

/** The fields a caller supplies when creating a run. */
export interface NewRun {
  kind: RunKind;
  name: string;
  flowName?: string;
  runName?: string;
  parentId?: string | null;
  rootId?: string | null;
  parentTaskRunId?: string | null;
  depth?: number;
  deploymentId?: string | null;
  lineageId?: string | null;
  attempt?: number;
  state?: StateType;
  stateName?: string;
  expectedStartTime?: number | null;
  taskKey?: string | null;
  mapIndex?: number | null;
  tags?: readonly string[];
  parameters?: Json;
  upstream?: readonly UpstreamEdge[];
  /** The version of the flow that runs (recorded on the creation event). */
  flowVersion?: string | null;
  /** Slug of the deployment schedule that created the run (recorded on the creation event). */
  schedule?: string | null;
  /** Job variables given for this run of a deployment (recorded on the creation event). */
  jobVariables?: { [key: string]: Json } | null;
  /** Use this id instead of a generated one. */
  id?: string;
}

/** What kind of action caused a transition (recorded on the event). */
export type TransitionKind = string;

/** One committed change: the unit of history. */
export interface EngineEvent {
  /** Monotonic sequence number assigned by the store. */
  seq: number;
  id: string;
  runId: string;
  runKind: RunKind;
  /** `null` for the event that created the run. */
  from: StateType | null;
  to: StateType;
  stateName: string;
  token: string;
  version: number;
  kind: TransitionKind;
  at: number;
  /** Names of the orchestration rules that fired. */
  rules: readonly string[];
  /** Free-form payload (message, result reference, reason...). */
  data: { readonly [key: string]: Json } | null;
}

/** An event before the store has given it a `seq`. */
export type PendingEvent = Omit<EngineEvent, "seq">;

/** Log levels, Python-logging compatible numbers. */
export const LogLevel = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
  CRITICAL: 50,
} as const;

/** A log level name. */
export type LogLevelName = keyof typeof LogLevel;

/** One log line linked to a flow run (and maybe one of its task runs). */
export interface LogRecord {
  /** Assigned by the store. */
  id?: number;
  flowRunId: string;
  taskRunId: string | null;
  level: number;
  message: string;
  at: number;
  /** Logger name, e.g. `ironflow.task`. */
  name: string;
}

/** A filtered query over logs. */
export interface LogQuery {
  flowRunId?: string;
  taskRunId?: string;
  /** Only lines at this level or above. */
  minLevel?: number;
  /** Case-insensitive substring of the message. */
  text?: string;
  /** Only lines with an id greater than this. */
  afterId?: number;
  /** @default 1000 */
  limit?: number;
}
