/**
 * The run page's tabs and the data each shows: apart from the page so its
 * regions and tab body can name them without importing the page.
 *
 * @module
 */
import type { EngineEvent, LogRecord, RunRecord } from "../../engine/mod.ts";
import type { TaskRunFilter } from "../components/task_run_filters.tsx";
import type { ArtifactData, GraphLayout, ResultView, TimelineRow } from "../types.ts";

/** Tabs of the run page. */
export const RUN_TABS = ["tasks", "timeline", "graph", "logs", "events", "artifacts"] as const;

/** One of {@linkcode RUN_TABS}. */
export type RunTab = typeof RUN_TABS[number];

/** Paging links of a tab. */
export interface TabPaging {
  firstHref: string | null;
  nextHref: string | null;
}

/** What the active tab shows. */
export type RunTabData =
  | {
    tab: "tasks";
    tasks: readonly RunRecord[];
    paging: TabPaging;
    name: string | null;
    filter: TaskRunFilter;
    /** Stored results of the listed task runs that completed with one, by id. */
    results: ReadonlyMap<string, ResultView>;
  }
  | {
    tab: "timeline";
    rows: readonly TimelineRow[];
    start: number;
    end: number;
    /** Task runs not started yet (no bar to draw). */
    waiting: number;
    paging: TabPaging;
  }
  | {
    tab: "graph";
    graph: GraphLayout;
    expanded: boolean;
    /** Whether the run has few enough task runs to draw one by one (else why not). */
    expandable: boolean;
    /** Most task runs an expanded graph draws. */
    expandLimit: number;
  }
  | {
    tab: "logs";
    logs: readonly LogRecord[];
    taskNames: ReadonlyMap<string, string>;
    filter: { minLevel: number; taskRunId: string | null; q: string };
    taskOptions: readonly { id: string; label: string }[];
    paging: TabPaging;
  }
  | { tab: "events"; events: readonly EngineEvent[]; task: RunRecord | null }
  | { tab: "artifacts"; artifacts: readonly ArtifactData[] };
