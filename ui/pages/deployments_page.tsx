import { DeploymentTable } from "../components/deployment_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { encodePathPart } from "../links.ts";
import type { DeploymentRow, PageContext } from "../types.ts";

/** Props of {@linkcode DeploymentsPage}. */
export interface DeploymentsPageProps {
  ctx: PageContext;
  rows: readonly DeploymentRow[];
  /** Cursor of the next page (by name), if any. */
  nextCursor: string | null;
  /** Whether this page was reached with a cursor. */
  paged: boolean;
}

/** How a newcomer gets a first deployment. */
export function NoDeployments() {
  return (
    <EmptyState
      title="No deployments yet"
      command={`ironflow init\nironflow deploy --all\nironflow worker start`}
    >
      <p>
        A deployment is a flow the server can start by itself: on a schedule (interval, cron, RRule)
        or on demand, with default parameters, executed by a worker of a work pool.
      </p>
      <p>
        <code>ironflow init</code> writes a starter <code>ironflow.yaml</code>;{" "}
        <code>ironflow deploy</code> registers its deployments here; a worker runs them:
      </p>
    </EmptyState>
  );
}

/** Deployments by name: schedules and next run, pool, recent runs, concurrency. */
export function DeploymentsPage({ ctx, rows, nextCursor, paged }: DeploymentsPageProps) {
  return (
    <Layout title="Deployments" ctx={ctx} active="deployments" stream="/api/stream/events">
      <div class="row spread">
        <h1>Deployments</h1>
      </div>
      <section class="panel flush" tabIndex={0} data-live="deployments">
        {rows.length === 0 && !paged ? <NoDeployments /> : <DeploymentTable rows={rows} />}
        <Pager
          firstHref={paged ? "/deployments" : null}
          nextHref={nextCursor === null
            ? null
            : `/deployments?cursor=${encodePathPart(nextCursor)}`}
        />
      </section>
    </Layout>
  );
}
