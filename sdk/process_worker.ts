// Over 500 lines: startWorker is one closure whose claim loop, lease renewals and run processes share the worker's state.
/**
 * The process worker behind `ironflow worker start`: claims runs of a work
 * pool with a lease, heartbeats, and executes each run in a `deno run`
 * subprocess, so crashes, hard timeouts and cancellation are real. While a
 * run's process lives the worker renews its lease; a cancel request
 * (CANCELLING) or a lost lease terminates the process (SIGTERM, then SIGKILL
 * after a grace period); a process that exits without a final state leaves
 * its run CRASHED, and the flow's `onCrashed` hooks then run in a short
 * process of their own. Its stdout and stderr become the run's logs. A run's
 * process exits as soon as its worker is gone (it watches its parent), so a
 * killed worker leaves nothing running behind it.
 *
 * @module
 */
import { LogLevel, type RunRecord, StateName, StateType, systemClock } from "../engine/mod.ts";
import { isTerminal, uuidv7 } from "../engine/mod.ts";
import { ClaimWait, type ClaimWakeSource } from "./_claim_wake.ts";
import { WarmExecutors } from "./_warm_executors.ts";
import type { ControlPlane } from "./control_plane.ts";
import { readEnv } from "./env.ts";
import { abortableSleep } from "./sleep.ts";
import type { DeploymentClient, WorkItem } from "./deployment_client.ts";
import { proposalFor } from "./run_mirror.ts";
import { ownPlanCache } from "./_plan_cache_dir.ts";
import {
  choosesConfig,
  CONFIG_VARIABLE,
  moduleUrlOf,
  projectConfigOf,
  splitEntrypoint,
} from "./_flow_module.ts";

/** How the worker starts a run's process. */
export interface ProcessCommand {
  /** The `deno` executable. */
  deno: string;
  /** The IronFlow module that has the `execute-run` command (`main.ts` or the bundle). */
  main: string;
  /** Extra `deno run` flags before the permissions (e.g. `--config`). */
  flags?: string[];
}

export { type ClaimWakeSource, engineClaimWake, sharedStoreClaimWake } from "./_claim_wake.ts";

/** Options of {@linkcode startWorker}. */
export interface WorkerOptions {
  client: DeploymentClient;
  /** Where run logs and final states are reported. */
  plane: ControlPlane;
  /** @default "default" */
  pool?: string;
  /** Claim only from these queues of the pool (`worker start --queue`). @default all of them */
  queues?: readonly string[];
  /** Most runs executing at once. @default 4 */
  limit?: number;
  /** @default a new UUID */
  workerId?: string;
  /** @default the worker id */
  name?: string;
  /** Lease length of claims. @default 30 */
  leaseSeconds?: number;
  /** Wait between claims when the queue is empty. @default 2_000 */
  pollMs?: number;
  /** Long-poll of the claim request (remote clients). @default 0 */
  waitMs?: number;
  /**
   * News that a run may have become claimable (e.g. {@linkcode engineClaimWake}
   * for a worker beside the engine): the worker then claims at once instead of
   * after `pollMs`.
   */
  wake?: ClaimWakeSource;
  /**
   * Run processes started ahead, with IronFlow loaded, each waiting to take
   * the next claimed run started the same way (command, working directory,
   * environment); each still executes one run. `0` starts a run's process
   * when it is claimed. @default the smaller of `limit` and 2
   */
  warmProcesses?: number;
  /**
   * Where run processes keep the plans of the flow modules they run, so that
   * only the first run of a source plans it (`IRONFLOW_PLAN_CACHE`). @default
   * a temporary directory of the worker, removed when it stops, or by the next
   * worker on the machine when this one was killed
   */
  planCacheDir?: string;
  /** Heartbeat period. @default 15_000 */
  heartbeatMs?: number;
  /** After SIGTERM, SIGKILL follows this much later. @default 10_000 */
  killGraceMs?: number;
  /** Longest wait for the crash hooks of a crashed run (then their process is killed). @default 30_000 */
  hooksTimeoutMs?: number;
  /** How to start a run's process. @default {@linkcode defaultProcessCommand} */
  command?: ProcessCommand;
  /** Environment given to every run's process (besides the run id and API URL). */
  env?: Record<string, string>;
  /** Sent to run processes as `IRONFLOW_API_URL` (remote mode). */
  apiUrl?: string;
  /** Sent to run processes as `IRONFLOW_HOME` (local mode). */
  home?: string;
  /** Where runs without a working directory start. @default Deno.cwd() */
  cwd?: string;
  /** Stop after this many runs finished (tests, one-shot workers). */
  maxRuns?: number;
  /** Stop once the queue is empty and no run is executing. @default false */
  exitWhenIdle?: boolean;
  signal?: AbortSignal;
  /** Where the worker reports what it does. @default nothing */
  log?: (line: string) => void;
}

/** What a worker did. */
export interface WorkerSummary {
  workerId: string;
  /** Final state of each run it executed, by run id. */
  runs: Record<string, string>;
}

/** A started worker. */
export interface WorkerHandle {
  readonly workerId: string;
  /** Resolves when the worker stopped (its runs finished or were terminated). */
  readonly done: Promise<WorkerSummary>;
  /** Stops claiming, terminates running processes, resolves when done. */
  stop(): Promise<WorkerSummary>;
}

/**
 * The `deno` to run flows with: `IRONFLOW_DENO`, else this process's
 * executable when it is Deno, else `deno` on the PATH; and the IronFlow main
 * module: `IRONFLOW_MAIN`, else this process's main module.
 */
export function defaultProcessCommand(): ProcessCommand {
  const exec = Deno.execPath();
  const isDeno = /(^|[\\/])deno(\.exe)?$/.test(exec);
  const deno = readEnv("IRONFLOW_DENO") ?? (isDeno ? exec : "deno");
  const main = readEnv("IRONFLOW_MAIN") ?? Deno.mainModule;
  return { deno, main };
}

/** `deno run` permission flags of a run's process. */
function permissionFlags(
  declared: readonly string[] | null,
  cwd: string,
  home: string | undefined,
  planCache: string | undefined,
): string[] {
  if (declared !== null) return [...declared];
  const writable = [cwd, ...(home ? [home] : []), ...(planCache ? [planCache] : [])].join(",");
  return ["--allow-net", "--allow-env", "--allow-read", `--allow-write=${writable}`, "--allow-sys"];
}

// The worker's own waits end at once when it stops.
/** Names the run in its process's environment. */
const RUN_ID_VARIABLE = "IRONFLOW_RUN_ID";

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  abortableSleep(ms, signal).then(() => {});

/** Starts a worker; it runs until stopped, `maxRuns` or idle (with `exitWhenIdle`). */
export function startWorker(options: WorkerOptions): WorkerHandle {
  const workerId = options.workerId ?? uuidv7(systemClock.now());
  const pool = options.pool ?? "default";
  const limit = options.limit ?? 4;
  const executors = new WarmExecutors({ spares: options.warmProcesses ?? Math.min(limit, 2) });
  // Without a directory of its own (none could be made) a worker still runs flows: each run plans.
  const ownedPlanCache = options.planCacheDir === undefined ? ownPlanCache() : undefined;
  const planCache = options.planCacheDir ?? ownedPlanCache?.dir;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const stopping = controller.signal;
  const log = options.log ?? (() => {});
  if (planCache) log(`plan cache ${planCache}`);
  const summary: WorkerSummary = { workerId, runs: {} };
  const active = new Map<string, Promise<void>>();
  let finished = 0;
  const idle = new ClaimWait();
  const unsubscribeWake = options.wake?.(idle.notify);

  const heartbeats = (async () => {
    while (!stopping.aborted) {
      try {
        await options.client.heartbeat(workerId, pool, options.name);
      } catch (error) {
        log(`heartbeat failed: ${String(error)}`);
      }
      await sleep(options.heartbeatMs ?? 15_000, stopping);
    }
  })();

  const done = (async () => {
    while (!stopping.aborted) {
      if (options.maxRuns !== undefined && finished + active.size >= options.maxRuns) {
        if (active.size === 0) break;
        await Promise.race(active.values());
        continue;
      }
      const room = Math.min(
        limit - active.size,
        options.maxRuns === undefined ? Infinity : options.maxRuns - finished - active.size,
      );
      if (room <= 0) {
        await Promise.race(active.values());
        continue;
      }
      let items: WorkItem[] = [];
      idle.claiming();
      try {
        items = await options.client.claim(pool, {
          workerId,
          ...(options.name ? { workerName: options.name } : {}),
          limit: room,
          leaseSeconds,
          ...(options.waitMs ? { waitMs: options.waitMs } : {}),
          ...(options.queues?.length ? { queues: options.queues } : {}),
        });
      } catch (error) {
        log(`claim failed: ${String(error)}`);
      }
      for (const item of items) {
        log(`claimed run ${item.run.id} of deployment "${item.deployment.name}"`);
        const execution = execute(item).catch((error) =>
          log(`run ${item.run.id} failed in the worker: ${String(error)}`)
        ).finally(() => {
          active.delete(item.run.id);
          finished += 1;
          idle.notify();
        });
        active.set(item.run.id, execution);
      }
      if (items.length === 0) {
        if (options.exitWhenIdle && active.size === 0) break;
        await idle.wait(options.pollMs ?? 2_000, stopping);
      }
    }
    unsubscribeWake?.();
    controller.abort();
    await executors.close();
    await Promise.allSettled(active.values());
    await heartbeats;
    await options.plane.flush();
    await ownedPlanCache?.release();
    return summary;
  })();

  async function execute(item: WorkItem): Promise<void> {
    const { run, claim } = item;
    const deployment = withJobVariables(item);
    const cwd = deployment.workingDirectory ?? options.cwd ?? Deno.cwd();
    const command = withPrefix(options.command ?? defaultProcessCommand(), item);
    const config = projectConfig(command, deployment, cwd);
    const { [RUN_ID_VARIABLE]: _, ...env } = runEnv(deployment, run.id, config);
    const spec = {
      deno: command.deno,
      args: [...command.prefixArgs, ...processArgs(command, deployment, cwd, config)],
      cwd,
      env,
    };
    let child: Deno.ChildProcess;
    try {
      child = executors.start(spec, { runId: run.id, entrypoint: deployment.entrypoint });
    } catch (error) {
      const message = !(error instanceof Deno.errors.NotFound)
        ? `Cannot start flow run process: ${String(error)}`
        : command.prefixArgs.length > 0
        ? `Cannot start flow run: command "${command.deno}" of job variable command_prefix not found`
        : `Cannot start flow run: Deno executable "${command.deno}" not found; set IRONFLOW_DENO`;
      await finish(run, StateType.CRASHED, StateName.Crashed, message);
      await options.client.release(claim).catch(() => {});
      return;
    }
    // Processes for the next runs start once this one runs (or ends), not beside its start.
    let refilled = false;
    const refill = () => {
      if (refilled) return;
      refilled = true;
      stopWatching();
      executors.refill(spec);
    };
    const stopWatching = options.plane.watch(run.id, (event) => {
      if (event.to !== StateType.PENDING) refill();
    });
    const tail: string[] = [];
    const pumps = [
      pump(child.stdout, run.id, LogLevel.INFO, "ironflow.worker.stdout", options.plane, tail),
      pump(child.stderr, run.id, LogLevel.ERROR, "ironflow.worker.stderr", options.plane, tail),
    ];
    let reason: "cancelled" | "timeout" | "lost" | "stopped" | undefined;
    let killed = false;
    const terminate = async (why: typeof reason) => {
      if (killed) return;
      killed = true;
      reason = why;
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const exited = child.status.then(() => true);
      const graceOver = new Promise<boolean>((resolve) => {
        const id = setTimeout(() => resolve(false), options.killGraceMs ?? 10_000);
        exited.then(() => clearTimeout(id));
      });
      if (!await Promise.race([exited, graceOver])) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
    };
    const watch = new AbortController();
    const renewals = (async () => {
      const period = Math.max(200, Math.min(leaseSeconds * 1000 / 3, 10_000));
      // A CANCELLING run's process hears of it and ends the run CANCELLED itself:
      // it is killed only when still CANCELLING one renewal later, so the run's
      // history does not depend on which of the two noticed first.
      let cancellingSeen = false;
      while (!watch.signal.aborted) {
        await sleep(period, watch.signal);
        if (watch.signal.aborted) return;
        try {
          const renewed = await options.client.renew(claim, leaseSeconds);
          if (!renewed.held) await terminate("lost");
          else if (renewed.state === StateType.CANCELLED) await terminate("cancelled");
          else if (renewed.state === StateType.CANCELLING) {
            if (cancellingSeen) await terminate("cancelled");
            cancellingSeen = true;
          }
        } catch (error) {
          log(`lease renewal of run ${run.id} failed: ${String(error)}`);
        }
      }
    })();
    const onStop = () => void terminate("stopped");
    stopping.addEventListener("abort", onStop, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (deployment.timeoutSeconds !== null) {
      timer = setTimeout(() => void terminate("timeout"), deployment.timeoutSeconds * 1000);
    }
    const status = await child.status;
    refill();
    clearTimeout(timer);
    stopping.removeEventListener("abort", onStop);
    watch.abort();
    await renewals;
    await Promise.all(pumps);
    await options.plane.flush();
    const after = await options.plane.getRun(run.id);
    // Paused with terminate: its process stops on purpose, and a resume queues the run again.
    const suspended = after?.state === StateType.PAUSED &&
      after.stateName === StateName.Suspended;
    if (after && !isTerminal(after.state) && !suspended && reason !== "lost") {
      const exit = status.signal ? `signal ${status.signal}` : `exit code ${status.code}`;
      const last = tail.slice(-5).join("\n");
      if (reason === "timeout") {
        await finish(
          after,
          StateType.FAILED,
          StateName.TimedOut,
          `Flow run timed out after ${deployment.timeoutSeconds} s; its process was terminated`,
        );
      } else if (reason === "cancelled" || after.state === StateType.CANCELLING) {
        await finish(
          after,
          StateType.CANCELLED,
          StateName.Cancelled,
          "Cancelled: the worker terminated the flow run's process",
        );
      } else {
        await finish(
          after,
          StateType.CRASHED,
          StateName.Crashed,
          `Flow run process ended (${exit}) without a final state${last ? `:\n${last}` : ""}`,
        );
        await runCrashedHooks(item, cwd, after.state);
      }
    }
    const final = await options.plane.getRun(run.id);
    summary.runs[run.id] = final?.state ?? "UNKNOWN";
    log(`run ${run.id} ended ${final?.state ?? "?"} (${status.signal ?? status.code})`);
    if (reason !== "lost") await options.client.release(claim).catch(() => {});
  }

  // `deno run ... execute-run`: a run's command line up to what names the run.
  // The flow project's configuration, which its process loads it with (see
  // sdk/_flow_module.ts), unless the command's own flags choose one.
  function projectConfig(
    command: ProcessCommand,
    deployment: WorkItem["deployment"],
    cwd: string,
  ): string | undefined {
    if (choosesConfig([...(command.flags ?? []), ...(deployment.permissions ?? [])])) {
      return undefined;
    }
    return projectConfigOf(moduleUrlOf(splitEntrypoint(deployment.entrypoint).module, cwd));
  }

  function processArgs(
    command: ProcessCommand,
    deployment: WorkItem["deployment"],
    cwd: string,
    config: string | undefined,
  ): string[] {
    return [
      "run",
      ...(command.flags ?? []),
      ...permissionFlags(deployment.permissions, cwd, options.home, planCache),
      ...(config ? ["--config", config] : []),
      "--no-prompt",
      command.main,
      "execute-run",
    ];
  }

  function runArgs(
    command: ProcessCommand,
    deployment: WorkItem["deployment"],
    cwd: string,
    config: string | undefined,
    runId: string,
  ): string[] {
    return [
      ...processArgs(command, deployment, cwd, config),
      runId,
      "--entrypoint",
      deployment.entrypoint,
    ];
  }

  function runEnv(
    deployment: WorkItem["deployment"],
    runId: string,
    config: string | undefined,
  ): Record<string, string> {
    const env: Record<string, string> = {
      // Deno reads every module a dynamic import() names when a process
      // starts, run or not; IronFlow's CLI names its server and dashboard that
      // way. A run's process loads them only if it imports them (Deno 2.x;
      // versions that do not know the variable ignore it).
      DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS: "1",
      ...options.env,
      ...deployment.env,
      [RUN_ID_VARIABLE]: runId,
      // The run's process exits as soon as this worker is gone.
      IRONFLOW_WORKER_PID: String(Deno.pid),
      // Its stdout becomes the run's logs: logPrints lines are stored once, by the SDK.
      IRONFLOW_STDOUT_LOGGED: "1",
      NO_COLOR: "1",
    };
    if (config) env[CONFIG_VARIABLE] = config;
    if (options.apiUrl) env["IRONFLOW_API_URL"] = options.apiUrl;
    if (options.home) env["IRONFLOW_HOME"] = options.home;
    if (planCache) env["IRONFLOW_PLAN_CACHE"] = planCache;
    return env;
  }

  // The flow's crash hooks run where its code can be imported: a short process
  // like the run's, since the run's own process is gone.
  async function runCrashedHooks(item: WorkItem, cwd: string, from: string): Promise<void> {
    const { run } = item;
    const deployment = withJobVariables(item);
    const command = withPrefix(options.command ?? defaultProcessCommand(), item);
    const config = projectConfig(command, deployment, cwd);
    const args = [
      ...command.prefixArgs,
      ...runArgs(command, deployment, cwd, config, run.id),
      "--hooks",
      "crashed",
      "--from",
      from,
    ];
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command.deno, {
        args,
        cwd,
        env: runEnv(deployment, run.id, config),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      log(`crash hooks of run ${run.id} did not start: ${String(error)}`);
      return;
    }
    const pumps = [
      pump(child.stdout, run.id, LogLevel.INFO, "ironflow.worker.hooks", options.plane, []),
      pump(child.stderr, run.id, LogLevel.ERROR, "ironflow.worker.hooks", options.plane, []),
    ];
    const id = setTimeout(() => {
      log(`crash hooks of run ${run.id} took too long: killed`);
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, options.hooksTimeoutMs ?? 30_000);
    const status = await child.status;
    clearTimeout(id);
    await Promise.all(pumps);
    await options.plane.flush();
    if (!status.success) log(`crash hooks of run ${run.id} exited with ${status.code}`);
  }

  async function finish(run: RunRecord, to: StateType, name: string, message: string) {
    const kind = to === StateType.CRASHED
      ? "crash"
      : to === StateType.CANCELLED
      ? "cancel"
      : "fail";
    await options.plane.propose(
      run.id,
      proposalFor(run.id, run.version, to, { kind, name, data: { message } }),
    );
    await options.plane.flush();
  }

  return {
    workerId,
    done,
    stop() {
      controller.abort();
      return done;
    },
  };
}

async function pump(
  stream: ReadableStream<Uint8Array>,
  flowRunId: string,
  level: number,
  name: string,
  plane: ControlPlane,
  tail: string[],
): Promise<void> {
  let buffer = "";
  const emit = (line: string) => {
    if (line.trim() === "") return;
    tail.push(line);
    if (tail.length > 20) tail.shift();
    plane.log([{ flowRunId, taskRunId: null, level, message: line, at: plane.timer.now(), name }]);
  };
  try {
    const decoder = new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
    for await (const chunk of stream.pipeThrough(decoder)) {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf("\n")) >= 0) {
        emit(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
      }
    }
  } catch { /* the process went away */ }
  emit(buffer);
}

/**
 * The deployment as its run's process sees it once job variables are
 * merged (pool base → deployment → run): their env and working directory.
 */
function withJobVariables(item: WorkItem): WorkItem["deployment"] {
  const vars = item.jobVariables;
  if (!vars) return item.deployment;
  return {
    ...item.deployment,
    env: vars.env,
    workingDirectory: vars.working_directory,
  };
}

/**
 * The command of a run's process with the job variable `command_prefix`:
 * the prefix's first word is executed, with the rest of it and the `deno`
 * command line as its arguments.
 */
function withPrefix(
  command: ProcessCommand,
  item: WorkItem,
): ProcessCommand & { prefixArgs: string[] } {
  const prefix = item.jobVariables?.command_prefix ?? item.deployment.commandPrefix ?? [];
  if (prefix.length === 0) return { ...command, prefixArgs: [] };
  return { ...command, deno: prefix[0]!, prefixArgs: [...prefix.slice(1), command.deno] };
}
