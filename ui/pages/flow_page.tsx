import { DeploymentTable } from "../components/deployment_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { RunTable } from "../components/run_table.tsx";
import { StateLegend } from "../components/state_legend.tsx";
import { DEFAULT_FILTERS, encodePathPart, flowHref, runsHref } from "../links.ts";
import type { DeploymentRow, PageContext, RunRow, StateCounts } from "../types.ts";

/** Props of {@linkcode FlowPage}. */
export interface FlowPageProps {
  ctx: PageContext;
  flowName: string;
  /** Names the flow had before, whose runs the page counts and lists too. */
  formerly?: readonly string[];
  counts: StateCounts;
  rows: readonly RunRow[];
  nextCursor: string | null;
  paged: boolean;
  /** Deployments of this flow. */
  deployments: readonly DeploymentRow[];
  /** Names of the deployments of the runs shown, by id. */
  deploymentNames?: Readonly<Record<string, string>>;
}

/** One flow: its runs by state, its deployments and recent runs. */
export function FlowPage(
  {
    ctx,
    flowName,
    formerly = [],
    counts,
    rows,
    nextCursor,
    paged,
    deployments,
    deploymentNames,
  }: FlowPageProps,
) {
  const base = flowHref(flowName);
  return (
    <Layout title={flowName} ctx={ctx} active="flows" stream="/api/stream/events">
      <span class="muted small">
        <a href="/flows">Flows</a> /
      </span>
      <div class="row spread">
        <h1>{flowName}</h1>
        <a href={runsHref({ ...DEFAULT_FILTERS, flow: flowName, range: "all" })}>
          Filter the runs page by this flow
        </a>
      </div>
      {formerly.length > 0 && (
        <p class="muted small" data-formerly>
          {`Formerly ${formerly.join(", ")}: runs under those names are counted and listed here.`}
        </p>
      )}
      <section class="panel">
        <StateLegend counts={counts} />
      </section>
      <section class="panel flush" tabIndex={0} data-live="deployments">
        <h2 class="pad">Deployments</h2>
        {deployments.length === 0
          ? (
            <EmptyState
              title="No deployments of this flow"
              command={`ironflow init\nironflow deploy --all`}
            >
              <p>
                A deployment lets the server start <strong>{flowName}</strong>{" "}
                on a schedule or on demand, executed by a worker. Describe it in{" "}
                <code>ironflow.yaml</code> (<code>ironflow init</code>{" "}
                writes a starter), then register it:
              </p>
            </EmptyState>
          )
          : <DeploymentTable rows={deployments} hideFlow />}
      </section>
      <section class="panel flush" tabIndex={0} data-live="runs">
        <h2 class="pad">Recent runs</h2>
        {rows.length === 0
          ? <EmptyState title="No runs of this flow" />
          : <RunTable rows={rows} now={ctx.now} hideFlow deploymentNames={deploymentNames} />}
        <Pager
          firstHref={paged ? base : null}
          nextHref={nextCursor === null ? null : `${base}?cursor=${encodePathPart(nextCursor)}`}
          firstLabel="« Newest"
        />
      </section>
    </Layout>
  );
}
