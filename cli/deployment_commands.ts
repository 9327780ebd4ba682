/**
 * `ironflow deployment ls|inspect|run|pause|resume|delete|schedule`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { isStateType, type StateType } from "../engine/mod.ts";
import { toApiDeployment, toApiRun, toScheduleSpec } from "../wire/mod.ts";
import type { Schedule } from "../engine/schedules/plan.ts";
import type { DeploymentClient } from "../sdk/deployment_client.ts";
import { type JobVariables, parseJobVariables } from "../engine/deployments/mod.ts";
import { parseParameters } from "./run_command.ts";
import { table, time, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { reportWrite } from "./where.ts";
import { openDeploymentTarget } from "./deployment_target.ts";

export const DEPLOYMENT_HELP = `Usage: ironflow deployment <command> [options]

Commands:
  ls [--json]                                  live deployments
  inspect <name|id> [--json]                   one deployment with its recent runs
  run <name|id> [--param k=v]... [--params JSON] [--idempotency-key K]
      [--job-variable KEY=VALUE]... [--json] [--watch] [--logs]
                                               create a run (a worker executes it);
                                               KEY is env, working_directory or
                                               command_prefix, VALUE JSON or text:
                                               --job-variable 'env={"MODE":"fast"}';
                                               --watch follows it to its end (--logs
                                               prints its log lines) and exits 0
                                               COMPLETED, 1 FAILED or CRASHED, 2 CANCELLED
  pause <name|id>                              no new scheduled runs
  resume <name|id>                             schedule again
  delete <name|id>                             soft delete (refused while runs are live
                                               or a schedule is active)
  schedule ls <name|id> [--json]               the deployment's schedules, with slugs
  schedule pause <name|id> <slug>              pause one schedule (its future runs are
                                               cancelled)
  schedule resume <name|id> <slug>             resume one schedule`;

/** Runs a deployment subcommand; resolves with the exit code. */
export async function deploymentCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      param: { type: "string", multiple: true, default: [] },
      params: { type: "string" },
      "idempotency-key": { type: "string" },
      "job-variable": { type: "string", multiple: true, default: [] },
      state: { type: "string", multiple: true, default: [] },
      json: { type: "boolean", default: false },
      watch: { type: "boolean", default: false },
      logs: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(DEPLOYMENT_HELP);
    return 0;
  }
  const { client } = openDeploymentTarget(cli);
  const ref = () => {
    const value = positionals[0];
    if (!value) throw new UsageError(`Missing the deployment name or id.\n\n${DEPLOYMENT_HELP}`);
    return value;
  };
  const print = (value: unknown, human: () => string) =>
    cli.out(values.json ? JSON.stringify(value, null, 2) : human());
  switch (sub) {
    case "ls": {
      const deployments = await client.list();
      print(
        deployments.map(toApiDeployment),
        () =>
          deployments.length === 0
            ? "No deployments yet. Create some with: ironflow deploy --all"
            : table(
              ["NAME", "FLOW", "POOL", "SCHEDULES", "PAUSED", "ENTRYPOINT"],
              deployments.map((d) => [
                d.name,
                d.flowName,
                d.workPool,
                `${d.schedules.filter((s) => s.active).length}/${d.schedules.length}`,
                d.paused ? "yes" : "no",
                d.entrypoint,
              ]),
            ),
      );
      return 0;
    }
    case "inspect": {
      const deployment = await client.get(ref());
      if (!deployment) throw new UsageError(`Deployment "${ref()}" does not exist`);
      const states = values.state.map((s) => s.toUpperCase());
      const bad = states.find((s) => !isStateType(s));
      if (bad) throw new UsageError(`Unknown state "${bad}"`);
      const runs = (await client.runs(deployment.id, states as StateType[])).slice(0, 20);
      print({ deployment: toApiDeployment(deployment), runs: runs.map(toApiRun) }, () =>
        [
          `${deployment.name} (${deployment.id})`,
          `  flow        ${deployment.flowName}`,
          `  entrypoint  ${deployment.entrypoint}`,
          `  work pool   ${deployment.workPool} · queue ${deployment.workQueue ?? "default"}${
            deployment.paused ? "  (paused)" : ""
          }`,
          `  parameters  ${JSON.stringify(deployment.parameters)}`,
          `  schedules   ${
            deployment.schedules.map((s) =>
              `${s.slug ? `${s.slug}: ` : ""}${whenOf(s)} ${s.timezone}${s.active ? "" : " (off)"}`
            ).join("; ") || "-"
          }`,
          `  concurrency ${deployment.concurrencyLimit ?? "-"} ${deployment.collisionStrategy}`,
          "",
          runs.length === 0 ? "No runs yet." : table(
            ["RUN", "NAME", "STATE", "SCHEDULED FOR"],
            runs.map((r) => [r.id, r.runName, r.stateName, time(r.expectedStartTime)]),
          ),
        ].join("\n"));
      return 0;
    }
    case "run": {
      const parameters = parseParameters(values.param, values.params);
      if (
        parameters !== undefined && (typeof parameters !== "object" || Array.isArray(parameters))
      ) {
        throw new UsageError(
          "Deployment parameters must be named: --param k=v or --params '{...}'",
        );
      }
      const jobVariables = parseJobVariableFlags(values["job-variable"]);
      const run = await client.run(ref(), {
        ...(parameters ? { parameters: parameters as Record<string, never> } : {}),
        ...(jobVariables ? { jobVariables } : {}),
        ...(values["idempotency-key"] ? { idempotencyKey: values["idempotency-key"] } : {}),
      });
      if (values.logs && !values.watch) {
        throw new UsageError("--logs follows the run's log lines: pass --watch with it");
      }
      // With --json --watch, stdout is one JSON object: the final state.
      if (!(values.json && values.watch)) {
        print(
          toApiRun(run),
          () => `Created flow run ${run.runName} (${run.id}) ${run.stateName}`,
        );
      }
      reportWrite(cli);
      if (values.watch) {
        const [{ watchFlowRun }, { openApiTarget }] = await Promise.all([
          import("./watch.ts"),
          import("./api_target.ts"),
        ]);
        return await watchFlowRun(await openApiTarget(cli), run.id, cli, {
          json: values.json,
          logs: values.logs,
        });
      }
      return run.state === "CANCELLED" ? 1 : 0;
    }
    case "pause":
    case "resume": {
      const deployment = await client.setPaused(ref(), sub === "pause");
      print(
        toApiDeployment(deployment),
        () => `Deployment ${deployment.name} ${deployment.paused ? "paused" : "resumed"}`,
      );
      reportWrite(cli);
      return 0;
    }
    case "schedule":
      return await scheduleCommand(positionals, client, print, cli);
    case "delete": {
      await client.delete(ref());
      cli.out(`Deployment ${ref()} deleted`);
      reportWrite(cli);
      return 0;
    }
    default:
      throw new UsageError(`Unknown deployment command "${sub}".\n\n${DEPLOYMENT_HELP}`);
  }
}

function whenOf(s: Schedule): string {
  return s.kind === "cron" ? s.cron : s.kind === "rrule" ? s.rrule : `every ${s.intervalSeconds}s`;
}

// `deployment schedule ls|pause|resume NAME [SLUG]`.
async function scheduleCommand(
  positionals: string[],
  client: DeploymentClient,
  print: (value: unknown, human: () => string) => void,
  cli: CliContext,
): Promise<number> {
  const [action, ref, slug] = positionals;
  if (!ref) throw new UsageError(`Missing the deployment name or id.\n\n${DEPLOYMENT_HELP}`);
  if (action === "ls") {
    const deployment = await client.get(ref);
    if (!deployment) throw new UsageError(`Deployment "${ref}" does not exist`);
    print(
      deployment.schedules.map(toScheduleSpec),
      () =>
        deployment.schedules.length === 0
          ? `Deployment ${deployment.name} has no schedules`
          : table(
            ["SLUG", "WHEN", "TIMEZONE", "ACTIVE", "PARAMETERS"],
            deployment.schedules.map((s) => [
              s.slug ?? "-",
              whenOf(s),
              s.timezone,
              s.active ? "yes" : "no",
              s.parameters ? JSON.stringify(s.parameters) : "-",
            ]),
          ),
    );
    return 0;
  }
  if (action !== "pause" && action !== "resume") {
    throw new UsageError(
      `Unknown schedule command "${action ?? ""}": use ls, pause or resume.\n\n${DEPLOYMENT_HELP}`,
    );
  }
  if (!slug) throw new UsageError(`Missing the schedule's slug.\n\n${DEPLOYMENT_HELP}`);
  const deployment = await client.setScheduleActive(ref, slug, action === "resume");
  print(
    toApiDeployment(deployment),
    () =>
      `Schedule ${slug} of deployment ${deployment.name} ${
        action === "pause" ? "paused" : "resumed"
      }`,
  );
  reportWrite(cli);
  return 0;
}

/** `--job-variable KEY=VALUE` flags as one layer of job variables (VALUE is JSON, else text). */
function parseJobVariableFlags(flags: readonly string[]): JobVariables | undefined {
  if (flags.length === 0) return undefined;
  const raw: Record<string, unknown> = {};
  for (const flag of flags) {
    const at = flag.indexOf("=");
    if (at <= 0) {
      throw new UsageError(`--job-variable must be KEY=VALUE, got "${flag}"`);
    }
    const text = flag.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch { /* plain text */ }
    raw[flag.slice(0, at)] = value;
  }
  try {
    return parseJobVariables(raw, "--job-variable");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
