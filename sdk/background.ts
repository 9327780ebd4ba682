/**
 * Background tasks, as Prefect 3's `task.delay()`: a call becomes a task run
 * of its own, SCHEDULED until a task worker (`serveTasks()`, `ironflow task
 * serve`) claims and runs it. The caller gets a future of its result at once,
 * from any script or HTTP handler; no flow is needed.
 *
 * @module
 */
import {
  BACKGROUND_TASK_KEY,
  isTerminal,
  type Json,
  type RunRecord,
  StateType,
} from "../engine/mod.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { TaskFuture, type TaskOutcome } from "./future.ts";
import type { State } from "./state.ts";
import { assertJsonSafe, decodeResult, storedResultOf } from "./results.ts";
import type { TaskSpec } from "./run_specs.ts";
import { friendlyRunName } from "./run_names.ts";
import { withScopeTags } from "./tags.ts";
import { uuidv7 } from "../engine/mod.ts";

export { BACKGROUND_TASK_KEY };

/**
 * Enqueues one call of `spec` as a SCHEDULED background task run and returns
 * its future at once (a future is a thenable: returning it from a promise
 * would wait for the result). `enqueued` resolves once the run exists.
 */
export function delayTask<T>(
  spec: TaskSpec,
  args: readonly unknown[],
  plane: ControlPlane = getControlPlane(),
): BackgroundFuture<T> {
  const parameters = jsonArguments(spec.name, args);
  const id = uuidv7();
  const created = plane.createRun({
    id,
    kind: "task",
    name: spec.name,
    runName: `${spec.name}-${friendlyRunName(id)}`,
    state: StateType.SCHEDULED,
    taskKey: BACKGROUND_TASK_KEY,
    tags: withScopeTags(spec.options.tags ?? []),
    parameters,
  });
  const future: BackgroundFuture<T> = new BackgroundFuture<T>(
    spec.name,
    created.then((run) => {
      future._setRunId(run.id);
      future._setState({ type: run.state, name: run.stateName, message: null });
      return run.id;
    }),
    () => void created.then((run) => followRun(plane, run, future), () => {}),
  );
  created.catch((error) =>
    future._settle({
      state: { type: StateType.CRASHED, name: "Crashed", message: String(error) },
      error: error as Error,
    })
  );
  return future;
}

/**
 * The future of a background task run. It follows the run only once asked
 * (`await`, `result()`, `wait()`), so a script that enqueues and exits is not
 * held open by the watch.
 */
export class BackgroundFuture<T> extends TaskFuture<T> {
  /** Resolves with the run's id once the run is recorded (SCHEDULED). */
  readonly enqueued: Promise<string>;
  #follow: (() => void) | undefined;
  /** @internal Made by `task.delay()`. */
  constructor(taskName: string, enqueued: Promise<string>, follow: () => void) {
    super(taskName, null, false);
    this.enqueued = enqueued;
    // Checked by whoever awaits it; an unawaited failure settles the future CRASHED.
    enqueued.catch(() => {});
    this.#follow = follow;
  }
  #start(): void {
    const follow = this.#follow;
    this.#follow = undefined;
    follow?.();
  }
  override wait(): Promise<State<T>> {
    this.#start();
    return super.wait();
  }
  override result(): Promise<T> {
    this.#start();
    return super.result();
  }
  override _outcome(): Promise<TaskOutcome<T>> {
    this.#start();
    return super._outcome();
  }
}

/** The arguments as JSON: a worker in another process reads them back from the run. */
function jsonArguments(name: string, args: readonly unknown[]): Json {
  try {
    assertJsonSafe([...args], "arguments");
  } catch (error) {
    throw new TypeError(
      `Cannot delay task "${name}": its arguments must be JSON values (${
        (error as Error).message
      })`,
    );
  }
  return [...args] as Json;
}

/** Settles `future` once the run ends, with its stored result or its error. */
function followRun<T>(plane: ControlPlane, run: RunRecord, future: TaskFuture<T>): void {
  let settled = false;
  const settle = async (state: StateType, stateName: string, data: Json | null) => {
    if (settled || !isTerminal(state)) return;
    settled = true;
    stop();
    const record = data !== null && typeof data === "object" && !Array.isArray(data) ? data : {};
    const message = typeof record["message"] === "string" ? record["message"] : null;
    const runState = { type: state, name: stateName, message };
    if (state !== StateType.COMPLETED) {
      future._settle({ state: runState, error: new Error(message ?? `Task run ended ${state}`) });
      return;
    }
    try {
      const stored = storedResultOf(record);
      const value = stored ? await decodeResult(stored, plane.results) : undefined;
      future._settle({ state: runState, value: value as T });
    } catch (error) {
      future._settle({ state: runState, error: error as Error });
    }
  };
  const stop = plane.watch(run.id, (event) => {
    future._setState({ type: event.to, name: event.stateName, message: null });
    void settle(event.to, event.stateName, event.data);
  });
  // It may have ended before the watch began.
  void plane.getRun(run.id).then(async (current) => {
    if (!current || !isTerminal(current.state) || settled) return;
    const history = await plane.lineageHistory(current.lineageId);
    const completed = history.completions.find((c) => c.run.id === run.id)?.event.data ?? null;
    void settle(current.state, current.stateName, completed ?? { message: current.message });
  });
}
