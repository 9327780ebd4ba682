import type { FlowStat } from "../../engine/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { StateBadge } from "../components/state_badge.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import { DEFAULT_STATE_NAME } from "../../engine/mod.ts";
import { formatCount } from "../format.ts";
import { flowHref, runHref } from "../links.ts";
import type { PageContext } from "../types.ts";

/** Props of {@linkcode FlowsPage}. */
export interface FlowsPageProps {
  ctx: PageContext;
  flows: readonly FlowStat[];
}

/** The catalog of flows that have run: run counts and the latest run's state. */
export function FlowsPage({ ctx, flows }: FlowsPageProps) {
  return (
    <Layout title="Flows" ctx={ctx} active="flows" stream="/api/stream/events">
      <h1>Flows</h1>
      <section class="panel flush" data-live="flows">
        {flows.length === 0
          ? (
            <EmptyState
              title="No flows have run yet"
              command="deno run -A main.ts run examples/etl.ts:etl"
            >
              <p>
                A flow appears here after its first run. Write one with <code>flow()</code> and{" "}
                <code>task()</code> from the SDK, then run it:
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Flow</th>
                  <th class="num">Runs</th>
                  <th>Last run</th>
                  <th>Last run created</th>
                </tr>
              </thead>
              <tbody>
                {flows.map((flow) => (
                  <tr key={flow.flowName}>
                    <td>
                      <a href={flowHref(flow.flowName)}>{flow.flowName}</a>
                    </td>
                    <td class="num">{formatCount(flow.runs)}</td>
                    <td>
                      <a href={runHref(flow.lastRunId)}>
                        <StateBadge
                          state={flow.lastRunState}
                          name={DEFAULT_STATE_NAME[flow.lastRunState]}
                          runId={flow.lastRunId}
                        />
                      </a>
                    </td>
                    <td>
                      <TimeLabel ms={flow.lastRunCreatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
    </Layout>
  );
}
