/**
 * `ironflow task serve <module>...`: a task worker (Prefect's `prefect task
 * serve`) for the tasks the modules export. It claims their background runs
 * (`task.delay()`) and executes them in this process until Ctrl-C.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createRemoteControlPlane, serveTasks, type Task } from "../sdk/mod.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { moduleUrlOf } from "../sdk/_flow_module.ts";
import { rerunInProject } from "./project_config.ts";

export const TASK_HELP = `Usage: ironflow task serve <module>... [--limit 10] [--task NAME]...

Runs a task worker for the tasks the modules export: it claims their
background task runs (made with task.delay()) and executes them here, with
their retries and timeouts, up to --limit at once. --task serves only the
named tasks. Claims from the server of --api-url or IRONFLOW_API_URL when
set, else from the embedded store (IRONFLOW_HOME); stops on Ctrl-C / SIGTERM
after the runs in flight.`;

// deno-lint-ignore no-explicit-any
type AnyTask = Task<any[], unknown>;

function isTask(value: unknown): value is AnyTask {
  return typeof value === "function" &&
    typeof (value as { taskName?: unknown }).taskName === "string" &&
    typeof (value as { delay?: unknown }).delay === "function";
}

/** Runs `ironflow task ...`. */
export async function taskCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      limit: { type: "string", default: "10" },
      task: { type: "string", multiple: true },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (sub !== "serve" || values.help) {
    if (sub !== undefined && sub !== "serve" && sub !== "help" && !values.help) {
      throw new UsageError(`Unknown task command "${sub}".\n\n${TASK_HELP}`);
    }
    cli.out(TASK_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`Give at least one module.\n\n${TASK_HELP}`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`--limit must be a whole number of 1 or more, got "${values.limit}"`);
  }
  const urls = positionals.map((module) => moduleUrlOf(module, cli.cwd));
  const rerun = await rerunInProject(cli, urls);
  if (rerun !== undefined) return rerun;
  const tasks: AnyTask[] = [];
  for (const [i, module] of positionals.entries()) {
    const url = urls[i]!;
    let exports: Record<string, unknown>;
    try {
      exports = await import(url);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message.split("\n")[0] : String(cause);
      throw new UsageError(`Cannot import task module "${module}": ${message}`, { cause });
    }
    tasks.push(...Object.values(exports).filter(isTask));
  }
  const wanted = values.task;
  const served = wanted ? tasks.filter((t) => wanted.includes(t.taskName)) : tasks;
  const missing = (wanted ?? []).filter((name) => !tasks.some((t) => t.taskName === name));
  if (missing.length > 0) {
    throw new UsageError(
      `No exported task named ${missing.map((n) => `"${n}"`).join(", ")}; found: ${
        tasks.map((t) => `"${t.taskName}"`).join(", ") || "none"
      }`,
    );
  }
  if (served.length === 0) throw new UsageError("The modules export no task");
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  try {
    const { apiUrl, apiKey } = cli;
    const plane = apiUrl
      ? createRemoteControlPlane({ url: apiUrl, ...(apiKey ? { apiKey } : {}) })
      : cli.openPlane();
    const worker = serveTasks(served, {
      plane,
      limit,
      signal: controller.signal,
      log: (line) => cli.out(`task worker: ${line}`),
    });
    cli.out(
      `Task worker serving ${served.map((t) => `"${t.taskName}"`).join(", ")} from ${
        apiUrl ?? "the embedded store"
      }`,
    );
    await worker.done;
    // The embedded plane is the CLI's to close; a remote one is this command's.
    if (apiUrl) await plane.close();
    cli.out("Task worker stopped");
    return 0;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  }
}
