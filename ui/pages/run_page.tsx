import type { OfferedActions, PauseRequest, RunRecord } from "../../engine/mod.ts";
import { Layout } from "../components/layout.tsx";
import { encodePathPart } from "../links.ts";
import type { ResumeDraft } from "../components/run_action_forms.tsx";
import { RunRegion } from "./run_regions.tsx";
import type { RunTabData } from "./run_tabs.ts";
import type { PageContext, ResultView, StateCounts } from "../types.ts";

export { RUN_TABS, type RunTab, type RunTabData, type TabPaging } from "./run_tabs.ts";

/** Props of {@linkcode RunPage}. */
export interface RunPageProps {
  ctx: PageContext;
  run: RunRecord;
  /** What the engine lets an operator do to the run now. */
  offered: OfferedActions;
  /** Task runs by state. */
  tasks: StateCounts;
  attempts: readonly RunRecord[];
  parent: RunRecord | null;
  subflows: readonly RunRecord[];
  data: RunTabData;
  /** Outcome of an action just taken (after its redirect). */
  flash: { ok: boolean; message: string } | null;
  /** Name of the run's deployment, when it has one. */
  deploymentName?: string | null;
  /** The run's stored result, once it completed with one. */
  result?: ResultView | null;
  /** The version of the flow the run ran, when it has one. */
  flowVersion?: string | null;
  /** What the pause a PAUSED run is in asks of a resume (input and its schema). */
  pause?: PauseRequest | null;
  /** A resume just refused, shown again in its form with the problems by field. */
  resumeDraft?: ResumeDraft | null;
  /** The page's query string (tab, filters, cursor), for its live regions' fragments. */
  query?: string;
}

/** A flow run: header, actions, lineage and tabbed details. */
export function RunPage(props: RunPageProps) {
  const { ctx, run, data } = props;
  const query = props.query ?? "";
  return (
    <Layout
      title={run.runName}
      ctx={ctx}
      active="runs"
      stream={`/api/stream/flow-runs/${encodePathPart(run.id)}`}
    >
      <div class="row spread">
        <span class="muted small">
          <a href="/">Flow runs</a> / {run.flowName}
        </span>
        <RunRegion
          query={query}
          region={{
            name: "actions",
            run,
            offered: props.offered,
            csrf: ctx.session.csrf,
            pause: props.pause ?? null,
            resumeDraft: props.resumeDraft ?? null,
          }}
        />
      </div>
      {props.flash && (
        <div class={`flash${props.flash.ok ? "" : " bad"}`} role="status">
          {props.flash.message}
        </div>
      )}
      <RunRegion
        query={query}
        region={{
          name: "header",
          run,
          tasks: props.tasks,
          now: ctx.now,
          deploymentName: props.deploymentName ?? null,
          result: props.result ?? null,
          flowVersion: props.flowVersion ?? null,
        }}
      />
      <RunRegion
        query={query}
        region={{
          name: "lineage",
          run,
          attempts: props.attempts,
          parent: props.parent,
          subflows: props.subflows,
        }}
      />
      <RunRegion
        query={query}
        region={{ name: "body", run, tasks: props.tasks, data, now: ctx.now }}
      />
    </Layout>
  );
}
