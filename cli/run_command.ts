/**
 * `ironflow run <module>[:flow]`: imports a flow module and runs the flow in
 * this process, with a live progress line of task states on a terminal.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { LogRecord } from "../engine/mod.ts";
import { type ControlPlane, createRemoteControlPlane } from "../sdk/mod.ts";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { reportWrite } from "./where.ts";
import { loadFlow, parseReference } from "./load_flow.ts";
import { parameterKinds, typedParameters } from "./parameter_types.ts";
import { moduleUrlOf } from "../sdk/_flow_module.ts";
import { rerunInProject } from "./project_config.ts";
import { isCompiledBinary, runInSubprocess, type SubprocessOutcome } from "./subprocess_run.ts";
import { lookupFlow } from "../sdk/registry.ts";
import {
  failureLine,
  foldProgress,
  logLine,
  newProgress,
  observePlane,
  type PlaneObserver,
  startLiveStatus,
} from "./run_progress.ts";

export const RUN_HELP =
  `Usage: ironflow run <module>[:flow] [--param key=value]... [--params JSON] [--logs] [--json]

Imports the module (a local path or an http(s) URL) and runs the flow in this
process. Values of --param are parsed as JSON when they can be ("4", "true",
'["a"]'), else taken as strings. --params takes a JSON object or array.

On a terminal one status line is redrawn in place (task runs by state,
retries, elapsed time) and a failed run names the task run it failed in;
when stdout is not a terminal only the outcome is printed. --logs prints the
run's log lines as they are written (to stderr with --json).

Exits 0 when the run COMPLETED, else 1.`;

/** Parses `--param k=v` pairs and `--params` into one parameters value. */
export function parseParameters(pairs: readonly string[], json: string | undefined): unknown {
  let parameters: unknown = undefined;
  if (json !== undefined) {
    try {
      parameters = JSON.parse(json);
    } catch {
      throw new UsageError(`--params is not valid JSON: ${json}`);
    }
  }
  if (pairs.length > 0) {
    if (Array.isArray(parameters)) {
      throw new UsageError("Cannot combine --param with a --params array");
    }
    const named: Record<string, unknown> = {
      ...(parameters as Record<string, unknown> | undefined),
    };
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new UsageError(`--param must look like key=value, got "${pair}"`);
      const raw = pair.slice(eq + 1);
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
      named[pair.slice(0, eq)] = value;
    }
    parameters = named;
  }
  return parameters;
}

/** Runs the command; resolves with the exit code. */
export async function runCommand(args: string[], cli: CliContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      param: { type: "string", multiple: true, default: [] },
      params: { type: "string" },
      json: { type: "boolean", default: false },
      logs: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    cli.out(RUN_HELP);
    return 0;
  }
  const reference = positionals[0];
  if (!reference) throw new UsageError(`Missing the flow to run.\n\n${RUN_HELP}`);
  const parameters = parseParameters(values.param, values.params);
  const embedded = isEmbedded(reference);
  const { module, name } = parseReference(reference);
  const moduleUrl = moduleUrlOf(module, cli.cwd);
  // A compiled binary cannot import modules it did not embed: run those in `deno`.
  if (isCompiledBinary() && !embedded) {
    const outcome = await runInSubprocess(module, moduleUrl, name, parameters, {
      ...(cli.apiUrl ? { IRONFLOW_API_URL: cli.apiUrl } : {}),
      ...(cli.apiKey ? { IRONFLOW_API_KEY: cli.apiKey } : {}),
    });
    reportWrite(cli);
    printOutcome(cli, values.json, outcome);
    return outcome.state === "COMPLETED" ? 0 : 1;
  }
  if (!embedded) {
    const rerun = await rerunInProject(cli, [moduleUrl]);
    if (rerun !== undefined) return rerun;
  }
  const loaded = await loadFlow(reference, cli.cwd);
  // --param values take the types the flow declares (schema or literal defaults).
  const typed = typedParameters(values.param, parameterKinds(loaded.flow));
  const bound = Object.keys(typed).length > 0
    ? { ...(parameters as Record<string, unknown>), ...typed }
    : parameters;
  let callArgs: unknown[];
  try {
    callArgs = await loaded.flow.bindParameters(bound);
  } catch (error) {
    throw new UsageError(describeProblem(error));
  }
  // With --api-url or IRONFLOW_API_URL the run reports to that server, like any SDK script.
  const { apiUrl, apiKey } = cli;
  const local = apiUrl ? undefined : cli.openPlane();
  const base: ControlPlane = local ??
    createRemoteControlPlane({ url: apiUrl!, ...(apiKey ? { apiKey } : {}) });
  const watching = watchRun(cli, { logs: values.logs, json: values.json });
  const plane = observePlane(base, watching);
  try {
    const outcome = await loaded.flow.runWith({ plane }, ...callArgs);
    watching.stop();
    await plane.flush();
    const run = await plane.getRun(outcome.runId);
    reportWrite(cli);
    printOutcome(cli, values.json, {
      run_id: outcome.runId,
      run_name: run?.runName ?? "",
      state: outcome.state.type,
      state_name: outcome.state.name,
      result: outcome.result ?? null,
      error: outcome.error?.message ?? null,
    });
    watching.printFailure(outcome.state.type);
    return outcome.state.type === "COMPLETED" ? 0 : 1;
  } finally {
    watching.stop();
    if (!local) await base.close();
  }
}

/**
 * What a run in this process shows while it runs: the live status line on a
 * terminal (not with --json), and the log lines with --logs.
 */
export function watchRun(
  cli: CliContext,
  options: { logs: boolean; json: boolean },
): PlaneObserver & { stop(): void; printFailure(state: string): void } {
  const encoder = new TextEncoder();
  const status = cli.isTty && !options.json
    ? startLiveStatus({ write: (text) => Deno.stdout.writeSync(encoder.encode(text)) })
    : undefined;
  // Task names for log lines when no status line keeps them.
  let progress = newProgress(0);
  const print = (line: string) =>
    status ? status.print(line) : options.json ? cli.err(line) : cli.out(line);
  return {
    onEvent(event) {
      status?.onEvent(event);
      if (!status && options.logs) progress = foldProgress(progress, event);
    },
    ...(options.logs
      ? {
        onLog(records: readonly LogRecord[]) {
          const tasks = (status?.progress ?? progress).tasks;
          for (const record of records) print(logLine(record, tasks));
        },
      }
      : {}),
    stop() {
      status?.stop();
    },
    printFailure(state) {
      // Only on a terminal: piped output stays what scripts parse.
      if (!status || state === "COMPLETED") return;
      const line = failureLine(status.progress);
      if (line) cli.err(line);
    },
  };
}

function printOutcome(
  cli: CliContext,
  json: boolean,
  outcome: SubprocessOutcome & { run_name?: string },
): void {
  if (json) {
    const { run_name: _name, ...answer } = outcome;
    cli.out(JSON.stringify(answer));
    return;
  }
  const name = outcome.run_name ? `${outcome.run_name} ` : "";
  cli.out(`Flow run ${name}(${outcome.run_id}) ${outcome.state}`);
  if (outcome.error) cli.err(`Error: ${outcome.error}`);
  else cli.out(`Result: ${JSON.stringify(outcome.result) ?? "undefined"}`);
}

function isEmbedded(reference: string): boolean {
  return /^[A-Za-z_$][\w$-]*$/.test(reference) && lookupFlow(reference) !== undefined;
}

// A schema refusal carries its problems: show them, one a line.
function describeProblem(error: unknown): string {
  const problems = (error as { problems?: unknown }).problems;
  const list = Array.isArray(problems) && problems.length > 0 ? `\n  ${problems.join("\n  ")}` : "";
  return `${(error as Error).message}${list}`;
}
