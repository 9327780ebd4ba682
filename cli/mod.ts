/**
 * The `ironflow` command line.
 *
 * @example
 * ```ts
 * import { runCli } from "./mod.ts";
 * const code = await runCli(["version"]);
 * ```
 *
 * @module
 */
import { IronFlowError, SCHEMA_VERSION } from "../engine/mod.ts";
import { createHomeControlPlane, ironflowHomeDir, type LocalControlPlane } from "../sdk/mod.ts";
import { sqliteOptionsFromEnv } from "../sdk/control_plane.ts";
import { dbCommand } from "./db_commands.ts";
import { UsageError } from "./format.ts";
import { flowRunCommand } from "./flow_run_commands.ts";
import type { CliContext } from "./io.ts";
import { runCommand } from "./run_command.ts";
import { VERSION } from "./version.ts";

export const HELP = `ironflow ${VERSION} — workflow orchestration for TypeScript

Usage: ironflow <command> [options]

Commands:
  server start            serve the API and dashboard (default http://127.0.0.1:4200)
  run <module>[:flow]     run a flow from a local path or URL
  plan <module>[:flow]    print a flow's task graph without running it
  build --flows <m>... -o <out>  an executable with flow modules embedded
  demo                    run the example ETL flow and print its history
  flow <command>          ls | inspect | rename | archive | restore | delete | retention | sweep
  flow-run <command>      ls | inspect | logs | events | cancel | pause | resume | retry
  init                    write a starter ironflow.yaml and flows/hello.ts
  deploy                  apply ironflow.yaml: --all | --name N, --prune, --dry-run
  deployment <command>    ls | inspect | run | pause | resume | delete
  automation <command>    ls | inspect | create | apply | pause | resume | delete
  worker start            claim and execute deployment runs in subprocesses
  variable <command>      ls | get | set | unset
  secret <command>        ls | set | unset
  task serve <module>...  run a task worker for background tasks (task.delay())
  db <command>            export | import | rebuild | migrate | copy
  version                 print versions

Options of every command:
  --skip-integrity-check  open a database that fails its integrity check (to export it)

Environment:
  IRONFLOW_HOME           where the embedded database lives (default ./.ironflow)
  IRONFLOW_DATABASE_URL   postgres://… : keep everything in PostgreSQL instead

Run "ironflow <command> --help" for the options of a command.`;

/** Runs the CLI with `args`; resolves with the process exit code. */
export async function runCli(args: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  let plane: LocalControlPlane | undefined;
  // The store is checked when a command opens it, except in a worker's run
  // subprocess (one per run: the worker's server checked it already).
  const skipCheck = args.includes("--skip-integrity-check");
  if (skipCheck) args = args.filter((arg) => arg !== "--skip-integrity-check");
  const integrityCheck = !skipCheck && args[0] !== "execute-run";
  const cli: CliContext = {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    cwd: Deno.cwd(),
    isTty: Deno.stdout.isTerminal(),
    openPlane: () => {
      if (!plane) {
        plane = createHomeControlPlane(
          ironflowHomeDir(),
          sqliteOptionsFromEnv({ integrityCheck }),
        );
      }
      return plane;
    },
    ...overrides,
  };
  const [command, ...rest] = args;
  try {
    // `ironflow <command> --help` (or `help`) prints the command's usage.
    if (command && ["--help", "-h", "help"].includes(rest[0] ?? "")) {
      const help = await commandHelp(command);
      if (help) {
        cli.out(help);
        return 0;
      }
    }
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        cli.out(HELP);
        return 0;
      case "version":
      case "--version":
        cli.out(`ironflow ${VERSION}\ndeno ${Deno.version.deno}\nstore schema ${SCHEMA_VERSION}`);
        return 0;
      case "run":
        return await runCommand(rest, cli);
      case "build": {
        const { buildCommand } = await import("./build_command.ts");
        return await buildCommand(rest, cli);
      }
      case "server": {
        const { serverCommand } = await import("./server_command.ts");
        return await serverCommand(rest, cli, { integrityCheck });
      }
      case "plan": {
        // Loaded on demand: the parser is large and most commands never need it.
        const { planCommand } = await import("./plan_command.ts");
        return await planCommand(rest, cli);
      }
      case "demo": {
        // Loaded on demand: it defines the example's flows, which must not shadow
        // flows of the same name embedded with `ironflow build`.
        const { demoCommand } = await import("./demo.ts");
        return await demoCommand(rest, cli);
      }
      case "flow": {
        const { flowCommand } = await import("./flow_commands.ts");
        return await flowCommand(rest, cli);
      }
      case "flow-run":
        return await flowRunCommand(rest, cli);
      case "db":
        return await dbCommand(rest, cli);
      case "init": {
        const { initCommand } = await import("./deploy_command.ts");
        return await initCommand(rest, cli);
      }
      case "deploy": {
        const { deployCommand } = await import("./deploy_command.ts");
        return await deployCommand(rest, cli);
      }
      case "deployment": {
        const { deploymentCommand } = await import("./deployment_commands.ts");
        return await deploymentCommand(rest, cli);
      }
      case "automation": {
        const { automationCommand } = await import("./automation_commands.ts");
        return await automationCommand(rest, cli);
      }
      case "variable": {
        const { variableCommand } = await import("./variable_commands.ts");
        return await variableCommand(rest, cli);
      }
      case "secret": {
        const { secretCommand } = await import("./variable_commands.ts");
        return await secretCommand(rest, cli);
      }
      case "worker": {
        const { workerCommand } = await import("./worker_command.ts");
        return await workerCommand(rest, cli);
      }
      case "task": {
        const { taskCommand } = await import("./task_command.ts");
        return await taskCommand(rest, cli);
      }
      case "execute-run": {
        const { executeRunCommand } = await import("./worker_command.ts");
        return await executeRunCommand(rest, cli);
      }
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
    ) {
      cli.err(`Error: ${(error as Error).message}`);
      return 1;
    }
    // Domain and input errors are messages for the user; anything else is a bug: show its stack.
    const expected = error instanceof IronFlowError || error instanceof TypeError ||
      error instanceof RangeError;
    const text = error instanceof Error
      ? (expected || !error.stack ? error.message : error.stack)
      : String(error);
    cli.err(`Error: ${text}`);
    return 1;
  } finally {
    if (plane && !overrides.openPlane) await plane.close();
  }
}

/** The usage text of `command`, loading its module only then. */
async function commandHelp(command: string): Promise<string | undefined> {
  switch (command) {
    case "run":
      return (await import("./run_command.ts")).RUN_HELP;
    case "plan":
      return (await import("./plan_command.ts")).PLAN_HELP;
    case "build":
      return (await import("./build_command.ts")).BUILD_HELP;
    case "server":
      return (await import("./server_command.ts")).SERVER_HELP;
    case "flow":
      return (await import("./flow_commands.ts")).FLOW_HELP;
    case "flow-run":
      return (await import("./flow_run_commands.ts")).FLOW_RUN_HELP;
    case "db":
      return (await import("./db_commands.ts")).DB_HELP;
    case "init":
      return (await import("./deploy_command.ts")).INIT_HELP;
    case "deploy":
      return (await import("./deploy_command.ts")).DEPLOY_HELP;
    case "deployment":
      return (await import("./deployment_commands.ts")).DEPLOYMENT_HELP;
    case "automation":
      return (await import("./automation_commands.ts")).AUTOMATION_HELP;
    case "worker":
      return (await import("./worker_command.ts")).WORKER_HELP;
    case "variable":
      return (await import("./variable_commands.ts")).VARIABLE_HELP;
    case "secret":
      return (await import("./variable_commands.ts")).SECRET_HELP;
    case "task":
      return (await import("./task_command.ts")).TASK_HELP;
    case "demo":
      return "Usage: ironflow demo\n\nRuns the example ETL flow (examples/etl.ts) on the embedded store and prints its history.";
  }
  return undefined;
}
