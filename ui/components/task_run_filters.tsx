import type { StateType } from "../../engine/mod.ts";
import { formatCount, presentStates, stateLabel } from "../format.ts";
import { encodePathPart } from "../links.ts";
import type { StateCounts } from "../types.ts";

/** Sort keys offered for task runs. */
export const TASK_SORTS = ["created", "start", "duration", "state", "name"] as const;

/** One of {@linkcode TASK_SORTS}. */
export type TaskSort = typeof TASK_SORTS[number];

/** The task runs tab's filter and order. */
export interface TaskRunFilter {
  /** Only task runs in these states; none: every state. */
  states: readonly StateType[];
  sort: TaskSort;
  order: "asc" | "desc";
}

const SORT_LABELS: Record<TaskSort, string> = {
  created: "Creation",
  start: "Start time",
  duration: "Duration",
  state: "State",
  name: "Name",
};

/** Props of {@linkcode TaskRunFiltersForm}. */
export interface TaskRunFiltersFormProps {
  runId: string;
  filter: TaskRunFilter;
  /** The run's task runs by state: the choices, with their counts. */
  counts: StateCounts;
}

/**
 * State filter and sort of the task runs tab: a GET form, so it works
 * without JavaScript and the filtered view has its own URL.
 */
export function TaskRunFiltersForm({ runId, filter, counts }: TaskRunFiltersFormProps) {
  const chosen = filter.states[0] ?? "";
  const states = presentStates(counts);
  if (chosen !== "" && !states.includes(chosen)) states.push(chosen);
  return (
    <form class="filters pad" method="get" action={`/runs/${encodePathPart(runId)}`}>
      <label>
        State{" "}
        <select name="state" data-autosubmit>
          <option value="">All states</option>
          {states.map((state) => (
            <option key={state} value={state} selected={state === chosen}>
              {`${stateLabel(state)} (${formatCount(counts[state] ?? 0)})`}
            </option>
          ))}
        </select>
      </label>
      <label>
        Sort by{" "}
        <select name="sort" data-autosubmit>
          {TASK_SORTS.map((sort) => (
            <option key={sort} value={sort} selected={sort === filter.sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Order{" "}
        <select name="order" data-autosubmit>
          <option value="asc" selected={filter.order === "asc"}>Ascending</option>
          <option value="desc" selected={filter.order === "desc"}>Descending</option>
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
