import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { RunTable } from "../components/run_table.tsx";
import { formatCount, presentStates, stateLabel, total } from "../format.ts";
import { DEFAULT_FILTERS, flowHref, runsHref } from "../links.ts";
import type { PageContext, RunRow, StateCounts } from "../types.ts";

/** Props of {@linkcode FlowPage}. */
export interface FlowPageProps {
  ctx: PageContext;
  flowName: string;
  counts: StateCounts;
  rows: readonly RunRow[];
  nextCursor: string | null;
  paged: boolean;
}

/** One flow: its runs by state, recent runs and (later) its deployments. */
export function FlowPage({ ctx, flowName, counts, rows, nextCursor, paged }: FlowPageProps) {
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
      <section class="panel">
        <div class="legend">
          <span>
            <strong>{formatCount(total(counts))}</strong> runs
          </span>
          {presentStates(counts).map((state) => (
            <span key={state} class={`s-${state}`}>
              <i></i>
              {`${formatCount(counts[state]!)} ${stateLabel(state).toLowerCase()}`}
            </span>
          ))}
        </div>
      </section>
      <section class="panel flush" data-live="runs">
        <h2 class="pager">Recent runs</h2>
        {rows.length === 0
          ? <EmptyState title="No runs of this flow" />
          : <RunTable rows={rows} now={ctx.now} hideFlow />}
        <Pager
          firstHref={paged ? base : null}
          nextHref={nextCursor === null ? null : `${base}?cursor=${encodeURIComponent(nextCursor)}`}
          firstLabel="« Newest"
        />
      </section>
      <section class="panel">
        <h2>Deployments</h2>
        <EmptyState title="No deployments yet">
          <p>
            Deployments let a server start this flow on a schedule or on demand, executed by a
            worker. When deployments land, the ones of <strong>{flowName}</strong>{" "}
            will be listed here with their schedules and a quick-run form.
          </p>
        </EmptyState>
      </section>
    </Layout>
  );
}
