import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { Pill } from "../components/pill.tsx";
import { WorkPoolForm } from "../components/work_pool_form.tsx";
import { formatCount } from "../format.ts";
import { workPoolHref } from "../links.ts";
import type { FlashMessage as Flash, FormDraft, PageContext, WorkPoolRow } from "../types.ts";

/** Props of {@linkcode WorkPoolsPage}. */
export interface WorkPoolsPageProps {
  ctx: PageContext;
  pools: readonly WorkPoolRow[];
  /** The new-pool form: empty, or as posted with its problems. */
  draft?: FormDraft;
  /** @default null */
  flash?: Flash | null;
}

const EMPTY: FormDraft = { values: {}, errors: {} };

/**
 * Work pools: paused or not, concurrency limit, queue depth (SCHEDULED runs)
 * and workers online and stale, and a form to create one.
 */
export function WorkPoolsPage({ ctx, pools, draft = EMPTY, flash = null }: WorkPoolsPageProps) {
  const anyWorker = pools.some((row) => row.online + row.offline > 0);
  return (
    <Layout title="Work pools" ctx={ctx} active="work-pools" stream="/api/stream/events">
      <h1>Work pools and workers</h1>
      <FlashMessage flash={flash} />
      <section class="panel flush" tabIndex={0} data-live="pools">
        <table>
          <thead>
            <tr>
              <th>Work pool</th>
              <th>Status</th>
              <th class="num">Limit</th>
              <th class="num">Queue</th>
              <th class="num">Deployments</th>
              <th class="num">Workers online</th>
              <th class="num">Stale</th>
            </tr>
          </thead>
          <tbody>
            {pools.map(({ pool, scheduled, deployments, online, offline }) => (
              <tr key={pool.name} data-pool={pool.name}>
                <td>
                  <a href={workPoolHref(pool.name)}>{pool.name}</a>
                  {pool.description && <div class="muted small">{pool.description}</div>}
                </td>
                <td>
                  {pool.paused
                    ? <Pill tone="warn" title="Workers claim nothing from it">Paused</Pill>
                    : <Pill tone="ok">Ready</Pill>}
                </td>
                <td class="num" title="Most active runs at once">
                  {pool.concurrencyLimit ?? "—"}
                </td>
                <td class="num" title="SCHEDULED runs of its deployments">
                  {formatCount(scheduled)}
                </td>
                <td class="num">{formatCount(deployments)}</td>
                <td class="num">
                  {online > 0 ? <span class="s-COMPLETED">{online}</span> : <span>0</span>}
                </td>
                <td class="num">
                  {offline > 0 ? <span class="muted">{offline}</span> : <span>0</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!anyWorker && (
          <EmptyState title="No workers yet" command="ironflow worker start --pool default">
            <p>
              Workers claim scheduled runs of deployments from a work pool, run each in its own
              process, heartbeat while they work and hand runs back if they crash. A pool appears
              when a deployment names it (<code>ironflow deploy</code>) or a worker polls it. Start
              one with:
            </p>
          </EmptyState>
        )}
      </section>
      <section class="panel" id="new-pool">
        <h2>New work pool</h2>
        <WorkPoolForm action="/work-pools" csrf={ctx.session.csrf} draft={draft} mode="create" />
      </section>
    </Layout>
  );
}
