import { describeSchedule } from "../format.ts";
import { deploymentHref, flowHref, workPoolHref } from "../links.ts";
import type { DeploymentRow } from "../types.ts";
import { Pill } from "./pill.tsx";
import { RecentRuns } from "./recent_runs.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode DeploymentTable}. */
export interface DeploymentTableProps {
  rows: readonly DeploymentRow[];
  /** Hide the flow column (on a flow's own page). */
  hideFlow?: boolean;
  /** Hide the work pool column (on a pool's own page). */
  hidePool?: boolean;
}

/** Concurrency of a deployment: `1 / 2 · ENQUEUE`, or `—` without a limit. */
function Concurrency({ row }: { row: DeploymentRow }) {
  const { concurrencyLimit, collisionStrategy } = row.deployment;
  if (concurrencyLimit === null) {
    return <span class="muted" title={`${row.activeRuns} active`}>—</span>;
  }
  return (
    <span title={`${row.activeRuns} of ${concurrencyLimit} slots in use; ${collisionStrategy}`}>
      {`${row.activeRuns} / ${concurrencyLimit}`}
      <span class="muted small">{` · ${collisionStrategy}`}</span>
    </span>
  );
}

/** Deployments as a table: name, flow, schedules and next run, pool, recent runs, concurrency. */
export function DeploymentTable({ rows, hideFlow, hidePool }: DeploymentTableProps) {
  return (
    <table>
      <thead>
        <tr>
          <th>Deployment</th>
          {!hideFlow && <th>Flow</th>}
          <th>Schedules</th>
          <th>Next run</th>
          {!hidePool && <th>Work pool</th>}
          <th>Last runs</th>
          <th class="num">Concurrency</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const { deployment } = row;
          return (
            <tr key={deployment.id} data-deployment={deployment.name}>
              <td>
                <a href={deploymentHref(deployment.name)}>{deployment.name}</a>
                {deployment.paused && (
                  <span class="tag">
                    <Pill tone="warn" title="No scheduled runs; manual runs still work">
                      Paused
                    </Pill>
                  </span>
                )}
                {deployment.tags.length > 0 && (
                  <div class="small">
                    {deployment.tags.map((tag) => <code key={tag} class="chip-code">{tag}</code>)}
                  </div>
                )}
              </td>
              {!hideFlow && (
                <td class="nowrap">
                  <a href={flowHref(deployment.flowName)}>{deployment.flowName}</a>
                </td>
              )}
              <td>
                {row.schedules.length === 0
                  ? <span class="muted">on demand</span>
                  : row.schedules.map((view) => (
                    <div key={view.index} class={view.schedule.active ? undefined : "muted"}>
                      <span class="mono">{describeSchedule(view.schedule)}</span>
                      {view.schedule.timezone !== "UTC" && (
                        <span class="muted small">{` ${view.schedule.timezone}`}</span>
                      )}
                      {!view.schedule.active && <span class="small tag">(off)</span>}
                    </div>
                  ))}
              </td>
              <td class="nowrap">
                {row.nextRun !== null
                  ? <TimeLabel ms={row.nextRun} />
                  : <span class="muted">{deployment.paused ? "paused" : "—"}</span>}
              </td>
              {!hidePool && (
                <td>
                  <a href={workPoolHref(deployment.workPool)}>{deployment.workPool}</a>
                </td>
              )}
              <td>
                <RecentRuns runs={row.recent} />
              </td>
              <td class="num nowrap">
                <Concurrency row={row} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
