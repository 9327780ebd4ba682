import type { LogRecord } from "../../engine/mod.ts";
import { formatTime, isoTime, levelName } from "../format.ts";

/** Props of {@linkcode LogList}. */
export interface LogListProps {
  logs: readonly LogRecord[];
  /** Names of task runs by id, to label lines. */
  taskNames: ReadonlyMap<string, string>;
  /** The filters in force; the client script appends live lines that pass them. */
  filter: { minLevel: number; taskRunId: string | null; q: string };
  /** Whether this is the newest page (live lines are appended only there). */
  tail: boolean;
}

/** Log lines with time, level, task and message (escaped, whitespace kept). */
export function LogList({ logs, taskNames, filter, tail }: LogListProps) {
  return (
    <ol
      class="logs"
      data-log-list
      data-min-level={filter.minLevel}
      data-task={filter.taskRunId ?? ""}
      data-q={filter.q}
      data-tail={tail ? "true" : "false"}
    >
      {logs.map((log) => {
        const level = levelName(log.level);
        return (
          <li key={log.id} data-log-id={log.id}>
            <time datetime={isoTime(log.at)}>{formatTime(log.at)}</time>
            <span class={`lvl-${level}`}>{level}</span>
            <span class="msg">
              {log.taskRunId !== null && (
                <span class="muted">{`${taskNames.get(log.taskRunId) ?? "task"} · `}</span>
              )}
              {log.message}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
