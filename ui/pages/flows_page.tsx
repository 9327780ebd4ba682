import type { FlowListing } from "../../engine/catalog/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { FlowTable } from "../components/flow_table.tsx";
import { Layout } from "../components/layout.tsx";
import type { PageContext } from "../types.ts";

/** Props of {@linkcode FlowsPage}. */
export interface FlowsPageProps {
  ctx: PageContext;
  /** Flows as the catalog lists them (former names merged). */
  flows: readonly FlowListing[];
  /** Whether archived flows are listed too. @default false */
  archived?: boolean;
}

/** The catalog of flows that have run: archived flag, former names, retention and runs. */
export function FlowsPage({ ctx, flows, archived = false }: FlowsPageProps) {
  return (
    <Layout title="Flows" ctx={ctx} active="flows" stream="/api/stream/events">
      <h1>Flows</h1>
      <nav class="chips" aria-label="Archived flows">
        <a
          class={`chip${archived ? "" : " on"}`}
          href="/flows"
          aria-current={archived ? undefined : "true"}
        >
          Active
        </a>
        <a
          class={`chip${archived ? " on" : ""}`}
          href="/flows?archived=true"
          aria-current={archived ? "true" : undefined}
        >
          With archived
        </a>
      </nav>
      <section class="panel flush" tabIndex={0} data-live="flows">
        {flows.length === 0
          ? archived ? <p class="muted">No flows have run yet.</p> : (
            <EmptyState
              title="No flows have run yet"
              command="deno run -A main.ts run examples/etl.ts:etl"
            >
              <p>
                A flow appears here after its first run (archived flows are listed under{" "}
                <a href="/flows?archived=true">With archived</a>). Write one with{" "}
                <code>flow()</code> and <code>task()</code> from the SDK, then run it:
              </p>
            </EmptyState>
          )
          : <FlowTable flows={flows} />}
      </section>
    </Layout>
  );
}
