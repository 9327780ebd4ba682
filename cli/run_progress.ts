/**
 * The live progress of `ironflow run` on a terminal: what the run's task runs
 * did, folded from the calls the run makes on its control plane, and the
 * status line drawn from it. {@linkcode foldProgress} and
 * {@linkcode progressLine} are pure (time is an input), so a sequence of
 * events gives the same lines in a test as on a terminal.
 *
 * @example A task run that failed once, then completed
 * ```ts
 * import { foldProgress, newProgress, progressLine } from "./run_progress.ts";
 * let progress = newProgress(0);
 * progress = foldProgress(progress, { kind: "created", id: "t1", name: "load-0", at: 0 });
 * progress = foldProgress(progress, { kind: "state", id: "t1", state: "SCHEDULED", stateName: "AwaitingRetry", message: "boom", at: 500 });
 * progress = foldProgress(progress, { kind: "state", id: "t1", state: "COMPLETED", stateName: "Completed", message: null, at: 900 });
 * console.log(progress.tasks.size, progress.retries, progressLine(progress, 1_200));
 * ```
 *
 * @module
 */
import type { LogRecord, StateType } from "../engine/mod.ts";
import type { ControlPlane } from "../sdk/mod.ts";
import { duration } from "./format.ts";
import { levelName } from "./flow_run_view.ts";

/** Something a run did that the progress line shows. */
export type ProgressEvent =
  | { kind: "created"; id: string; name: string; at: number }
  | {
    kind: "state";
    id: string;
    state: StateType;
    stateName: string;
    message: string | null;
    at: number;
  };

/** One task run as the progress line knows it. */
export interface TaskProgress {
  name: string;
  state: StateType | undefined;
  stateName: string;
  message: string | null;
}

/** What the progress line is drawn from. */
export interface Progress {
  startedAt: number;
  /** Task runs by id, in the order they were created. */
  tasks: ReadonlyMap<string, TaskProgress>;
  /** Retries scheduled so far (transitions to AwaitingRetry). */
  retries: number;
  /** The first task run that ended FAILED or CRASHED, with its error. */
  failed: { name: string; message: string | null } | undefined;
}

/** Progress of a run started at `startedAt` (epoch ms). */
export function newProgress(startedAt: number): Progress {
  return { startedAt, tasks: new Map(), retries: 0, failed: undefined };
}

/** `progress` after `event`; events of runs that are not known task runs change nothing. */
export function foldProgress(progress: Progress, event: ProgressEvent): Progress {
  const tasks = new Map(progress.tasks);
  if (event.kind === "created") {
    tasks.set(event.id, { name: event.name, state: undefined, stateName: "", message: null });
    return { ...progress, tasks };
  }
  const task = tasks.get(event.id);
  if (!task) return progress;
  tasks.set(event.id, {
    ...task,
    state: event.state,
    stateName: event.stateName,
    message: event.message,
  });
  const retried = event.state === "SCHEDULED" && event.stateName === "AwaitingRetry";
  const failed = progress.failed ??
    (event.state === "FAILED" || event.state === "CRASHED"
      ? { name: task.name, message: event.message }
      : undefined);
  return { ...progress, tasks, retries: progress.retries + (retried ? 1 : 0), failed };
}

const ORDER: readonly StateType[] = [
  "COMPLETED",
  "RUNNING",
  "PENDING",
  "SCHEDULED",
  "PAUSED",
  "CANCELLING",
  "FAILED",
  "CRASHED",
  "CANCELLED",
];

/** The status line at `now`: task runs by state, retries, elapsed time. */
export function progressLine(progress: Progress, now: number): string {
  const counts = new Map<StateType, number>();
  for (const task of progress.tasks.values()) {
    const state = task.state ?? "PENDING";
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const states = ORDER.filter((state) => counts.has(state))
    .map((state) => `${state.toLowerCase()} ${counts.get(state)}`);
  return [
    `tasks ${progress.tasks.size}${states.length > 0 ? `: ${states.join("  ")}` : ""}`,
    ...(progress.retries > 0 ? [`retries ${progress.retries}`] : []),
    `elapsed ${duration(now - progress.startedAt)}`,
  ].join(" | ");
}

/** The line that names the task run a failed run failed in, if one did. */
export function failureLine(progress: Progress): string | undefined {
  const failed = progress.failed;
  if (!failed) return undefined;
  const message = failed.message?.replace(/^Error: /, "");
  return `Failed task: ${failed.name}${message ? `: ${message}` : ""}`;
}

/** A log line as `run --logs` prints it. */
export function logLine(record: LogRecord, taskNames: ReadonlyMap<string, TaskProgress>): string {
  const source = record.taskRunId ? taskNames.get(record.taskRunId)?.name ?? "task" : "flow";
  return `${new Date(record.at).toISOString()} ${
    levelName(record.level).padEnd(8)
  } ${source}: ${record.message}`;
}

/** What {@linkcode observePlane} reports. */
export interface PlaneObserver {
  onEvent(event: ProgressEvent): void;
  onLog?(records: readonly LogRecord[]): void;
}

/**
 * `plane`, reporting the task runs it creates, the states its proposals end
 * in and the log lines it is given. Everything else passes through.
 */
export function observePlane<P extends ControlPlane>(plane: P, observer: PlaneObserver): P {
  return new Proxy(plane, {
    get(target, property, receiver) {
      if (property === "createRun") {
        return async (...args: Parameters<ControlPlane["createRun"]>) => {
          const run = await target.createRun(...args);
          if (run.kind === "task") {
            observer.onEvent({ kind: "created", id: run.id, name: run.runName, at: Date.now() });
            observer.onEvent({
              kind: "state",
              id: run.id,
              state: run.state,
              stateName: run.stateName,
              message: run.message,
              at: Date.now(),
            });
          }
          return run;
        };
      }
      if (property === "propose") {
        return async (...args: Parameters<ControlPlane["propose"]>) => {
          const answer = await target.propose(...args);
          const data = args[1].data as { error?: { message?: unknown } } | undefined;
          const message = answer.message ??
            (typeof data?.error?.message === "string" ? data.error.message : null);
          observer.onEvent({
            kind: "state",
            id: args[0],
            state: answer.state,
            stateName: answer.stateName,
            message,
            at: Date.now(),
          });
          return answer;
        };
      }
      if (property === "log" && observer.onLog) {
        return (records: readonly LogRecord[]) => {
          observer.onLog!(records);
          target.log(records);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Options of {@linkcode startLiveStatus}. */
export interface LiveStatusOptions {
  /** Writes raw text to the terminal. */
  write(text: string): void;
  /** @default Date.now */
  now?: () => number;
  /** Time between redraws. @default 100 */
  intervalMs?: number;
}

/** The status line of a run on a terminal, redrawn in place. */
export interface LiveStatus extends PlaneObserver {
  /** Prints `text` above the status line. */
  print(text: string): void;
  /** The progress so far. */
  readonly progress: Progress;
  /** Draws the last line and leaves it on the terminal. */
  stop(): void;
}

/** Starts redrawing the status line; `stop()` ends it. */
export function startLiveStatus(options: LiveStatusOptions): LiveStatus {
  const now = options.now ?? Date.now;
  let progress = newProgress(now());
  let shown = "";
  let stopped = false;
  const draw = () => {
    const line = progressLine(progress, now());
    if (line === shown) return;
    shown = line;
    options.write(`\r\x1b[2K${line}`);
  };
  const timer = setInterval(draw, options.intervalMs ?? 100);
  return {
    get progress() {
      return progress;
    },
    onEvent(event) {
      progress = foldProgress(progress, event);
    },
    print(text) {
      options.write(`\r\x1b[2K${text}\n`);
      shown = "";
      if (!stopped) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
      options.write("\n");
    },
  };
}
