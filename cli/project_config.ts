/**
 * Commands that import a flow project's modules (`run`, `deploy`, `task
 * serve`, `flow-run retry --module`) load them with the project's own Deno
 * configuration, as `deno run flows/etl.ts` would: its import map ("ironflow"
 * as the project's copy of the SDK, the packages it maps), its compiler
 * options. Deno finds a process's configuration from the main module, which
 * for `deno run …/main.ts` is IronFlow's, so when the project's differs the
 * command runs again in a process started with `--config` (output, exit code
 * and signals pass through).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  CONFIG_VARIABLE,
  moduleUrlOf,
  processConfig,
  projectConfigOf,
  splitEntrypoint,
} from "../sdk/_flow_module.ts";
import { readEnv } from "../sdk/env.ts";
import { exitWithParent } from "../sdk/_parent_watch.ts";
import type { CliContext } from "./io.ts";
import { isCompiledBinary } from "./subprocess_run.ts";

/** Set on a command run again: it ends when the process that ran it is gone. */
export const RERUN_VARIABLE = "IRONFLOW_RERUN";

/**
 * In a command run again by {@linkcode rerunInProject}: exits when the
 * process that started it is gone (killed, even with SIGKILL), so no
 * `ironflow task serve` or `run` goes on alone.
 */
export function endWithRerunParent(): void {
  if (readEnv(RERUN_VARIABLE) !== "1") return;
  exitWithParent((parent) => {
    console.error(`The ironflow command that started this process (${parent}) is gone: stopping`);
    Deno.exit(70);
  });
}

/** What `deno run` permissions this process has, as flags for another. */
function grantedPermissionFlags(): string[] {
  const names = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;
  const granted = names.filter((name) => {
    try {
      return Deno.permissions.querySync({ name }).state === "granted";
    } catch {
      return false; // a permission this Deno does not know
    }
  });
  return granted.length === names.length ? ["-A"] : granted.map((name) => `--allow-${name}`);
}

/**
 * The project configuration `moduleUrls` are loaded with, when this process
 * does not load them with it: one file shared by all of them that is not
 * this process's own. `undefined` when they have none, several, or this one.
 */
export function configToAdopt(moduleUrls: readonly string[]): string | undefined {
  const configs = new Set<string>();
  for (const url of moduleUrls) {
    const config = projectConfigOf(url);
    if (config) configs.add(config);
  }
  if (configs.size !== 1) return undefined;
  const [config] = configs;
  return config === processConfig() ? undefined : config;
}

/**
 * Runs this process's command again under the configuration of the project of
 * `moduleUrls` when it is not the one this process has, and resolves with
 * its exit code; `undefined` when this process can import them as it is (or
 * is not a command line of its own: a test, a compiled binary).
 */
export async function rerunInProject(
  cli: Pick<CliContext, "processArgs">,
  moduleUrls: readonly string[],
): Promise<number | undefined> {
  if (!cli.processArgs || isCompiledBinary()) return undefined;
  const config = configToAdopt(moduleUrls);
  if (!config) return undefined;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...grantedPermissionFlags(),
      "--config",
      config,
      Deno.mainModule,
      ...cli.processArgs,
    ],
    env: {
      [CONFIG_VARIABLE]: config,
      [RERUN_VARIABLE]: "1",
      DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS: "1",
    },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches both processes; a SIGTERM sent to this one is passed on.
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  };
  const listeners = signals.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  try {
    const status = await child.status;
    return status.signal ? 128 + signalNumber(status.signal) : status.code;
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  }
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Partial<Record<Deno.Signal, number>>)[signal] ??
    1;
}

/**
 * `ironflow run <module>` decided before the CLI loads (from `main.ts`): when
 * the module's project has a configuration of its own, the command runs again
 * under it at once, without this process loading IronFlow first. `undefined`
 * when it runs here (or the command line is not one this reads: the `run`
 * command decides again then).
 */
export async function rerunRunEarly(args: readonly string[]): Promise<number | undefined> {
  if (args[0] !== "run") return undefined;
  let positionals: string[];
  try {
    ({ positionals } = parseArgs({
      args: args.slice(1),
      options: {
        param: { type: "string", multiple: true },
        params: { type: "string" },
        "api-url": { type: "string" },
      },
      strict: false,
      allowPositionals: true,
    }));
  } catch {
    return undefined;
  }
  const reference = positionals[0];
  // A bare name is a flow embedded in a binary, which only the CLI knows.
  if (!reference || /^[A-Za-z_$][\w$-]*$/.test(reference)) return undefined;
  const { module } = splitEntrypoint(reference);
  return await rerunInProject({ processArgs: args }, [moduleUrlOf(module, Deno.cwd())]);
}
