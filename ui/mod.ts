/**
 * The IronFlow dashboard: Preact pages rendered to HTML on the server, the
 * stylesheet and the one small client script. Components are pure functions
 * of plain data; `server/pages/` fetches the data and serves the pages.
 *
 * @example Render the runs page
 * ```ts ignore
 * import { renderToString } from "preact-render-to-string";
 * import { RunsPage } from "./mod.ts";
 * const html = "<!doctype html>" + renderToString(RunsPage(props));
 * ```
 *
 * @module
 */
export { APP_CSS } from "./app_css.ts";
export { LIVE_SCRIPT } from "./live_script.ts";
export { renderMarkdown } from "./markdown.ts";
export {
  formatCount,
  formatDuration,
  formatTime,
  levelName,
  presentStates,
  runDuration,
  stateLabel,
  total,
} from "./format.ts";
export { DEFAULT_FILTERS, filterParams, flowHref, runHref, runsHref } from "./links.ts";
export type {
  ActivityData,
  ArtifactData,
  AssetUrls,
  GraphEdge,
  GraphLayout,
  GraphNode,
  PageContext,
  RangeKey,
  RunFilters,
  RunRow,
  SessionInfo,
  StateCounts,
  TimelineRow,
  TimelineSegment,
} from "./types.ts";
export { ActivityChart, type ActivityChartProps } from "./components/activity_chart.tsx";
export { ArtifactView, type ArtifactViewProps } from "./components/artifact_view.tsx";
export { EmptyState, type EmptyStateProps } from "./components/empty_state.tsx";
export { EventTable, type EventTableProps } from "./components/event_table.tsx";
export { Layout, type LayoutProps, type NavSection } from "./components/layout.tsx";
export { LineagePanel, type LineagePanelProps } from "./components/lineage_panel.tsx";
export { LogList, type LogListProps } from "./components/log_list.tsx";
export { Pager, type PagerProps } from "./components/pager.tsx";
export { RunActionForms, type RunActionFormsProps } from "./components/run_action_forms.tsx";
export { RunGraph, type RunGraphProps } from "./components/run_graph.tsx";
export { RunTable, type RunTableProps } from "./components/run_table.tsx";
export { StateBadge, type StateBadgeProps } from "./components/state_badge.tsx";
export { StateChips, type StateChipsProps } from "./components/state_chips.tsx";
export { TaskRunTable, type TaskRunTableProps } from "./components/task_run_table.tsx";
export { TimelineChart, type TimelineChartProps } from "./components/timeline_chart.tsx";
export { ConcurrencyPage, type ConcurrencyPageProps } from "./pages/concurrency_page.tsx";
export { DeploymentsPage } from "./pages/deployments_page.tsx";
export { ErrorPage, type ErrorPageProps } from "./pages/error_page.tsx";
export { FlowPage, type FlowPageProps } from "./pages/flow_page.tsx";
export { FlowsPage, type FlowsPageProps } from "./pages/flows_page.tsx";
export { LoginPage, type LoginPageProps } from "./pages/login_page.tsx";
export {
  RUN_TABS,
  RunPage,
  type RunPageProps,
  type RunTab,
  type RunTabData,
  type TabPaging,
} from "./pages/run_page.tsx";
export { RunsPage, type RunsPageProps } from "./pages/runs_page.tsx";
export { WorkPoolsPage } from "./pages/work_pools_page.tsx";
