import type { RunRecord } from "../../engine/mod.ts";
import { formatDuration, jsonText, runDuration } from "../format.ts";
import { deploymentHref, flowHref } from "../links.ts";
import type { ResultView, StateCounts } from "../types.ts";
import { ResultLink } from "./result_link.tsx";
import { StateBadge } from "./state_badge.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode RunHeader}. */
export interface RunHeaderProps {
  run: RunRecord;
  tasks: StateCounts;
  now: number;
  /** Name of the run's deployment, when it has one. */
  deploymentName?: string | null;
  /** The run's stored result, once it completed with one. */
  result?: ResultView | null;
  /** The version of the flow the run ran. */
  flowVersion?: string | null;
}

/** A flow run's name, state, timing, parameters, result and last message. */
export function RunHeader(
  { run, tasks, now, deploymentName, result, flowVersion }: RunHeaderProps,
) {
  const taskTotal = Object.values(tasks).reduce((a, b) => a + (b ?? 0), 0);
  const parameters = run.parameters === null ? null : jsonText(run.parameters, 2);
  return (
    <section class="panel">
      <div class="row spread">
        <div class="row">
          <h1>{run.runName}</h1>
          <StateBadge state={run.state} name={run.stateName} runId={run.id} big />
        </div>
        <div class="muted small mono">{run.id}</div>
      </div>
      {run.message && <p class={`s-${run.state}`}>{run.message}</p>}
      <div class="cards">
        <dl class="kv">
          <dt>Flow</dt>
          <dd>
            <a href={flowHref(run.flowName)}>{run.flowName}</a>
            {flowVersion && (
              <span class="muted">
                {` · version `}
                <code>{flowVersion}</code>
              </span>
            )}
          </dd>
          <dt>Created</dt>
          <dd>
            <TimeLabel ms={run.createdAt} />
          </dd>
          <dt>Started</dt>
          <dd>
            <TimeLabel ms={run.startTime} />
          </dd>
          <dt>Ended</dt>
          <dd>
            <TimeLabel ms={run.endTime} />
          </dd>
          <dt>Duration</dt>
          <dd>{formatDuration(runDuration(run, now))}</dd>
          {result && <dt>Result</dt>}
          {result && (
            <dd>
              <ResultLink result={result} />
            </dd>
          )}
        </dl>
        <dl class="kv">
          <dt>Task runs</dt>
          <dd>
            {taskTotal === 0 ? "none yet" : `${tasks.COMPLETED ?? 0} of ${taskTotal} completed`}
            {(tasks.FAILED ?? 0) > 0 && <span class="s-FAILED">{` · ${tasks.FAILED} failed`}</span>}
            {(tasks.RUNNING ?? 0) > 0 && (
              <span class="s-RUNNING">{` · ${tasks.RUNNING} running`}</span>
            )}
          </dd>
          <dt>Attempt</dt>
          <dd>{run.attempt}</dd>
          <dt>Deployment</dt>
          <dd>
            {run.deploymentId === null
              ? "—"
              : <a href={deploymentHref(run.deploymentId)}>{deploymentName ?? run.deploymentId}</a>}
          </dd>
          <dt>Tags</dt>
          <dd>
            {run.tags.length === 0 ? "—" : run.tags.map((tag) => <code key={tag}>{tag}</code>)}
          </dd>
        </dl>
        <div>
          <h3>Parameters</h3>
          {parameters === null ? <span class="muted">none</span> : <pre>{parameters}</pre>}
        </div>
      </div>
    </section>
  );
}
