import type { EngineEvent, LogRecord, RunRecord, StateType } from "../../engine/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { EventTable } from "../components/event_table.tsx";
import { Layout } from "../components/layout.tsx";
import { LogList } from "../components/log_list.tsx";
import { ResultLink } from "../components/result_link.tsx";
import { StateBadge } from "../components/state_badge.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import { formatDuration, jsonText, runDuration } from "../format.ts";
import { encodePathPart, runHref } from "../links.ts";
import type { PageContext, ResultView } from "../types.ts";

/** One attempt of a task run: a stay in RUNNING and how it ended. */
export interface TaskAttempt {
  start: number;
  /** When it left RUNNING; null while it runs. */
  end: number | null;
  /** The state it ended in (RUNNING while it runs). */
  state: StateType;
  stateName: string;
  /** The error (stack when known) or message it ended with. */
  error: string | null;
}

/** Props of {@linkcode TaskRunPage}. */
export interface TaskRunPageProps {
  ctx: PageContext;
  task: RunRecord;
  /** The flow run the task run belongs to (null once purged). */
  flowRun: RunRecord | null;
  /** The task run's state history. */
  events: readonly EngineEvent[];
  attempts: readonly TaskAttempt[];
  logs: readonly LogRecord[];
  /** Task runs whose results (data) or completion (waitFor) this one awaited. */
  upstream: readonly { kind: "data" | "waitFor"; runId: string; run: RunRecord | null }[];
  result: ResultView | null;
  cacheKey: string | null;
}

/** A task run: state, timing, attempts with their errors, inputs, upstream, result, logs. */
export function TaskRunPage(props: TaskRunPageProps) {
  const { ctx, task, flowRun } = props;
  const flowRunId = task.parentId ?? task.rootId;
  return (
    <Layout
      title={task.runName}
      ctx={ctx}
      active="runs"
      stream={`/api/stream/flow-runs/${encodePathPart(flowRunId)}`}
    >
      <nav class="muted small" aria-label="Breadcrumb">
        <a href="/">Flow runs</a> / <a href={runHref(flowRunId)}>{flowRun?.runName ?? flowRunId}</a>
        {" / task run"}
      </nav>
      <div data-live="task-run">
        <section class="panel">
          <div class="row spread">
            <div class="row">
              <h1>{task.runName}</h1>
              <StateBadge state={task.state} name={task.stateName} runId={task.id} big />
            </div>
            <div class="muted small mono">{task.id}</div>
          </div>
          {task.message && <p class={`s-${task.state}`}>{task.message}</p>}
          <dl class="kv">
            <dt>Task</dt>
            <dd>
              {task.name}
              {task.mapIndex !== null && ` [${task.mapIndex}]`}
            </dd>
            <dt>Key</dt>
            <dd class="mono">{task.taskKey ?? "—"}</dd>
            <dt>Cache key</dt>
            <dd class="mono">{props.cacheKey ?? "—"}</dd>
            <dt>Created</dt>
            <dd>
              <TimeLabel ms={task.createdAt} />
            </dd>
            <dt>Started</dt>
            <dd>
              <TimeLabel ms={task.startTime} />
            </dd>
            <dt>Ended</dt>
            <dd>
              <TimeLabel ms={task.endTime} />
            </dd>
            <dt>Duration</dt>
            <dd>{formatDuration(runDuration(task, ctx.now))}</dd>
            <dt>Result</dt>
            <dd>{props.result ? <ResultLink result={props.result} /> : "—"}</dd>
          </dl>
        </section>
        <section class="panel">
          <h2>Inputs</h2>
          <pre class="small">{jsonText(task.parameters, 2)}</pre>
          <h2>Upstream</h2>
          {props.upstream.length === 0 ? <p class="muted small">No upstream task runs.</p> : (
            <ul>
              {props.upstream.map((edge) => (
                <li key={`${edge.runId}-${edge.kind}`}>
                  <a href={runHref(edge.runId)}>{edge.run?.runName ?? edge.runId}</a>
                  {edge.run && (
                    <>
                      {" "}
                      <StateBadge
                        state={edge.run.state}
                        name={edge.run.stateName}
                        runId={edge.runId}
                      />
                    </>
                  )}
                  <span class="muted small">{edge.kind === "data" ? " data" : " waits for"}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="panel flush">
          <h2 class="pad">Attempts</h2>
          {props.attempts.length === 0
            ? <EmptyState title="Not started yet" />
            : (
              <table class="tight">
                <thead>
                  <tr>
                    <th class="num">Attempt</th>
                    <th>Started</th>
                    <th class="num">Duration</th>
                    <th>Ended in</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {props.attempts.map((attempt, i) => (
                    <tr key={attempt.start} data-attempt={i + 1}>
                      <td class="num">{i + 1}</td>
                      <td>
                        <TimeLabel ms={attempt.start} />
                      </td>
                      <td class="num">
                        {formatDuration((attempt.end ?? ctx.now) - attempt.start)}
                      </td>
                      <td>
                        <span class={`badge s-${attempt.state}`}>{attempt.stateName}</span>
                      </td>
                      <td>
                        {attempt.error ? <pre class="small error">{attempt.error}</pre> : "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
        <section class="panel flush">
          <h2 class="pad">State history</h2>
          <EventTable events={props.events} />
        </section>
      </div>
      <section class="panel flush">
        <h2 class="pad">Logs</h2>
        {props.logs.length === 0 && <EmptyState title="No log lines" />}
        <LogList
          logs={props.logs}
          taskNames={new Map([[task.id, task.runName]])}
          filter={{ minLevel: 0, taskRunId: task.id, q: "" }}
          tail
        />
      </section>
    </Layout>
  );
}
