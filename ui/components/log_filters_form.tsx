import { encodePathPart } from "../links.ts";

/** Props of {@linkcode LogFiltersForm}. */
export interface LogFiltersFormProps {
  runId: string;
  minLevel: number;
  taskRunId: string | null;
  q: string;
  /** Task runs to choose from: id and label. */
  tasks: readonly { id: string; label: string }[];
}

const LEVELS: readonly [number, string][] = [
  [0, "All levels"],
  [20, "INFO and above"],
  [30, "WARNING and above"],
  [40, "ERROR and above"],
];

/** Level, task and text filters of the logs tab (a GET form). */
export function LogFiltersForm({ runId, minLevel, taskRunId, q, tasks }: LogFiltersFormProps) {
  return (
    <form class="filters" method="get" action={`/runs/${encodePathPart(runId)}`}>
      <input type="hidden" name="tab" value="logs" />
      <select name="level" aria-label="Level" data-autosubmit>
        {LEVELS.map(([value, label]) => (
          <option key={value} value={value} selected={value === minLevel}>{label}</option>
        ))}
      </select>
      <select name="task" aria-label="Task run" data-autosubmit>
        <option value="">All lines</option>
        {taskRunId !== null && !tasks.some((t) => t.id === taskRunId) && (
          <option value={taskRunId} selected>{taskRunId}</option>
        )}
        {tasks.map((task) => (
          <option key={task.id} value={task.id} selected={task.id === taskRunId}>
            {task.label}
          </option>
        ))}
      </select>
      <input
        type="search"
        name="q"
        value={q}
        placeholder="Search messages"
        aria-label="Search logs"
      />
      <button type="submit">Filter</button>
    </form>
  );
}
