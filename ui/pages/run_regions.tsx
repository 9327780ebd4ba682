import type { OfferedActions, PauseRequest, RunRecord } from "../../engine/mod.ts";
import { LineagePanel } from "../components/lineage_panel.tsx";
import { type ResumeDraft, RunActionForms } from "../components/run_action_forms.tsx";
import { RunHeader } from "../components/run_header.tsx";
import { RunTabBody } from "../components/run_tab_body.tsx";
import { Tabs } from "../components/tabs.tsx";
import { total } from "../format.ts";
import { encodePathPart, runHref } from "../links.ts";
import type { ResultView, StateCounts } from "../types.ts";
import { RUN_TABS, type RunTab, type RunTabData } from "./run_tabs.ts";

/** The parts of the run page that update live, each fetched on its own. */
export const RUN_REGIONS = ["actions", "header", "lineage", "body"] as const;

/** One of {@linkcode RUN_REGIONS}. */
export type RunRegionName = typeof RUN_REGIONS[number];

/**
 * Stream messages after which a region is stale: `run` (the flow run's own
 * transition), `task` (one of its task runs), `artifact`. The logs tab is
 * kept current by appending lines, so no transition refreshes it.
 */
const BODY_TRIGGERS: Record<RunTab, string> = {
  tasks: "run task",
  timeline: "run task",
  graph: "run task",
  logs: "",
  events: "run task",
  artifacts: "artifact",
};

/** What each region shows. */
export type RunRegionProps =
  | {
    name: "actions";
    run: RunRecord;
    /** What the engine lets an operator do to the run now. */
    offered: OfferedActions;
    csrf: string;
    pause: PauseRequest | null;
    /** A refused resume to show again with its problems. */
    resumeDraft?: ResumeDraft | null;
  }
  | {
    name: "header";
    run: RunRecord;
    tasks: StateCounts;
    now: number;
    deploymentName: string | null;
    result: ResultView | null;
    flowVersion?: string | null;
  }
  | {
    name: "lineage";
    run: RunRecord;
    attempts: readonly RunRecord[];
    parent: RunRecord | null;
    subflows: readonly RunRecord[];
  }
  | { name: "body"; run: RunRecord; tasks: StateCounts; data: RunTabData; now: number };

const LABELS: Record<RunTab, string> = {
  tasks: "Task runs",
  timeline: "Timeline",
  graph: "Graph",
  logs: "Logs",
  events: "Events",
  artifacts: "Artifacts",
};

/**
 * The URL of a region's fragment: the page's own query (tab, filters,
 * cursor) so the fragment shows what the page shows.
 */
export function runRegionHref(runId: string, name: RunRegionName, query: string): string {
  return `/runs/${encodePathPart(runId)}/regions/${name}${query ? `?${query}` : ""}`;
}

/**
 * One live region of the run page; the page renders them all, and the
 * region route renders one alone, so the two never differ. `query` is the
 * page's query string.
 */
export function RunRegion({ region, query }: { region: RunRegionProps; query: string }) {
  const src = runRegionHref(region.run.id, region.name, query);
  switch (region.name) {
    case "actions":
      return (
        <div data-live="actions" data-live-src={src} data-live-on="run">
          <RunActionForms
            run={region.run}
            offered={region.offered}
            csrf={region.csrf}
            pause={region.pause}
            resumeDraft={region.resumeDraft ?? null}
          />
        </div>
      );
    case "header":
      return (
        <div data-live="header" data-live-src={src} data-live-on="run task">
          <RunHeader
            run={region.run}
            tasks={region.tasks}
            now={region.now}
            deploymentName={region.deploymentName}
            result={region.result}
            flowVersion={region.flowVersion ?? null}
          />
        </div>
      );
    case "lineage":
      return (
        <div data-live="lineage" data-live-src={src} data-live-on="run">
          <LineagePanel
            run={region.run}
            attempts={region.attempts}
            parent={region.parent}
            subflows={region.subflows}
          />
        </div>
      );
    case "body": {
      const { run, data } = region;
      return (
        <section
          class="panel flush"
          tabIndex={0}
          data-live="body"
          data-live-src={src}
          data-live-on={BODY_TRIGGERS[data.tab]}
        >
          <Tabs
            active={data.tab}
            items={RUN_TABS.map((tab) => ({
              key: tab,
              label: LABELS[tab],
              href: runHref(run.id, tab),
              count: tab === "tasks" ? total(region.tasks) : null,
            }))}
          />
          <RunTabBody run={run} data={data} now={region.now} counts={region.tasks} />
        </section>
      );
    }
  }
}
