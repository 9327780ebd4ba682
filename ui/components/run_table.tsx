import { formatDuration, runDuration } from "../format.ts";
import { deploymentHref, flowHref, runHref } from "../links.ts";
import type { RunRow } from "../types.ts";
import { StateBadge } from "./state_badge.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode RunTable}. */
export interface RunTableProps {
  rows: readonly RunRow[];
  now: number;
  /** Hide the flow column (on a flow's own page). */
  hideFlow?: boolean;
  /** Hide the deployment column (on a deployment's own page). */
  hideDeployment?: boolean;
  /** Names of the deployments of these runs, by id (else the id is shown). */
  deploymentNames?: Readonly<Record<string, string>> | undefined;
  /** Id of the form that a checkbox per row selects runs for (bulk actions). */
  selectForm?: string;
}

/** Flow runs as a table: name, flow, state, start, duration, tasks, deployment. */
export function RunTable(
  { rows, now, hideFlow, hideDeployment, deploymentNames, selectForm }: RunTableProps,
) {
  return (
    <table>
      <thead>
        <tr>
          {selectForm && <th class="small">Select</th>}
          <th>Run</th>
          {!hideFlow && <th>Flow</th>}
          <th>State</th>
          <th>Started</th>
          <th class="num">Duration</th>
          <th class="num">Tasks</th>
          {!hideDeployment && <th>Deployment</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map(({ run, tasks }) => {
          const taskTotal = Object.values(tasks).reduce((a, b) => a + (b ?? 0), 0);
          const failed = (tasks.FAILED ?? 0) + (tasks.CRASHED ?? 0);
          return (
            <tr key={run.id} data-run-id={run.id}>
              {selectForm && (
                <td>
                  <input
                    type="checkbox"
                    name="run"
                    value={run.id}
                    form={selectForm}
                    aria-label={`Select ${run.runName}`}
                    data-hold
                  />
                </td>
              )}
              <td>
                <a href={runHref(run.id)}>{run.runName}</a>
                {run.attempt > 1 && <span class="muted small tag">{`attempt ${run.attempt}`}</span>}
                {run.parentId !== null && <span class="muted small tag">subflow</span>}
              </td>
              {!hideFlow && (
                <td>
                  <a href={flowHref(run.flowName)}>{run.flowName}</a>
                </td>
              )}
              <td>
                <StateBadge state={run.state} name={run.stateName} runId={run.id} />
              </td>
              <td>
                {run.startTime === null && run.expectedStartTime !== null
                  ? (
                    <span title="Not started yet: when it is due">
                      <span class="muted small">due</span> <TimeLabel ms={run.expectedStartTime} />
                    </span>
                  )
                  : <TimeLabel ms={run.startTime} />}
              </td>
              <td class="num">{formatDuration(runDuration(run, now))}</td>
              <td class="num">
                {taskTotal === 0
                  ? <span class="muted">—</span>
                  : `${tasks.COMPLETED ?? 0}/${taskTotal}`}
                {failed > 0 && <span class="s-FAILED small">{` · ${failed} failed`}</span>}
              </td>
              {!hideDeployment && (
                <td>
                  {run.deploymentId === null
                    ? <span class="muted">—</span>
                    : (
                      <a href={deploymentHref(run.deploymentId)}>
                        {deploymentNames?.[run.deploymentId] ?? run.deploymentId}
                      </a>
                    )}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
