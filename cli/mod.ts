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
import { readEnv, sqliteOptionsFromEnv } from "../sdk/control_plane.ts";
import { commandList, findCommand } from "./commands.ts";
import { errorLine, UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { unknownOptionMessage } from "./options.ts";
import { VERSION } from "./version.ts";
import { endWithRerunParent } from "./project_config.ts";

export const HELP = `ironflow ${VERSION} — workflow orchestration for TypeScript

Usage: ironflow <command> [options]

Commands:
${commandList()}
  version [--json]        print versions

Options of every command:
  --api-url URL           work against the server at URL (default: IRONFLOW_API_URL, else
                          the embedded home)
  --skip-integrity-check  open a database that fails its integrity check (to export it)

Environment:
  IRONFLOW_HOME           where the embedded database lives (default ./.ironflow)
  IRONFLOW_API_URL        a server to work against instead of the embedded home
  IRONFLOW_API_KEY        the key of that server
  IRONFLOW_DATABASE_URL   postgres://… : keep everything in PostgreSQL instead

Run "ironflow <command> --help" for the options of a command.`;

/** Runs the CLI with `args`; resolves with the process exit code. */
export async function runCli(args: string[], overrides: Partial<CliContext> = {}): Promise<number> {
  if (overrides.processArgs) endWithRerunParent();
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
  try {
    args = takeApiUrl(args, cli);
    const [command, ...rest] = args;
    if (command === undefined || ["help", "--help", "-h"].includes(command)) {
      cli.out(HELP);
      return 0;
    }
    if (command === "version" || command === "--version") {
      cli.out(
        rest.includes("--json")
          ? JSON.stringify({
            ironflow: VERSION,
            deno: Deno.version.deno,
            store_schema: SCHEMA_VERSION,
          })
          : `ironflow ${VERSION}\ndeno ${Deno.version.deno}\nstore schema ${SCHEMA_VERSION}`,
      );
      return 0;
    }
    const entry = findCommand(command);
    if (!entry) throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
    // `ironflow <command> --help` (or `help`) prints the command's usage.
    if (["--help", "-h", "help"].includes(rest[0] ?? "")) {
      cli.out(await entry.help());
      return 0;
    }
    return await entry.run(rest, cli, { integrityCheck });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      cli.err(`Error: ${await unknownOptionMessage(error as Error, args)}`);
      return 1;
    }
    if (error instanceof UsageError) {
      cli.err(`Error: ${error.message}`);
      return 1;
    }
    // Domain and input errors are messages for the user; anything else is a bug: show its stack.
    const expected = error instanceof IronFlowError || error instanceof TypeError ||
      error instanceof RangeError;
    cli.err(errorLine(error, expected));
    return 1;
  } finally {
    if (plane && !overrides.openPlane) await plane.close();
  }
}

/**
 * Takes the global `--api-url URL` (or `--api-url=URL`) out of `args` and
 * settles where this invocation works: that URL, else IRONFLOW_API_URL.
 */
function takeApiUrl(args: string[], cli: CliContext): string[] {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === "--api-url") {
      flag = args[++i];
      if (!flag || flag.startsWith("-")) throw new UsageError("--api-url needs a URL");
    } else if (arg.startsWith("--api-url=")) {
      flag = arg.slice("--api-url=".length);
    } else {
      rest.push(arg);
    }
  }
  const url = flag ?? cli.apiUrl ?? readEnv("IRONFLOW_API_URL");
  if (url !== undefined && url !== "") {
    if (!/^https?:\/\/[^/]/.test(url)) {
      throw new UsageError(`The server URL must start with http:// or https://, got "${url}"`);
    }
    cli.apiUrl = url.replace(/\/+$/, "");
    const apiKey = cli.apiKey ?? readEnv("IRONFLOW_API_KEY");
    if (apiKey) cli.apiKey = apiKey;
  }
  return rest;
}
