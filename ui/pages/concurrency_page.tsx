import type { ConcurrencyLimit } from "../../engine/mod.ts";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import type { PageContext } from "../types.ts";

/** Props of {@linkcode ConcurrencyPage}. */
export interface ConcurrencyPageProps {
  ctx: PageContext;
  limits: readonly ConcurrencyLimit[];
}

/** Global concurrency limits: slots in use out of each limit. */
export function ConcurrencyPage({ ctx, limits }: ConcurrencyPageProps) {
  return (
    <Layout title="Concurrency limits" ctx={ctx} active="concurrency">
      <h1>Concurrency limits</h1>
      <section class="panel flush" tabIndex={0}>
        {limits.length === 0
          ? (
            <EmptyState
              title="No concurrency limits"
              command={`curl -X POST localhost:4200/api/concurrency-limits \\\n  -H 'content-type: application/json' -d '{"name":"db","limit":5}'`}
            >
              <p>
                A concurrency limit caps how many task runs holding its name (as a tag) run at the
                same time, across every flow run; a slot decay turns it into a rate limit. Create
                one through the API and it appears here with its slots in use:
              </p>
            </EmptyState>
          )
          : (
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th class="num">Active slots</th>
                  <th class="num">Limit</th>
                  <th class="num">Slot decay / s</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {limits.map((limit) => (
                  <tr key={limit.name}>
                    <td>{limit.name}</td>
                    <td class="num">{limit.activeSlots}</td>
                    <td class="num">{limit.limit}</td>
                    <td class="num">{limit.slotDecayPerSecond}</td>
                    <td>
                      <TimeLabel ms={limit.updatedAt} />
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
