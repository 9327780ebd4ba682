import type { EngineEvent, LogRecord, PauseRequest, RunRecord } from "../../engine/mod.ts";
import { Layout } from "../components/layout.tsx";
import { encodePathPart } from "../links.ts";
import { RunRegion } from "./run_regions.tsx";
import type { TaskRunFilter } from "../components/task_run_filters.tsx";
import type {
  ArtifactData,
  GraphLayout,
  PageContext,
  ResultView,
  StateCounts,
  TimelineRow,
} from "../types.ts";

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

/** Props of {@linkcode RunPage}. */
export interface RunPageProps {
  ctx: PageContext;
  run: RunRecord;
  /** Task runs by state. */
  tasks: StateCounts;
  attempts: readonly RunRecord[];
  parent: RunRecord | null;
  subflows: readonly RunRecord[];
  data: RunTabData;
  /** Outcome of an action just taken (after its redirect). */
  flash: { ok: boolean; message: string } | null;
  /** Name of the run's deployment, when it has one. */
  deploymentName?: string | null;
  /** The run's stored result, once it completed with one. */
  result?: ResultView | null;
  /** The version of the flow the run ran, when it has one. */
  flowVersion?: string | null;
  /** What the pause a PAUSED run is in asks of a resume (input and its schema). */
  pause?: PauseRequest | null;
  /** The page's query string (tab, filters, cursor), for its live regions' fragments. */
  query?: string;
}

/** A flow run: header, actions, lineage and tabbed details. */
export function RunPage(props: RunPageProps) {
  const { ctx, run, data } = props;
  const query = props.query ?? "";
  return (
    <Layout
      title={run.runName}
      ctx={ctx}
      active="runs"
      stream={`/api/stream/flow-runs/${encodePathPart(run.id)}`}
    >
      <div class="row spread">
        <span class="muted small">
          <a href="/">Flow runs</a> / {run.flowName}
        </span>
        <RunRegion
          query={query}
          region={{ name: "actions", run, csrf: ctx.session.csrf, pause: props.pause ?? null }}
        />
      </div>
      {props.flash && (
        <div class={`flash${props.flash.ok ? "" : " bad"}`} role="status">
          {props.flash.message}
        </div>
      )}
      <RunRegion
        query={query}
        region={{
          name: "header",
          run,
          tasks: props.tasks,
          now: ctx.now,
          deploymentName: props.deploymentName ?? null,
          result: props.result ?? null,
          flowVersion: props.flowVersion ?? null,
        }}
      />
      <RunRegion
        query={query}
        region={{
          name: "lineage",
          run,
          attempts: props.attempts,
          parent: props.parent,
          subflows: props.subflows,
        }}
      />
      <RunRegion
        query={query}
        region={{ name: "body", run, tasks: props.tasks, data, now: ctx.now }}
      />
    </Layout>
  );
}
