import type { Deployment } from "../../engine/deployments/mod.ts";
import { DeploymentSettingsForm } from "../components/deployment_settings_form.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { FlashMessage } from "../components/flash_message.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { PauseForm } from "../components/pause_form.tsx";
import { Pill } from "../components/pill.tsx";
import { QuickRunForm } from "../components/quick_run_form.tsx";
import { RunTable } from "../components/run_table.tsx";
import { StateLegend } from "../components/state_legend.tsx";
import { ScheduleEditor } from "../components/schedule_editor.tsx";
import { ScheduleList } from "../components/schedule_list.tsx";
import { TimeLabel } from "../components/time_label.tsx";
import { formatInterval, jsonText } from "../format.ts";
import type { SchemaField } from "../schema_form.ts";
import { deploymentHref, flowHref, workPoolHref } from "../links.ts";
import type {
  DeploymentSettingsDraft,
  FlashMessage as Flash,
  PageContext,
  QuickRunDraft,
  RunRow,
  ScheduleDraft,
  SchedulePreview,
  ScheduleView,
  StateCounts,
} from "../types.ts";

/** Props of {@linkcode DeploymentPage}. */
export interface DeploymentPageProps {
  ctx: PageContext;
  deployment: Deployment;
  /** Every schedule with its next run times. */
  schedules: readonly ScheduleView[];
  /** The schedule editor's content, and the preview of a submitted draft. */
  draft: ScheduleDraft;
  preview: SchedulePreview | null;
  /** Time zones the editor suggests. */
  timezones: readonly string[];
  quickRun: QuickRunDraft;
  /** Key of this rendering's quick-run form (a resubmission returns the same run). */
  runKey: string;
  /** Fields of the deployment's parameter schema for the quick run (none: JSON only). */
  quickRunFields?: readonly SchemaField[];
  /** Recent flow runs of the deployment, newest first. */
  runs: readonly RunRow[];
  nextCursor: string | null;
  paged: boolean;
  /** Runs of the deployment by state. */
  counts: StateCounts;
  /** Runs holding a concurrency slot now. */
  activeRuns: number;
  flash: Flash | null;
  /** The settings form: the deployment's values, or as posted with its problems. */
  settings?: DeploymentSettingsDraft;
  /** Fields of the parameter schema for the default parameters (none: JSON text). */
  settingsFields?: readonly SchemaField[];
  /** Work pools the settings form offers. @default [the deployment's pool] */
  workPools?: readonly string[];
}

function Json({ value }: { value: unknown }) {
  return <pre>{jsonText(value, 2)}</pre>;
}

function Details({ deployment, activeRuns }: { deployment: Deployment; activeRuns: number }) {
  const envNames = Object.keys(deployment.env);
  return (
    <div class="cards">
      <dl class="kv">
        <dt>Flow</dt>
        <dd>
          <a href={flowHref(deployment.flowName)}>{deployment.flowName}</a>
        </dd>
        <dt>Entrypoint</dt>
        <dd class="mono">{deployment.entrypoint}</dd>
        <dt>Work pool</dt>
        <dd>
          <a href={workPoolHref(deployment.workPool)}>{deployment.workPool}</a>
          {` · queue ${deployment.workQueue ?? "default"}`}
        </dd>
        <dt>Concurrency</dt>
        <dd>
          {deployment.concurrencyLimit === null
            ? `no limit · ${activeRuns} active`
            : `${activeRuns} of ${deployment.concurrencyLimit} in use · ${deployment.collisionStrategy}`}
        </dd>
        <dt>Version</dt>
        <dd>{deployment.version ? <code>{deployment.version}</code> : "—"}</dd>
        <dt>Timeout</dt>
        <dd>
          {deployment.timeoutSeconds === null ? "none" : formatInterval(deployment.timeoutSeconds)}
        </dd>
        <dt>Created</dt>
        <dd>
          <TimeLabel ms={deployment.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <TimeLabel ms={deployment.updatedAt} />
        </dd>
      </dl>
      <dl class="kv">
        <dt>Tags</dt>
        <dd>
          {deployment.tags.length === 0
            ? <span class="muted">none</span>
            : deployment.tags.map((tag) => <code key={tag} class="chip-code">{tag}</code>)}
        </dd>
        <dt>Formerly</dt>
        <dd>
          {deployment.formerly.length === 0
            ? <span class="muted">none</span>
            : deployment.formerly.map((name) => <code key={name} class="chip-code">{name}</code>)}
        </dd>
        <dt>Working directory</dt>
        <dd class="mono">{deployment.workingDirectory ?? "the worker's"}</dd>
        <dt>Permissions</dt>
        <dd class="mono">
          {deployment.permissions === null ? "worker default" : deployment.permissions.join(" ")}
        </dd>
        <dt>Environment</dt>
        <dd>
          {envNames.length === 0
            ? <span class="muted">none</span>
            : envNames.map((name) => <code key={name} class="chip-code">{name}</code>)}
        </dd>
        <dt>Id</dt>
        <dd class="mono small">{deployment.id}</dd>
      </dl>
      <div>
        <h3>Default parameters</h3>
        {Object.keys(deployment.parameters).length === 0
          ? <span class="muted">none</span>
          : <Json value={deployment.parameters} />}
        {deployment.parameterSchema !== null && (
          <details>
            <summary class="small">Parameter schema</summary>
            <Json value={deployment.parameterSchema} />
          </details>
        )}
      </div>
    </div>
  );
}

/**
 * One deployment: settings and their form, schedules with their next runs and
 * editor, quick run, recent runs.
 */
export function DeploymentPage(props: DeploymentPageProps) {
  const { ctx, deployment, counts } = props;
  const base = deploymentHref(deployment.name);
  const csrf = ctx.session.csrf;
  return (
    <Layout title={deployment.name} ctx={ctx} active="deployments" stream="/api/stream/events">
      <span class="muted small">
        <a href="/deployments">Deployments</a> /
      </span>
      <FlashMessage flash={props.flash} />
      <section class="panel">
        <div class="row spread">
          <div class="row">
            <h1>{deployment.name}</h1>
            {deployment.paused
              ? (
                <Pill tone="warn" title="No scheduled runs; manual runs still work">
                  Paused
                </Pill>
              )
              : <Pill tone="ok">Ready</Pill>}
          </div>
          <div class="actions">
            <a class="button secondary" href="#run">Run now…</a>
            <PauseForm
              base={base}
              paused={deployment.paused}
              csrf={csrf}
              hint="Stop scheduling: future scheduled runs are cancelled; manual runs still work"
            />
          </div>
        </div>
        {deployment.description !== null && deployment.description !== "" && (
          <p class="description">{deployment.description}</p>
        )}
        <Details deployment={deployment} activeRuns={props.activeRuns} />
        {props.settings && (
          <details
            id="settings"
            class="settings"
            open={Object.keys(props.settings.form.errors).length > 0 ||
              Object.keys(props.settings.paramErrors).length > 0 ||
              Boolean(props.settings.form.error)}
          >
            <summary>Edit settings…</summary>
            <DeploymentSettingsForm
              action={`${base}/settings`}
              csrf={csrf}
              draft={props.settings}
              fields={props.settingsFields ?? []}
              workPools={props.workPools ?? [deployment.workPool]}
            />
          </details>
        )}
      </section>
      <section class="panel" id="schedules">
        <h2>Schedules</h2>
        {props.schedules.length === 0
          ? (
            <p class="muted">
              No schedules: this deployment runs on demand only. Add one below, or under{" "}
              <code>schedules:</code> in <code>ironflow.yaml</code>.
            </p>
          )
          : (
            <ScheduleList
              deployment={deployment.name}
              schedules={props.schedules}
              paused={deployment.paused}
              csrf={csrf}
              editing={props.draft.index}
            />
          )}
        <ScheduleEditor
          action={`${base}/schedules`}
          cancelHref={`${base}#schedules`}
          csrf={csrf}
          draft={props.draft}
          preview={props.preview}
          timezones={props.timezones}
        />
      </section>
      <section class="panel">
        <h2>Run now</h2>
        <QuickRunForm
          action={`${base}/run`}
          csrf={csrf}
          draft={props.quickRun}
          idempotencyKey={props.runKey}
          fields={props.quickRunFields ?? []}
        />
      </section>
      <section class="panel flush" tabIndex={0} data-live="runs">
        <div class="row spread pad">
          <h2>Recent runs</h2>
          <StateLegend counts={counts} />
        </div>
        {props.runs.length === 0
          ? (
            <EmptyState title="No runs of this deployment yet">
              <p>
                Runs appear here when a schedule comes due, when you use <strong>Run now</strong>
                {" "}
                above, or with{" "}
                <code>{`ironflow deployment run ${deployment.name}`}</code>. A worker of the{" "}
                <a href={workPoolHref(deployment.workPool)}>{deployment.workPool}</a>{" "}
                pool executes them.
              </p>
            </EmptyState>
          )
          : <RunTable rows={props.runs} now={ctx.now} hideFlow hideDeployment />}
        <Pager
          firstHref={props.paged ? base : null}
          nextHref={props.nextCursor === null
            ? null
            : deploymentHref(deployment.name, { cursor: props.nextCursor })}
          firstLabel="« Newest"
        />
      </section>
    </Layout>
  );
}
