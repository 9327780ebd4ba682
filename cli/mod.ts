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
import { SCHEMA_VERSION } from "../engine/mod.ts";
import { createSqliteControlPlane, ironflowHomeDir, type LocalControlPlane } from "../sdk/mod.ts";
import { dbCommand } from "./db_commands.ts";
import { demoCommand } from "./demo.ts";
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
  flow-run <command>      ls | inspect | logs | events | cancel
  init                    write a starter ironflow.yaml and flows/hello.ts
  deploy                  apply ironflow.yaml: --all | --name N, --prune, --dry-run
  deployment <command>    ls | inspect | run | pause | resume | delete
  worker start            claim and execute deployment runs in subprocesses
  db <command>            export | import | rebuild
  version                 print versions

Environment:
  IRONFLOW_HOME           where the embedded database lives (default ./.ironflow)

Run "ironflow <command> --help" for the options of a command.`;

/** Runs the CLI with `args`; resolves with the process exit code. */
export async function runCli(args: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  let plane: LocalControlPlane | undefined;
  const cli: CliContext = {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    cwd: Deno.cwd(),
    isTty: Deno.stdout.isTerminal(),
    openPlane: () => {
      if (!plane) {
        const home = ironflowHomeDir();
        Deno.mkdirSync(home, { recursive: true });
        plane = createSqliteControlPlane(`${home}/ironflow.db`);
      }
      return plane;
    },
    ...overrides,
  };
  const [command, ...rest] = args;
  try {
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
        return await serverCommand(rest, cli);
      }
      case "plan": {
        // Loaded on demand: the parser is large and most commands never need it.
        const { planCommand } = await import("./plan_command.ts");
        return await planCommand(rest, cli);
      }
      case "demo":
        return await demoCommand(rest, cli);
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
      case "worker": {
        const { workerCommand } = await import("./worker_command.ts");
        return await workerCommand(rest, cli);
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
    cli.err(`Error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  } finally {
    if (plane && !overrides.openPlane) await plane.close();
  }
}
