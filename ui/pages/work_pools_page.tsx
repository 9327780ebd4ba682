import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../types.ts";

/** Work pools and workers: an explanation until workers land. */
export function WorkPoolsPage({ ctx }: { ctx: PageContext }) {
  return (
    <Layout title="Work pools" ctx={ctx} active="work-pools">
      <h1>Work pools and workers</h1>
      <section class="panel">
        <EmptyState title="No work pools yet" command="ironflow worker start --pool default">
          <p>
            Workers claim scheduled runs of deployments from a work pool, run each in its own
            process, heartbeat while they work and hand runs back if they crash.
          </p>
          <p>
            When workers land, each pool appears here with its queue of scheduled runs, its
            concurrency limit and the workers polling it (last heartbeat, runs in flight). A worker
            is started with:
          </p>
        </EmptyState>
      </section>
    </Layout>
  );
}
