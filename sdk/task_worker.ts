/**
 * Task workers, as Prefect 3's `serve(*tasks)` / `prefect task serve`: a
 * long-running loop that claims SCHEDULED background task runs of the tasks
 * it serves (made by `task.delay()`) and runs them with the task engine —
 * retries, timeouts, hooks, caching — up to `limit` at once, persisting each
 * result so the caller's future can read it. A claim is a proposal
 * SCHEDULED → PENDING at the version the worker saw: of several workers only
 * one wins.
 *
 * @module
 */
import { type RunRecord, StateType, systemClock, uuidv7 } from "../engine/mod.ts";
import { ClaimWait } from "./_claim_wake.ts";
import { type ControlPlane, getControlPlane, type LocalControlPlane } from "./control_plane.ts";
import { TaskFuture } from "./future.ts";
import { checkOptionNames } from "./option_names.ts";
import { runStandaloneTask } from "./standalone_task.ts";
import type { Task } from "./task.ts";

/** Options of {@linkcode serveTasks}. */
export interface ServeTasksOptions {
  /** @default the default control plane */
  plane?: ControlPlane;
  /** Task runs executing at once. @default 10 */
  limit?: number;
  /** Wait between looks when nothing is due (a local plane also wakes on commits). @default 1_000 */
  pollMs?: number;
  signal?: AbortSignal;
  /** @default nothing */
  log?: (line: string) => void;
}

/** A running task worker. */
export interface TaskWorkerHandle {
  /** Resolves when the worker stopped and its runs ended. */
  readonly done: Promise<void>;
  /** Stops claiming and waits for the runs in flight. */
  stop(): Promise<void>;
}

// deno-lint-ignore no-explicit-any
type AnyTask = Task<any[], unknown>;

/**
 * Serves `tasks`: claims their background runs and executes them here until stopped.
 *
 * @example
 * ```ts
 * import { serveTasks, task } from "./mod.ts";
 * const sendEmail = task({ name: "send-email" }, async (to: string) => `sent to ${to}`);
 * const worker = serveTasks([sendEmail], { limit: 5 });
 * // elsewhere: const future = await sendEmail.delay("a@example.com"); await future → "sent to ..."
 * await worker.stop();
 * ```
 */
export function serveTasks(
  tasks: readonly AnyTask[],
  options: ServeTasksOptions = {},
): TaskWorkerHandle {
  checkOptionNames("serveTasks()", options, ["plane", "limit", "pollMs", "signal", "log"]);
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw new TypeError("serveTasks() needs a list of at least one task");
  }
  const byName = new Map<string, AnyTask>();
  for (const served of tasks) {
    if (typeof served !== "function" || typeof served.taskName !== "string") {
      throw new TypeError("serveTasks() serves tasks made with task()");
    }
    byName.set(served.taskName, served);
  }
  const plane = options.plane ?? getControlPlane();
  if (!plane.scheduledTaskRuns) {
    throw new TypeError("This control plane cannot list background task runs");
  }
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`limit must be a whole number of 1 or more, got ${limit}`);
  }
  const pollMs = options.pollMs ?? 1_000;
  const log = options.log ?? (() => {});
  const workerId = `task-worker-${uuidv7(systemClock.now())}`;
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const idle = new ClaimWait();
  const engine = "engine" in plane ? (plane as LocalControlPlane).engine : undefined;
  // A background task run created here (SCHEDULED) or one ending (a slot freed) wakes the loop.
  const unsubscribe = engine?.subscribe((event) => {
    if (event.runKind === "task" && (event.from === null || event.to !== "RUNNING")) idle.notify();
  });
  const active = new Set<Promise<void>>();

  async function claim(run: RunRecord): Promise<RunRecord | undefined> {
    const answer = await plane.propose(run.id, {
      to: StateType.PENDING,
      token: `${run.id}:claim:${workerId}`,
      expectedVersion: run.version,
      kind: "task_worker_claim",
      data: { worker: workerId },
    });
    if (answer.status !== "accepted") return undefined;
    return { ...run, state: answer.state, stateName: answer.stateName, version: answer.version };
  }

  async function execute(run: RunRecord): Promise<void> {
    const served = byName.get(run.name)!;
    const args = Array.isArray(run.parameters) ? run.parameters : [];
    const future = new TaskFuture<unknown>(run.name, null, false);
    const spec = {
      name: served.taskName,
      fn: served.fn,
      options: served.options,
      moduleUrl: undefined,
    };
    await runStandaloneTask(spec, args, future, plane, undefined, run);
    const state = await future.wait();
    log(`task run ${run.id} of "${run.name}" ended ${state.type}`);
  }

  const done = (async () => {
    while (!controller.signal.aborted) {
      idle.claiming();
      let claimed = 0;
      const room = limit - active.size;
      if (room > 0) {
        try {
          for (const due of await plane.scheduledTaskRuns!([...byName.keys()], room)) {
            const run = await claim(due);
            if (!run) continue;
            claimed++;
            const running: Promise<void> = execute(run).catch((error) =>
              log(`task run ${run.id} could not run: ${String(error)}`)
            ).finally(() => {
              active.delete(running);
              idle.notify();
            });
            active.add(running);
          }
        } catch (error) {
          log(`claim failed: ${String(error)}`);
        }
      }
      if (active.size >= limit) await Promise.race(active);
      else if (claimed === 0) await idle.wait(pollMs, controller.signal);
    }
    unsubscribe?.();
    await Promise.allSettled([...active]);
    await plane.flush();
  })();

  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}
