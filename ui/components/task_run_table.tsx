import type { RunRecord } from "../../engine/mod.ts";
import { formatDuration, runDuration } from "../format.ts";
import { runHref } from "../links.ts";
import type { ResultView } from "../types.ts";
import { ResultLink } from "./result_link.tsx";
import { StateBadge } from "./state_badge.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode TaskRunTable}. */
export interface TaskRunTableProps {
  flowRunId: string;
  tasks: readonly RunRecord[];
  now: number;
  /** Stored results of completed task runs, by task run id. */
  results?: ReadonlyMap<string, ResultView>;
}

/** The task runs of a flow run: name, call key, state, timing, attempts, inputs, result. */
export function TaskRunTable({ flowRunId, tasks, now, results }: TaskRunTableProps) {
  return (
    <table class="tight">
      <thead>
        <tr>
          <th>Task run</th>
          <th>Key</th>
          <th>State</th>
          <th>Started</th>
          <th class="num">Duration</th>
          <th class="num">Runs</th>
          <th class="num">Upstream</th>
          <th>Result</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.id} data-run-id={task.id}>
            <td>
              <a href={runHref(task.id)}>{task.runName}</a>
              {task.message && <div class="small muted">{task.message}</div>}
            </td>
            <td class="mono small">
              {task.taskKey ?? "—"}
              {task.mapIndex !== null && `[${task.mapIndex}]`}
            </td>
            <td>
              <StateBadge state={task.state} name={task.stateName} runId={task.id} />
            </td>
            <td>
              <TimeLabel ms={task.startTime} />
            </td>
            <td class="num">{formatDuration(runDuration(task, now))}</td>
            <td class="num" title="Times the task run entered RUNNING (retries add one)">
              {task.runCount}
            </td>
            <td class="num">{task.upstream.length}</td>
            <td>
              {results?.has(task.id) ? <ResultLink result={results.get(task.id)!} /> : ""}
            </td>
            <td class="small">
              <a href={runHref(flowRunId, "logs", { task: task.id })}>logs</a>{" "}
              <a href={runHref(flowRunId, "events", { task: task.id })}>events</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
