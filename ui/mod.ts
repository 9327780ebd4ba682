/**
 * The IronFlow dashboard: Preact pages rendered to HTML on the server, the
 * stylesheet and the one small client script. Components are pure functions
 * of plain data; `server/dashboard/` fetches the data and serves the pages.
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
  describeSchedule,
  formatBytes,
  formatCount,
  formatDuration,
  formatInterval,
  formatInZone,
  formatTime,
  jsonText,
  levelName,
  presentStates,
  runDuration,
  stateLabel,
  total,
} from "./format.ts";
export {
  artifactHref,
  DEFAULT_FILTERS,
  deploymentHref,
  encodePathPart,
  filterParams,
  flowHref,
  resultHref,
  runHref,
  runsHref,
  workPoolHref,
} from "./links.ts";
export type {
  ActivityData,
  ArtifactData,
  AssetUrls,
  AutomationRow,
  DeploymentRow,
  DeploymentSettingsDraft,
  FlashMessage as FlashData,
  FormDraft,
  GraphCells,
  GraphEdge,
  GraphLayout,
  GraphNode,
  GraphPlanInfo,
  PageContext,
  QuickRunDraft,
  RangeKey,
  ResultView,
  RunFilters,
  RunRow,
  RunsSort,
  ScheduleDraft,
  ScheduleKind,
  SchedulePreview,
  ScheduleView,
  SessionInfo,
  SpecDraft,
  StateCounts,
  Theme,
  TimelineRow,
  TimelineSegment,
  WorkPoolRow,
} from "./types.ts";
export { THEMES } from "./types.ts";
export {
  FIELD_PREFIX,
  fieldText,
  fieldTexts,
  hasFields,
  postedTexts,
  problemsByField,
  type SchemaField,
  schemaFields,
  valueAt,
  valuesFromForm,
} from "./schema_form.ts";
export { SchemaFields, type SchemaFieldsProps } from "./components/schema_fields.tsx";
export { ArtifactsPage, type ArtifactsPageProps } from "./pages/artifacts_page.tsx";
export { ArtifactKeyPage, type ArtifactKeyPageProps } from "./pages/artifact_key_page.tsx";
export { ActivityChart, type ActivityChartProps } from "./components/activity_chart.tsx";
export { ArtifactView, type ArtifactViewProps } from "./components/artifact_view.tsx";
export { DeploymentTable, type DeploymentTableProps } from "./components/deployment_table.tsx";
export { EmptyState, type EmptyStateProps } from "./components/empty_state.tsx";
export { EventTable, type EventTableProps } from "./components/event_table.tsx";
export { FlashMessage } from "./components/flash_message.tsx";
export { Layout, type LayoutProps, type NavSection } from "./components/layout.tsx";
export { LineagePanel, type LineagePanelProps } from "./components/lineage_panel.tsx";
export { LogList, type LogListProps } from "./components/log_list.tsx";
export { Pager, type PagerProps } from "./components/pager.tsx";
export { PauseForm, type PauseFormProps } from "./components/pause_form.tsx";
export { Pill, type PillProps, type PillTone } from "./components/pill.tsx";
export { QuickRunForm, type QuickRunFormProps } from "./components/quick_run_form.tsx";
export { RecentRuns } from "./components/recent_runs.tsx";
export { ResultLink, type ResultLinkProps } from "./components/result_link.tsx";
export {
  type ResumeDraft,
  RunActionForms,
  type RunActionFormsProps,
} from "./components/run_action_forms.tsx";
export {
  GraphLegend,
  type GraphLegendProps,
  RunGraph,
  type RunGraphProps,
} from "./components/run_graph.tsx";
export { RunTable, type RunTableProps } from "./components/run_table.tsx";
export { ScheduleEditor, type ScheduleEditorProps } from "./components/schedule_editor.tsx";
export { ScheduleList, type ScheduleListProps } from "./components/schedule_list.tsx";
export { StateBadge, type StateBadgeProps } from "./components/state_badge.tsx";
export { StateChips, type StateChipsProps } from "./components/state_chips.tsx";
export { TaskRunTable, type TaskRunTableProps } from "./components/task_run_table.tsx";
export {
  TASK_SORTS,
  type TaskRunFilter,
  TaskRunFiltersForm,
  type TaskSort,
} from "./components/task_run_filters.tsx";
export { TimelineChart, type TimelineChartProps } from "./components/timeline_chart.tsx";
export { WorkerTable, type WorkerTableProps } from "./components/worker_table.tsx";
export { ConcurrencyPage, type ConcurrencyPageProps } from "./pages/concurrency_page.tsx";
export { DeploymentPage, type DeploymentPageProps } from "./pages/deployment_page.tsx";
export {
  DeploymentSettingsForm,
  type DeploymentSettingsFormProps,
} from "./components/deployment_settings_form.tsx";
export { FormField, type FormFieldProps } from "./components/form_field.tsx";
export { WorkPoolForm, type WorkPoolFormProps } from "./components/work_pool_form.tsx";
export {
  DeploymentsPage,
  type DeploymentsPageProps,
  NoDeployments,
} from "./pages/deployments_page.tsx";
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
export {
  RUN_REGIONS,
  RunRegion,
  runRegionHref,
  type RunRegionName,
  type RunRegionProps,
} from "./pages/run_regions.tsx";
export { type TaskAttempt, TaskRunPage, type TaskRunPageProps } from "./pages/task_run_page.tsx";
export { RunsPage, type RunsPageProps } from "./pages/runs_page.tsx";
export { WorkPoolPage, type WorkPoolPageProps } from "./pages/work_pool_page.tsx";
export { WorkPoolsPage, type WorkPoolsPageProps } from "./pages/work_pools_page.tsx";
export { type EventFilterFields, EventsPage, type EventsPageProps } from "./pages/events_page.tsx";
export { AutomationsPage, type AutomationsPageProps } from "./pages/automations_page.tsx";
export { AutomationPage, type AutomationPageProps } from "./pages/automation_page.tsx";
export {
  type VariableDraft,
  VariablesPage,
  type VariablesPageProps,
} from "./pages/variables_page.tsx";
export { SecretsPage, type SecretsPageProps } from "./pages/secrets_page.tsx";
