import type { EngineEvent, LogRecord, PauseRequest, RunRecord } from "../../engine/mod.ts";
import { ArtifactView } from "../components/artifact_view.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { EventTable } from "../components/event_table.tsx";
import { Layout } from "../components/layout.tsx";
import { LineagePanel } from "../components/lineage_panel.tsx";
import { LogFiltersForm } from "../components/log_filters_form.tsx";
import { LogList } from "../components/log_list.tsx";
import { Pager } from "../components/pager.tsx";
import { RunActionForms } from "../components/run_action_forms.tsx";
import { GraphLegend, RunGraph } from "../components/run_graph.tsx";
import { RunHeader } from "../components/run_header.tsx";
import { Tabs } from "../components/tabs.tsx";
import { TaskRunTable } from "../components/task_run_table.tsx";
import { TimelineChart } from "../components/timeline_chart.tsx";
import { total } from "../format.ts";
import { encodePathPart, runHref } from "../links.ts";
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
    /** Stored results of the listed task runs that completed with one, by id. */
    results: ReadonlyMap<string, ResultView>;
  }
  | { tab: "timeline"; rows: readonly TimelineRow[]; start: number; end: number; paging: TabPaging }
  | { tab: "graph"; graph: GraphLayout; expanded: boolean }
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
  /** What the pause a PAUSED run is in asks of a resume (input and its schema). */
  pause?: PauseRequest | null;
}

const LABELS: Record<RunTab, string> = {
  tasks: "Task runs",
  timeline: "Timeline",
  graph: "Graph",
  logs: "Logs",
  events: "Events",
  artifacts: "Artifacts",
};

/** A flow run: header, actions, lineage and tabbed details. */
export function RunPage(props: RunPageProps) {
  const { ctx, run, data } = props;
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
        <RunActionForms run={run} csrf={ctx.session.csrf} pause={props.pause ?? null} />
      </div>
      {props.flash && (
        <div class={`flash${props.flash.ok ? "" : " bad"}`} role="status">
          {props.flash.message}
        </div>
      )}
      <RunHeader
        run={run}
        tasks={props.tasks}
        now={ctx.now}
        deploymentName={props.deploymentName ?? null}
        result={props.result ?? null}
      />
      <LineagePanel
        run={run}
        attempts={props.attempts}
        parent={props.parent}
        subflows={props.subflows}
      />
      <section class="panel flush">
        <Tabs
          active={data.tab}
          items={RUN_TABS.map((tab) => ({
            key: tab,
            label: LABELS[tab],
            href: runHref(run.id, tab),
            count: tab === "tasks" ? total(props.tasks) : null,
          }))}
        />
        <TabBody run={run} data={data} now={ctx.now} />
      </section>
    </Layout>
  );
}

function TabBody({ run, data, now }: { run: RunRecord; data: RunTabData; now: number }) {
  switch (data.tab) {
    case "tasks":
      return data.tasks.length === 0
        ? (
          <EmptyState title={data.name ? `No task runs of "${data.name}"` : "No task runs yet"}>
            <p>Task runs appear here as the flow calls its tasks.</p>
          </EmptyState>
        )
        : (
          <div data-live="tasks">
            {data.name && (
              <p class="small pad">
                {`Showing task runs of "${data.name}". `}
                <a href={runHref(run.id)}>Show all</a>
              </p>
            )}
            <TaskRunTable flowRunId={run.id} tasks={data.tasks} now={now} results={data.results} />
            <Pager {...data.paging} />
          </div>
        );
    case "timeline":
      return data.rows.length === 0
        ? (
          <EmptyState title="Nothing on the timeline yet">
            <p>Bars appear when task runs start.</p>
          </EmptyState>
        )
        : (
          <div>
            <TimelineChart rows={data.rows} start={data.start} end={data.end} />
            <Pager {...data.paging} />
          </div>
        );
    case "graph":
      return (
        <div>
          <div class="row spread pad">
            <GraphLegend graph={data.graph} />
            <div class="small">
              {data.expanded
                ? <a href={runHref(run.id, "graph")}>Collapse mapped tasks</a>
                : <a href={runHref(run.id, "graph", { graph: "expanded" })}>Expand mapped tasks</a>}
            </div>
          </div>
          {data.graph.nodes.length === 0
            ? (
              <EmptyState title="No tasks to draw yet">
                <p>The graph fills in as task runs are created.</p>
              </EmptyState>
            )
            : (
              <div class="scroll">
                <RunGraph graph={data.graph} />
              </div>
            )}
        </div>
      );
    case "logs":
      return (
        <div>
          <div class="pad">
            <LogFiltersForm
              runId={run.id}
              minLevel={data.filter.minLevel}
              taskRunId={data.filter.taskRunId}
              q={data.filter.q}
              tasks={data.taskOptions}
            />
          </div>
          {data.logs.length === 0 && (
            <EmptyState title="No log lines">
              <p>
                Lines logged with <code>getRunLogger()</code>{" "}
                in the flow or its tasks appear here as they are written.
              </p>
            </EmptyState>
          )}
          <LogList
            logs={data.logs}
            taskNames={data.taskNames}
            filter={data.filter}
            tail={data.paging.nextHref === null}
          />
          <Pager {...data.paging} />
        </div>
      );
    case "events":
      return (
        <div>
          {data.task && (
            <p class="pager">
              {`Events of task run "${data.task.runName}". `}
              <a href={runHref(run.id, "events")}>Show the flow run's events</a>
            </p>
          )}
          <EventTable events={data.events} />
        </div>
      );
    case "artifacts":
      return data.artifacts.length === 0
        ? (
          <EmptyState title="No artifacts">
            <p>
              Artifacts are markdown reports, tables, links and progress bars that a flow publishes
              while it runs. They will appear here once the flow creates some.
            </p>
          </EmptyState>
        )
        : (
          <div class="panel">
            {data.artifacts.map((artifact) => (
              <ArtifactView
                key={artifact.id}
                artifact={artifact}
              />
            ))}
          </div>
        );
  }
}
