/**
 * The run page's data: the run, its lineage and the active tab's content.
 * Lists are keyset pages; the graph comes from the store's grouped query, so
 * a flow run with ten thousand task runs costs a few grouped scans, not ten
 * thousand records.
 *
 * @module
 */
import {
  type Engine,
  InvalidArgumentError,
  listArtifacts,
  type LogRecord,
  offeredActions,
  pauseRequestOf,
  type RunQuery,
  type RunRecord,
  STATE_TYPES,
  type StateType,
} from "../../engine/mod.ts";
import {
  type ArtifactData,
  RUN_TABS,
  runHref,
  type RunPageProps,
  type RunTab,
  type RunTabData,
  type StateCounts,
  TASK_SORTS,
  type TaskRunFilter,
  type TaskSort,
} from "../../ui/mod.ts";
import { runGraph } from "./graph_layout.ts";
import { MAX_DENSE_NODES } from "./dense_graph.ts";
import { resultViewOf, resultViewsOf } from "./result_views.ts";
import { runningSegments, timelineRows } from "./timeline_data.ts";

/** Task runs per page of the task runs tab. */
export const TASKS_PAGE_SIZE = 100;
/** Task runs per page of the timeline. */
export const TIMELINE_PAGE_SIZE = 150;
/** Log lines per page. */
export const LOGS_PAGE_SIZE = 500;
/** Task runs offered in the log filter's task list. */
const LOG_TASK_OPTIONS = 200;

/** The tab named in the URL, `tasks` when none or unknown. */
function parseTab(value: string | undefined): RunTab {
  return RUN_TABS.includes(value as RunTab) ? value as RunTab : "tasks";
}

/** Everything the run page shows except the page context and flash. */
export function runPageData(
  engine: Engine,
  run: RunRecord,
  params: URLSearchParams,
  now: number,
): Omit<RunPageProps, "ctx" | "flash"> {
  const { attempts, parent, subflows } = lineageData(engine, run);
  const result = resultViewOf(engine, run);
  const pause = pauseRequestOf(engine, run) ?? null;
  const { tasks, data } = bodyData(engine, run, params, now, subflows);
  const flowVersion = flowVersionOf(engine, run);
  const offered = offeredActions(run);
  return { run, offered, tasks, attempts, parent, subflows, data, result, pause, flowVersion };
}

/** The flow version the run recorded when it was created, if any. */
export function flowVersionOf(engine: Engine, run: RunRecord): string | null {
  const version = engine.events({ runId: run.id, limit: 1 })[0]?.data?.["flowVersion"];
  return typeof version === "string" ? version : null;
}

/** The attempts of the run's lineage, its parent and its subflow runs. */
export function lineageData(
  engine: Engine,
  run: RunRecord,
): { attempts: RunRecord[]; parent: RunRecord | null; subflows: RunRecord[] } {
  const attempts = engine.listRuns({
    kind: "flow",
    lineageId: run.lineageId,
    sort: "created",
    order: "asc",
    limit: 50,
  }).items;
  const subflows = engine.listRuns({
    kind: "flow",
    parentId: run.id,
    sort: "created",
    order: "asc",
    limit: 100,
  }).items;
  const parent = run.parentId === null ? null : engine.getRun(run.parentId) ?? null;
  return { attempts, parent, subflows };
}

/** The run's task runs by state and what its active tab shows. */
export function bodyData(
  engine: Engine,
  run: RunRecord,
  params: URLSearchParams,
  now: number,
  subflows: readonly RunRecord[],
): { tasks: StateCounts; data: RunTabData } {
  const tab = parseTab(params.get("tab") ?? undefined);
  if (tab === "graph") {
    const expanded = params.get("graph") === "expanded";
    const { graph, taskCounts } = runGraph(engine, run, subflows, { expanded });
    const expandable = Object.values(taskCounts).reduce((a, b) => a + (b ?? 0), 0) <=
      MAX_DENSE_NODES;
    return {
      tasks: taskCounts,
      data: { tab, expanded, graph, expandable, expandLimit: MAX_DENSE_NODES },
    };
  }
  const tasks = engine.reader.countRuns({ kind: "task", parentId: run.id });
  return { tasks, data: tabData(engine, run, tab, params, now, subflows) };
}

/** The task runs by state of a run (the header's counts). */
export function taskCounts(engine: Engine, run: RunRecord): StateCounts {
  return engine.reader.countRuns({ kind: "task", parentId: run.id });
}

function tabData(
  engine: Engine,
  run: RunRecord,
  tab: Exclude<RunTab, "graph">,
  params: URLSearchParams,
  now: number,
  subflows: readonly RunRecord[],
): Exclude<RunTabData, { tab: "graph" }> {
  const cursor = params.get("cursor");
  switch (tab) {
    case "tasks": {
      const name = params.get("name") || null;
      const filter = parseTaskFilter(params);
      const query: RunQuery = {
        kind: "task",
        parentId: run.id,
        sort: filter.sort,
        order: filter.order,
        limit: TASKS_PAGE_SIZE,
      };
      if (filter.states.length > 0) query.states = filter.states;
      if (name !== null) query.name = name;
      if (cursor) query.cursor = cursor;
      const page = engine.listRuns(query);
      const keep = { name, ...taskFilterParams(filter) };
      return {
        tab,
        name,
        filter,
        tasks: page.items,
        results: resultViewsOf(engine, page.items),
        paging: {
          firstHref: cursor ? runHref(run.id, tab, keep) : null,
          nextHref: page.nextCursor
            ? runHref(run.id, tab, { ...keep, cursor: page.nextCursor })
            : null,
        },
      };
    }
    case "timeline": {
      // Task runs that have started (PENDING ones have no bar yet), by start time.
      const page = engine.listRuns({
        kind: "task",
        parentId: run.id,
        states: STATE_TYPES.filter((state) => state !== "PENDING"),
        sort: "start",
        order: "asc",
        limit: TIMELINE_PAGE_SIZE,
        ...(cursor ? { cursor } : {}),
      });
      // Subflow runs join the first page, in start order too.
      const runs = cursor
        ? page.items
        : [...page.items, ...subflows].sort((a, b) =>
          (a.startTime ?? Infinity) - (b.startTime ?? Infinity)
        );
      const rows = timelineRows(
        runs,
        (task) => runningSegments(engine.events({ runId: task.id }), now),
      );
      const waiting = engine.reader.countRuns({
        kind: "task",
        parentId: run.id,
        states: ["PENDING"],
      }).PENDING ?? 0;
      let start = run.startTime ?? run.createdAt;
      let end = run.endTime ?? now;
      for (const row of rows) {
        for (const segment of row.segments) {
          start = Math.min(start, segment.start);
          end = Math.max(end, segment.end);
        }
      }
      return {
        tab,
        rows,
        start,
        end,
        waiting,
        paging: {
          firstHref: cursor ? runHref(run.id, tab) : null,
          nextHref: page.nextCursor ? runHref(run.id, tab, { cursor: page.nextCursor }) : null,
        },
      };
    }
    case "logs":
      return logsData(engine, run, params);
    case "events": {
      const taskId = params.get("task");
      const task = taskId ? engine.getRun(taskId) : undefined;
      const subject = task && task.kind === "task" && task.parentId === run.id ? task : null;
      return { tab, task: subject, events: engine.events({ runId: subject?.id ?? run.id }) };
    }
    case "artifacts": {
      const artifacts: ArtifactData[] = listArtifacts(engine.reader, { flowRunId: run.id })
        .filter((artifact) => artifact.type !== "result")
        .map((artifact) => ({
          id: artifact.id,
          key: artifact.key,
          type: artifact.type,
          description: artifact.description,
          data: artifact.data,
          createdAt: artifact.createdAt,
        }));
      return { tab, artifacts };
    }
  }
}

/**
 * The task runs tab's state filter and sort from the URL; throws
 * `InvalidArgumentError` (a 400 page) for a state or sort it does not know.
 */
export function parseTaskFilter(params: URLSearchParams): TaskRunFilter {
  const states = params.getAll("state").filter((state) => state !== "");
  for (const state of states) {
    if (!STATE_TYPES.includes(state as StateType)) {
      throw new InvalidArgumentError(
        `Unknown state "${state}": expected one of ${STATE_TYPES.join(", ")}`,
      );
    }
  }
  const sort = params.get("sort") || "created";
  if (!TASK_SORTS.includes(sort as TaskSort)) {
    throw new InvalidArgumentError(
      `Unknown sort "${sort}": expected one of ${TASK_SORTS.join(", ")}`,
    );
  }
  const order = params.get("order") || (sort === "duration" ? "desc" : "asc");
  if (order !== "asc" && order !== "desc") {
    throw new InvalidArgumentError(`Unknown order "${order}": expected asc or desc`);
  }
  return { states: states as StateType[], sort: sort as TaskSort, order };
}

function taskFilterParams(
  filter: TaskRunFilter,
): Record<string, string | readonly string[] | null> {
  return {
    state: filter.states,
    sort: filter.sort === "created" ? null : filter.sort,
    order: filter.order,
  };
}

function logsData(
  engine: Engine,
  run: RunRecord,
  params: URLSearchParams,
): Extract<RunTabData, { tab: "logs" }> {
  const level = Number(params.get("level") ?? 0);
  const minLevel = Number.isFinite(level) && level > 0 ? level : 0;
  const taskRunId = params.get("task") || null;
  const q = (params.get("q") ?? "").trim().slice(0, 200);
  const after = Number(params.get("after") ?? 0);
  const logs: LogRecord[] = engine.logs({
    flowRunId: run.id,
    ...(taskRunId ? { taskRunId } : {}),
    ...(minLevel > 0 ? { minLevel } : {}),
    ...(q ? { text: q } : {}),
    afterId: Number.isSafeInteger(after) && after > 0 ? after : 0,
    limit: LOGS_PAGE_SIZE,
  });
  const taskNames = new Map<string, string>();
  for (const log of logs) {
    if (log.taskRunId === null || taskNames.has(log.taskRunId)) continue;
    taskNames.set(log.taskRunId, engine.getRun(log.taskRunId)?.runName ?? "task");
  }
  const taskOptions = engine.listRuns({
    kind: "task",
    parentId: run.id,
    sort: "created",
    order: "asc",
    limit: LOG_TASK_OPTIONS,
  }).items.map((task) => ({ id: task.id, label: task.runName }));
  const filter = { minLevel, taskRunId, q };
  const keep = { level: minLevel > 0 ? String(minLevel) : null, task: taskRunId, q };
  const last = logs.at(-1)?.id;
  return {
    tab: "logs",
    logs,
    taskNames,
    filter,
    taskOptions,
    paging: {
      firstHref: after > 0 ? runHref(run.id, "logs", keep) : null,
      nextHref: logs.length === LOGS_PAGE_SIZE && last !== undefined
        ? runHref(run.id, "logs", { ...keep, after: String(last) })
        : null,
    },
  };
}
