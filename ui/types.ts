/**
 * The plain data the dashboard's pages render. Routes in `server/dashboard/`
 * build these from the engine; components never fetch.
 *
 * @module
 */
import type { RunRecord, Schedule, StateType } from "../engine/mod.ts";
import type { Deployment, WorkPool } from "../engine/deployments/mod.ts";

/** Run counts by state. */
export type StateCounts = Partial<Record<StateType, number>>;

/** Preset time ranges of the runs page. */
export type RangeKey = "1h" | "24h" | "7d" | "30d" | "all";

/** The runs page's filters, as they appear in its URL. */
export interface RunFilters {
  /** State chips that are on; none means every state. */
  states: readonly StateType[];
  /** Flow name, exact. */
  flow: string | null;
  /** Substring of the run name, flow name or id. */
  q: string;
  range: RangeKey;
  /** A custom window (epoch ms) that replaces `range`, e.g. from a chart bar. */
  from: number | null;
  to: number | null;
  /** Runs carrying all of these tags. */
  tags: readonly string[];
  /** Deployment name (or id). */
  deployment: string | null;
  /** Work pool name: runs of its deployments. */
  pool: string | null;
  /** Parent flow run id: its subflow runs. */
  parent: string | null;
  /** Whether subflow runs are listed (they are hidden by default). */
  subflows: boolean;
  sort: RunsSort;
  order: "asc" | "desc";
}

/** Sort keys of the runs page. */
export type RunsSort = "created" | "start" | "end" | "name" | "state" | "duration";

/** Runs created per time bucket, by state. */
export interface ActivityData {
  since: number;
  until: number;
  bucketMs: number;
  /** One entry per bucket, oldest first. */
  buckets: readonly { start: number; counts: StateCounts }[];
}

/** A flow run in a table, with the states of its task runs. */
export interface RunRow {
  run: RunRecord;
  tasks: StateCounts;
}

/** Where the stylesheet and the client script are served (versioned URLs). */
export interface AssetUrls {
  css: string;
  js: string;
}

/** The signed-in session, when the server requires login. */
export interface SessionInfo {
  /** Token every state-changing form carries. */
  csrf: string;
  /** Whether login is required (shows the sign-out button). */
  authenticated: boolean;
}

/** Shared by every page: where assets live, the session, "now". */
export interface PageContext {
  assets: AssetUrls;
  session: SessionInfo;
  now: number;
  /** The theme the reader chose; "system" (the default) follows the browser. */
  theme?: Theme;
}

/** Colour themes the reader can choose. */
export const THEMES = ["system", "light", "dark"] as const;

/** A colour theme: the browser's preference, or one forced by the reader. */
export type Theme = typeof THEMES[number];

/** A bar of one task run in the timeline: its time in RUNNING per attempt. */
export interface TimelineSegment {
  start: number;
  end: number;
  /** State the attempt ended in (or RUNNING while it runs). */
  state: StateType;
  /** The task run's name, on a row of grouped (mapped) task runs. */
  label?: string;
}

/** One row of the timeline. */
export interface TimelineRow {
  /** The row's run (the first of a group). */
  run: RunRecord;
  segments: readonly TimelineSegment[];
  /** Task runs of one mapped call drawn on this row (1 for a row of its own). */
  count?: number;
}

/** A laid-out node of the run graph. */
export interface GraphNode {
  id: string;
  kind: "task" | "map" | "subflow";
  label: string;
  /** Second line, e.g. "×5000" or a state name. */
  detail: string;
  x: number;
  y: number;
  width: number;
  height: number;
  counts: StateCounts;
  /** Link target (a subflow's run page, a task's filtered list). */
  href: string | null;
  /** Run id of a single run node (live badge updates), else null. */
  runId: string | null;
  /**
   * Set on nodes of the flow's static plan that have no run: `planned` (not
   * run yet) or `unreachable` (downstream of a failed or cancelled node).
   */
  plan?: "planned" | "unreachable";
  /** Tooltip text, when the default (label and state counts) does not fit. */
  title?: string;
}

/** A laid-out edge of the run graph. */
export interface GraphEdge {
  from: string;
  to: string;
  kind: "data" | "waitFor";
  count: number;
  points: readonly { x: number; y: number }[];
  /** Set on edges of the static plan that no run has made yet. */
  planned?: true;
}

/** How the flow's static plan shows in a run's graph. */
export interface GraphPlanInfo {
  /**
   * `used`: planned nodes with no run are drawn; `stale`: the flow's latest
   * plan is not the one the run recorded (its code changed), so none are.
   */
  status: "used" | "stale";
  /** Planned nodes drawn as planned (not run). */
  planned: number;
  /** Planned nodes drawn as unreachable. */
  unreachable: number;
  /** The plan has dynamic regions: some planned nodes may never run. */
  dynamic: boolean;
}

/**
 * An expanded graph at its lower level of detail: every task run a square,
 * squares of one task call (a map) in one block, blocks in columns by the
 * dependencies between them. Blocks are the graph's `nodes` (kind `map` or
 * `task`), so edges join blocks.
 */
export interface GraphCells {
  /** Side of a square, gap included. */
  size: number;
  /** Squares of task runs that completed, one path per state name: they need no link. */
  quiet: readonly { stateName: string; d: string }[];
  /** Squares worth a look (failed, running, pending...), each linking to its task run. */
  loud: readonly {
    id: string;
    label: string;
    state: StateType;
    stateName: string;
    x: number;
    y: number;
  }[];
}

/** A graph ready to draw. */
export interface GraphLayout {
  mode: "logical" | "expanded" | "by-name";
  width: number;
  height: number;
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
  /** Why the graph differs from what was asked (too many nodes...), if it does. */
  notice: string | null;
  /** The static plan's part in the graph; absent when the run has no plan to show. */
  plan?: GraphPlanInfo;
  /** Task runs drawn as squares (an expanded graph too large for boxes), with their groups. */
  cells?: GraphCells;
}

/** An artifact to render (markdown, table, link, progress). */
export interface ArtifactData {
  id: string;
  key: string | null;
  type: string;
  description: string | null;
  data: unknown;
  createdAt: number;
}

/**
 * A run's stored result as the dashboard shows it, read by the server from
 * the run's COMPLETED event (or a result artifact): a short preview of an
 * inline JSON value, or the size and address of a large result in the
 * server's result store.
 */
export type ResultView =
  | { kind: "inline"; preview: string }
  | { kind: "ref"; ref: string; size: number | null; encoding: "json" | "bytes" | null };

/** A schedule of a deployment with its next slot times, computed on the server. */
export interface ScheduleView {
  /** Position in the deployment's `schedules` (the editor's `index`). */
  index: number;
  /** The schedule's timing identity: forms carry it, so an edit never hits a moved schedule. */
  key: string;
  schedule: Schedule;
  /** The next slot times (epoch ms), ascending; empty when they cannot be computed. */
  next: readonly number[];
  /** Why the next times cannot be computed (an unknown time zone...), if so. */
  error: string | null;
  /** Slots that got no run by the catch-up policy (missed while no scheduler ran). */
  missed: number;
  /** The newest missed slot (epoch ms), or `null` for none. */
  lastMissed: number | null;
}

/** A deployment in the list: its schedules' next runs, recent runs and slots in use. */
export interface DeploymentRow {
  deployment: Deployment;
  schedules: readonly ScheduleView[];
  /** Earliest next slot of the active schedules; null when paused or none is active. */
  nextRun: number | null;
  /** Latest flow runs, newest first (a handful). */
  recent: readonly RunRecord[];
  /** Runs holding a concurrency slot now. */
  activeRuns: number;
}

/** Kinds of schedule the editor offers. */
export type ScheduleKind = "interval" | "cron" | "rrule";

/** What the schedule editor holds: a schedule being written, as text fields. */
export interface ScheduleDraft {
  /** The schedule being edited, or null for a new one. */
  index: number | null;
  /** Key of the schedule being edited (see {@linkcode ScheduleView.key}), or null. */
  key: string | null;
  kind: ScheduleKind;
  /** Seconds (or `15m`, `1h`, `1d`), a cron expression or an RRule. */
  value: string;
  timezone: string;
  /** ISO time of an interval's slot or an RRule's DTSTART; empty for the default. */
  anchor: string;
  active: boolean;
  catchup: "skip" | "run_once";
}

/** The editor's preview: the draft's next slot times, or why there are none. */
export interface SchedulePreview {
  next: readonly number[];
  error: string | null;
}

/** The quick-run form's text and the error of its last submission. */
export interface QuickRunDraft {
  parameters: string;
  error: string | null;
  /** Which form was posted: the schema's fields or the JSON text. @default "fields" */
  mode?: "fields" | "json";
  /** Text of each schema field by path (the defaults, or what was posted). */
  fields?: Record<string, string>;
  /** A problem per schema field path, shown next to the field. */
  fieldErrors?: Record<string, string>;
  /** Start time as posted (`datetime-local`, UTC). */
  start?: string;
  /** Tags as posted (comma-separated). */
  tags?: string;
}

/**
 * A settings form as shown: the text of each field (as stored, or as posted)
 * and, after a refused post, a problem per field and one for the whole form.
 */
export interface FormDraft {
  values: Record<string, string>;
  errors: Record<string, string>;
  /** A problem not tied to one field. @default null */
  error?: string | null;
}

/**
 * The deployment settings form as shown: its fields, plus the default
 * parameters as schema fields (by path) when the deployment has a schema.
 */
export interface DeploymentSettingsDraft {
  form: FormDraft;
  /** Text of each parameter field by path. */
  params: Record<string, string>;
  /** A problem per parameter field path. */
  paramErrors: Record<string, string>;
}

/** A one-time message after an action's redirect. */
export interface FlashMessage {
  ok: boolean;
  message: string;
}

/** A work pool in the list: its queue and its workers. */
export interface WorkPoolRow {
  pool: WorkPool;
  /** SCHEDULED flow runs of the pool's deployments. */
  scheduled: number;
  deployments: number;
  online: number;
  offline: number;
}

/** A row of the automations page. */
export interface AutomationRow {
  name: string;
  href: string;
  enabled: boolean;
  /** The trigger in a line, e.g. `3 × acme.file.* within 60 s`. */
  trigger: string;
  /** The actions in a line. */
  actions: string;
  /** Epoch ms of the newest firing; null if it never fired. */
  lastFiredAt: number | null;
}

/** A document typed as text (YAML or JSON) and what is wrong with it. */
export interface SpecDraft {
  text: string;
  /** Null when the text was not refused. */
  error: string | null;
}
