import { ActivityChart } from "../components/activity_chart.tsx";
import { BULK_FORM_ID, BulkRunActions } from "../components/bulk_run_actions.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { Layout } from "../components/layout.tsx";
import { Pager } from "../components/pager.tsx";
import { RunFiltersForm } from "../components/run_filters_form.tsx";
import { RunTable } from "../components/run_table.tsx";
import { StateChips } from "../components/state_chips.tsx";
import { DEFAULT_FILTERS, runsHref } from "../links.ts";
import type { ActivityData, PageContext, RunFilters, RunRow, StateCounts } from "../types.ts";

/** Props of {@linkcode RunsPage}. */
export interface RunsPageProps {
  ctx: PageContext;
  filters: RunFilters;
  rows: readonly RunRow[];
  flowNames: readonly string[];
  activity: ActivityData;
  /** Runs per state in the window (flow filter applied). */
  stateCounts: StateCounts;
  /** Cursor of the next page, if any. */
  nextCursor: string | null;
  /** Whether this page was reached with a cursor. */
  paged: boolean;
  /** Whether the store holds no flow run at all (first-run experience). */
  storeEmpty: boolean;
  /** Names of the deployments of the runs shown, by id. */
  deploymentNames?: Readonly<Record<string, string>>;
  /** The newest task runs of no flow (background tasks waiting for a worker among them). */
  taskRuns?: readonly RunRow[];
  /** The next upcoming (scheduled) runs, listed apart, and how many there are. */
  upcoming?: { rows: readonly RunRow[]; total: number };
  /** Outcome of a bulk action just taken (after its redirect). */
  flash?: { ok: boolean; message: string } | null;
}

/** The home page: activity chart, state chips, filters and the table of flow runs. */
export function RunsPage(props: RunsPageProps) {
  const { ctx, filters, rows, storeEmpty } = props;
  const upcoming = props.upcoming ?? { rows: [], total: 0 };
  const here = runsHref(filters);
  return (
    <Layout title="Flow runs" ctx={ctx} active="runs" stream="/api/stream/events">
      <div class="row spread">
        <h1>Flow runs</h1>
        {filters.parent !== null && (
          <span class="small">
            {`Subflow runs of ${filters.parent}. `}
            <a href={runsHref({ ...filters, parent: null })}>Show every run</a>
          </span>
        )}
      </div>
      {props.flash && (
        <div class={`flash${props.flash.ok ? "" : " bad"}`} role="status">
          {props.flash.message}
        </div>
      )}
      <section class="panel">
        <ActivityChart
          data={props.activity}
          bucketHref={(from, to) => runsHref({ ...filters, from, to })}
        />
        <div class="row spread">
          <StateChips filters={filters} counts={props.stateCounts} />
          <RunFiltersForm filters={filters} flowNames={props.flowNames} />
        </div>
      </section>
      <section class="panel flush" tabIndex={0} data-live="upcoming">
        {upcoming.total > 0 && (
          <>
            <h2 class="pad">
              {`Upcoming runs · ${upcoming.total.toLocaleString("en-US")}`}
            </h2>
            <RunTable rows={upcoming.rows} now={ctx.now} deploymentNames={props.deploymentNames} />
            {upcoming.total > upcoming.rows.length && (
              <p class="small pad muted">
                {`The next ${upcoming.rows.length} are shown, soonest first.`}
              </p>
            )}
          </>
        )}
      </section>
      <section class="panel flush" tabIndex={0} data-live="runs">
        <h2 class="pad">Past runs</h2>
        {rows.length > 0 && <BulkRunActions csrf={ctx.session.csrf} next={here} />}
        {storeEmpty
          ? (
            <EmptyState title="No flow runs yet" command="deno task demo">
              <p>
                Runs appear here as soon as a flow runs against this server's store. Run the example
                ETL flow, or any flow of yours with <code>ironflow run path/to/flow.ts</code>:
              </p>
            </EmptyState>
          )
          : rows.length === 0
          ? (
            <EmptyState title="No runs match these filters">
              <p>
                Try a longer time range or fewer states.{" "}
                <a href={runsHref({ ...DEFAULT_FILTERS, range: "all" })}>Show every run</a>
              </p>
            </EmptyState>
          )
          : (
            <RunTable
              rows={rows}
              now={ctx.now}
              deploymentNames={props.deploymentNames}
              selectForm={BULK_FORM_ID}
            />
          )}
        <Pager
          firstHref={props.paged ? runsHref(filters) : null}
          nextHref={props.nextCursor === null
            ? null
            : runsHref(filters, { cursor: props.nextCursor })}
          firstLabel="« Newest"
        />
      </section>
      {props.taskRuns && props.taskRuns.length > 0 && (
        <section class="panel flush" data-live="task-runs">
          <h2>Task runs outside flows</h2>
          <p class="muted small">
            Background tasks (<code>task.delay()</code>) wait Scheduled until a task worker takes
            them (<code>ironflow task serve</code>).
          </p>
          <RunTable rows={props.taskRuns} now={ctx.now} hideDeployment />
        </section>
      )}
    </Layout>
  );
}
