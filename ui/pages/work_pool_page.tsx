import type { RunRecord } from "../../engine/mod.ts";
import type { WorkerRecord, WorkPool, WorkQueue } from "../../engine/deployments/mod.ts";
import { DeploymentTable } from "../components/deployment_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { PauseForm } from "../components/pause_form.tsx";
import { Pill } from "../components/pill.tsx";
import { StateBadge } from "../components/state_badge.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import { WorkerTable } from "../components/worker_table.tsx";
import { WorkPoolForm } from "../components/work_pool_form.tsx";
import { WorkQueueTable } from "../components/work_queue_table.tsx";
import { formatCount } from "../format.ts";
import { deploymentHref, runHref, workPoolHref } from "../links.ts";
import type { DeploymentRow, FlashMessage as Flash, FormDraft, PageContext } from "../types.ts";
import { ConfirmAction } from "../components/confirm_action.tsx";

/** Props of {@linkcode WorkPoolPage}. */
export interface WorkPoolPageProps {
  ctx: PageContext;
  pool: WorkPool;
  workers: readonly WorkerRecord[];
  deployments: readonly DeploymentRow[];
  /** SCHEDULED runs of the pool's deployments. */
  scheduled: number;
  /** The soonest of them, by due time. */
  queue: readonly RunRecord[];
  /** Deployment names by id, for the queue. */
  deploymentNames: Readonly<Record<string, string>>;
  flash: Flash | null;
  /** The settings form: the pool's values, or as posted with its problems. */
  settings: FormDraft;
  /** The pool's work queues, by priority. */
  queues: readonly WorkQueue[];
  /** The new-queue form: empty, or as posted with its problems. */
  queueDraft?: FormDraft;
  /** A queue's settings as posted with their problems. */
  queueEdit?: { queue: string; draft: FormDraft } | null;
}

/**
 * One work pool: pause/resume, settings (description, concurrency limit),
 * delete, its queue, its workers and the deployments that use it.
 */
export function WorkPoolPage(props: WorkPoolPageProps) {
  const { ctx, pool, workers } = props;
  const online = workers.filter((w) => w.status === "ONLINE").length;
  const active = props.deployments.reduce((sum, row) => sum + row.activeRuns, 0);
  return (
    <Layout title={pool.name} ctx={ctx} active="work-pools" stream="/api/stream/events">
      <span class="muted small">
        <a href="/work-pools">Work pools</a> /
      </span>
      <FlashMessage flash={props.flash} />
      <section class="panel">
        <div class="row spread">
          <div class="row">
            <h1>{pool.name}</h1>
            {pool.paused
              ? <Pill tone="warn" title="Workers claim nothing from it">Paused</Pill>
              : <Pill tone="ok">Ready</Pill>}
          </div>
          <div class="actions">
            <PauseForm
              base={workPoolHref(pool.name)}
              paused={pool.paused}
              csrf={ctx.session.csrf}
              hint="Workers stop claiming runs from this pool; queued runs wait"
            />
            <ConfirmAction
              label="Delete…"
              tone="secondary"
              action={`${workPoolHref(pool.name)}/delete`}
              csrf={ctx.session.csrf}
              question={<>Delete work pool {pool.name}? Refused while a deployment uses it.</>}
              confirm="Yes, delete the pool"
              data={{ "data-delete-pool": pool.name }}
            />
          </div>
        </div>
        {pool.description && <p class="description">{pool.description}</p>}
        <dl class="kv">
          <dt>Type</dt>
          <dd>{pool.type}</dd>
          <dt>Concurrency limit</dt>
          <dd>
            {pool.concurrencyLimit == null
              ? `no limit · ${active} active`
              : `${active} of ${pool.concurrencyLimit} active`}
          </dd>
          <dt>Queue</dt>
          <dd>{`${formatCount(props.scheduled)} scheduled`}</dd>
          <dt>Workers</dt>
          <dd>{`${online} online, ${workers.length - online} stale`}</dd>
          <dt>Created</dt>
          <dd>
            <TimeLabel ms={pool.createdAt} />
          </dd>
        </dl>
      </section>
      <section class="panel" id="settings">
        <h2>Settings</h2>
        <WorkPoolForm
          action={`${workPoolHref(pool.name)}/settings`}
          csrf={ctx.session.csrf}
          draft={props.settings}
          mode="edit"
        />
      </section>
      <section class="panel flush" id="queues">
        <h2 class="pad">Work queues</h2>
        <p class="pad muted small">
          Workers claim from the queues in priority order, each within its own concurrency limit and
          the pool's; a paused queue hands out nothing.
        </p>
        <WorkQueueTable
          base={workPoolHref(pool.name)}
          csrf={ctx.session.csrf}
          queues={props.queues}
          create={props.queueDraft ?? { values: {}, errors: {} }}
          edit={props.queueEdit ?? null}
        />
      </section>
      <section class="panel flush" tabIndex={0} data-live="workers">
        <h2 class="pad">Workers</h2>
        {workers.length === 0
          ? (
            <EmptyState
              title="No worker polls this pool"
              command={`ironflow worker start --pool ${pool.name}`}
            >
              <p>Runs of this pool wait in its queue until a worker claims them. Start one:</p>
            </EmptyState>
          )
          : <WorkerTable workers={workers} now={ctx.now} />}
      </section>
      <section class="panel flush" tabIndex={0} data-live="queue">
        <h2 class="pad">Queue</h2>
        {props.queue.length === 0
          ? <p class="pad muted">No scheduled runs are waiting.</p>
          : (
            <table>
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Deployment</th>
                  <th>State</th>
                  <th>Due</th>
                </tr>
              </thead>
              <tbody>
                {props.queue.map((run) => (
                  <tr key={run.id} data-run-id={run.id}>
                    <td>
                      <a href={runHref(run.id)}>{run.runName}</a>
                    </td>
                    <td>
                      {run.deploymentId !== null && (
                        <a href={deploymentHref(run.deploymentId)}>
                          {props.deploymentNames[run.deploymentId] ?? run.deploymentId}
                        </a>
                      )}
                    </td>
                    <td>
                      <StateBadge state={run.state} name={run.stateName} runId={run.id} />
                    </td>
                    <td>
                      <TimeLabel ms={run.expectedStartTime} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      <section class="panel flush" tabIndex={0} data-live="deployments">
        <h2 class="pad">Deployments</h2>
        {props.deployments.length === 0
          ? <p class="pad muted">No deployment uses this pool.</p>
          : <DeploymentTable rows={props.deployments} hidePool />}
      </section>
    </Layout>
  );
}
