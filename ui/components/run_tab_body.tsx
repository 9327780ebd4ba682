import type { RunRecord } from "../../engine/mod.ts";
import type { RunTabData } from "../pages/run_tabs.ts";
import { ArtifactView } from "./artifact_view.tsx";
import { EmptyState } from "./empty_state.tsx";
import { EventTable } from "./event_table.tsx";
import { LogFiltersForm } from "./log_filters_form.tsx";
import { LogList } from "./log_list.tsx";
import { Pager } from "./pager.tsx";
import { GraphLegend, RunGraph } from "./run_graph.tsx";
import { TaskRunTable } from "./task_run_table.tsx";
import { TimelineChart } from "./timeline_chart.tsx";
import { runHref } from "../links.ts";
import { formatCount, stateLabel, total } from "../format.ts";
import { GraphTools } from "./graph_tools.tsx";
import type { StateCounts } from "../types.ts";
import { TaskRunFiltersForm } from "./task_run_filters.tsx";

/** Props of {@linkcode RunTabBody}. */
export interface RunTabBodyProps {
  run: RunRecord;
  data: RunTabData;
  now: number;
  /** The run's task runs by state (the task filter's choices). */
  counts: StateCounts;
}

/** The active tab of the run page: its table, chart, log list or empty state. */
export function RunTabBody({ run, data, now, counts }: RunTabBodyProps) {
  switch (data.tab) {
    case "tasks": {
      const filtered = data.name !== null || data.filter.states.length > 0;
      return (
        <div>
          {total(counts) > 0 && (
            <TaskRunFiltersForm runId={run.id} filter={data.filter} counts={counts} />
          )}
          {filtered && (
            <p class="small pad">
              {`Showing task runs${data.name ? ` of "${data.name}"` : ""}${
                data.filter.states.length
                  ? ` in state ${data.filter.states.map(stateLabel).join(", ")}`
                  : ""
              }. `}
              <a href={runHref(run.id)}>Show all</a>
            </p>
          )}
          {data.tasks.length === 0
            ? (
              <EmptyState title={filtered ? "No task runs match" : "No task runs yet"}>
                <p>Task runs appear here as the flow calls its tasks.</p>
              </EmptyState>
            )
            : (
              <TaskRunTable
                flowRunId={run.id}
                tasks={data.tasks}
                now={now}
                results={data.results}
              />
            )}
          <Pager {...data.paging} />
        </div>
      );
    }
    case "timeline":
      return data.rows.length === 0
        ? (
          <EmptyState title="Nothing on the timeline yet">
            <p>Bars appear when task runs start.</p>
          </EmptyState>
        )
        : (
          <div>
            <p class="small muted pad">
              {`Task runs by start time; the runs of a mapped task share a row.${
                data.waiting > 0 ? ` ${formatCount(data.waiting)} not started yet.` : ""
              }`}
            </p>
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
                : data.expandable
                ? <a href={runHref(run.id, "graph", { graph: "expanded" })}>Expand mapped tasks</a>
                : (
                  <span class="muted">
                    {`Mapped tasks stay folded: more than ${
                      formatCount(data.expandLimit)
                    } task runs to draw.`}
                  </span>
                )}
            </div>
          </div>
          {data.graph.nodes.length > 0 && <GraphTools />}
          {data.graph.nodes.length === 0
            ? (
              <EmptyState title="No tasks to draw yet">
                <p>The graph fills in as task runs are created.</p>
              </EmptyState>
            )
            : (
              <div class="scroll" data-graph-view>
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
