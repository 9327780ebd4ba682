/**
 * `ironflow worker start` (claim and execute deployment runs in
 * subprocesses) and `ironflow execute-run` (what such a subprocess runs).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { sharedStoreClaimWake, startWorker } from "../sdk/process_worker.ts";
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
 * Runs `ironflow execute-run` (a worker's run process; see
 * cli/run_process.ts, which `main.ts` runs without loading the CLI).
 */
export async function executeRunCommand(args: string[], cli: CliContext): Promise<number> {
  const { executeRunProcess } = await import("./run_process.ts");
  return await executeRunProcess(args, cli.cwd);
}
