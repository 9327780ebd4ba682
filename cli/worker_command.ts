/**
 * `ironflow worker start` (claim and execute deployment runs in
 * subprocesses) and `ironflow execute-run` (what such a subprocess runs).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { executeRun, exitWithParent, runCrashedHooks } from "../sdk/execute_run.ts";
import { sharedStoreClaimWake, startWorker } from "../sdk/process_worker.ts";
import type { ExecutorAssignment } from "../sdk/_warm_executors.ts";
import { warmUp } from "../sdk/graph_contract.ts";
import type { StateType } from "../engine/mod.ts";
import { getControlPlane, readEnv } from "../sdk/control_plane.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { openDeploymentTarget } from "./deployment_target.ts";

export const WORKER_HELP =
  `Usage: ironflow worker start [--pool default] [--queue NAME]... [--limit 4] [--name NAME]
                             [--lease 30] [--max-runs N] [--exit-when-idle]

Claims runs of the work pool (of its queues in priority order; only of the
queues named by --queue when given) and executes each in a "deno run" subprocess
(Deno: IRONFLOW_DENO, else this executable when it is Deno, else "deno" on
PATH). Heartbeats every 15 s, renews leases while runs are alive, terminates
a run's process on cancel, marks it CRASHED when it dies without a final
state. Talks to IRONFLOW_API_URL when set, else to the embedded store.
Stops on Ctrl-C / SIGTERM after terminating its runs.`;

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a whole number of 1 or more, got "${value}"`);
  }
  return n;
}

/** Runs `ironflow worker ...`. */
export async function workerCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      pool: { type: "string", default: "default" },
      queue: { type: "string", multiple: true, default: [] },
      limit: { type: "string", default: "4" },
      name: { type: "string" },
      lease: { type: "string", default: "30" },
      "max-runs": { type: "string" },
      "exit-when-idle": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (sub !== "start" || values.help) {
    if (sub !== undefined && sub !== "start" && sub !== "help" && !values.help) {
      throw new UsageError(`Unknown worker command "${sub}".\n\n${WORKER_HELP}`);
    }
    cli.out(WORKER_HELP);
    return 0;
  }
  const lease = positiveInt(values.lease, "--lease")!;
  if (lease > 3600) throw new UsageError(`--lease must be at most 3600 seconds, got ${lease}`);
  const maxRuns = positiveInt(values["max-runs"], "--max-runs");
  const target = openDeploymentTarget(cli);
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  try {
    const worker = startWorker({
      client: target.client,
      plane: target.plane,
      pool: values.pool,
      ...(values.queue.length > 0 ? { queues: values.queue } : {}),
      limit: positiveInt(values.limit, "--limit")!,
      leaseSeconds: lease,
      ...(values.name ? { name: values.name } : {}),
      ...(maxRuns !== undefined ? { maxRuns } : {}),
      exitWhenIdle: values["exit-when-idle"],
      ...(target.apiUrl ? { apiUrl: target.apiUrl, waitMs: 10_000 } : {}),
      ...(target.home ? { home: target.home } : {}),
      // A local worker claims when a commit (its own or another process's) enqueues a run.
      ...(target.engine ? { wake: sharedStoreClaimWake(target.engine) } : {}),
      cwd: cli.cwd,
      signal: controller.signal,
      log: (line) => cli.out(`worker: ${line}`),
    });
    cli.out(
      `Worker ${worker.workerId} polling work pool "${values.pool}"${
        values.queue.length > 0 ? ` (queues ${values.queue.map((q) => `"${q}"`).join(", ")})` : ""
      }`,
    );
    const summary = await worker.done;
    cli.out(`Worker stopped after ${Object.keys(summary.runs).length} run(s)`);
    return 0;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  }
}

/**
 * Runs `ironflow execute-run <run id> --entrypoint <ref>` (inside a worker's
 * subprocess), or with `--hooks crashed [--from STATE]` the flow's crash hooks
 * of a run whose process died. Started by a worker (`IRONFLOW_WORKER_PID`),
 * it exits as soon as its worker is gone.
 */
export async function executeRunCommand(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      entrypoint: { type: "string" },
      hooks: { type: "string" },
      from: { type: "string" },
      warm: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (values.warm) return await executeWarmRun(cli);
  const runId = positionals[0];
  if (!runId || !values.entrypoint) {
    throw new UsageError(
      "Usage: ironflow execute-run <run id> --entrypoint <module>:<flow> [--hooks crashed]",
    );
  }
  if (values.hooks !== undefined && values.hooks !== "crashed") {
    throw new UsageError(`--hooks must be "crashed", got "${values.hooks}"`);
  }
  if (readEnv("IRONFLOW_WORKER_PID")) exitWithParent();
  if (values.hooks === "crashed") {
    await runCrashedHooks(runId, {
      entrypoint: values.entrypoint,
      cwd: cli.cwd,
      ...(values.from ? { from: values.from as StateType } : {}),
    });
    return 0;
  }
  const outcome = await executeRun(runId, { entrypoint: values.entrypoint, cwd: cli.cwd });
  return outcome.state.type === "COMPLETED" ? 0 : 1;
}

// The first line of `stream` (up to its end when it has no newline).
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    const end = text.indexOf("\n");
    if (end >= 0) return text.slice(0, end).trim();
  }
  return text.trim();
}

// A worker's warm run process: loaded ahead, it reads its run from stdin
// (nothing, when the worker stops first) and executes it like `execute-run`.
async function executeWarmRun(cli: CliContext): Promise<number> {
  if (readEnv("IRONFLOW_WORKER_PID")) exitWithParent();
  // Loads the planner while no run is here yet; a run that is already waiting
  // starts at once (its first flow call shares the loading).
  void warmUp();
  // The control plane too (a SQLite home is opened and checked now, not when the run waits).
  const plane = getControlPlane();
  preloadProjectSdk();
  const line = await firstLine(Deno.stdin.readable);
  if (!line) return 0;
  const { runId, entrypoint } = JSON.parse(line) as ExecutorAssignment;
  Deno.env.set("IRONFLOW_RUN_ID", runId); // the run's own process: its environment names it
  const outcome = await executeRun(runId, { entrypoint, cwd: cli.cwd, plane });
  return outcome.state.type === "COMPLETED" ? 0 : 1;
}

// Under a flow project's configuration (`--config`), "ironflow" in its flows
// may name the project's own copy of the SDK, which the run would load after
// it is claimed: load it while waiting. Nothing to do when "ironflow" is this
// SDK or names nothing.
function preloadProjectSdk(): void {
  let sdk: string;
  try {
    sdk = import.meta.resolve("ironflow");
  } catch {
    return;
  }
  if (sdk === import.meta.resolve("../sdk/mod.ts")) return;
  import(sdk).catch(() => {
    // The run's own import of its flow reports what is wrong.
  });
}
