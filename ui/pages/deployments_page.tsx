import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../types.ts";

/** Deployments: an explanation until deployments land. */
export function DeploymentsPage({ ctx }: { ctx: PageContext }) {
  return (
    <Layout title="Deployments" ctx={ctx} active="deployments">
      <h1>Deployments</h1>
      <section class="panel">
        <EmptyState title="No deployments yet">
          <p>
            A deployment is a flow the server can start by itself: on a schedule (cron, interval,
            rrule) or on demand, with default parameters, executed by a worker of a work pool.
          </p>
          <p>
            Deployments arrive with the <code>ironflow deploy</code> and <code>ironflow serve</code>
            {" "}
            commands. Once you deploy a flow it shows up here, grouped by flow, with its schedules,
            its recent runs and a form to run it now. Until then, run flows directly and watch them
            on the <a href="/">runs page</a>.
          </p>
        </EmptyState>
      </section>
    </Layout>
  );
}
