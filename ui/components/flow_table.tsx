import type { FlowListing } from "../../engine/catalog/mod.ts";
import { formatCount, stateLabel } from "../format.ts";
import { flowHref, runHref } from "../links.ts";
import { Pill } from "./pill.tsx";
import { StateBadge } from "./state_badge.tsx";
import { TimeLabel } from "./time_label.tsx";

/** Props of {@linkcode FlowTable}. */
export interface FlowTableProps {
  flows: readonly FlowListing[];
}

/** Flows with their catalog data: archived flag, former names, retention, runs and the last run. */
export function FlowTable({ flows }: FlowTableProps) {
  return (
    <table>
      <thead>
        <tr>
          <th>Flow</th>
          <th class="num">Runs</th>
          <th>Last run</th>
          <th>Last run created</th>
          <th>Retention</th>
        </tr>
      </thead>
      <tbody>
        {flows.map((flow) => (
          <tr key={flow.id ?? flow.name} data-flow={flow.name}>
            <td>
              <a href={flowHref(flow.name)}>{flow.name}</a>
              {flow.archived && (
                <>
                  {" "}
                  <Pill
                    tone="off"
                    title="Hidden from the flow list unless archived flows are shown"
                  >
                    Archived
                  </Pill>
                </>
              )}
              {flow.formerly.length > 0 && (
                <div class="muted" data-formerly>
                  {`formerly ${flow.formerly.join(", ")}`}
                </div>
              )}
            </td>
            <td class="num">{formatCount(flow.runs)}</td>
            <td>
              <a href={runHref(flow.lastRun.id)}>
                <StateBadge
                  state={flow.lastRun.state}
                  name={stateLabel(flow.lastRun.state)}
                  runId={flow.lastRun.id}
                />
              </a>
            </td>
            <td>
              <TimeLabel ms={flow.lastRun.createdAt} />
            </td>
            <td>
              {flow.retentionDays === null
                ? <span class="muted">kept</span>
                : (
                  <span title="Terminal runs older than this are purged with their task runs, events and logs">
                    {`${flow.retentionDays} day${flow.retentionDays === 1 ? "" : "s"}`}
                  </span>
                )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
