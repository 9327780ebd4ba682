/**
 * Where a flow module is, and the Deno configuration it is loaded with.
 *
 * `deno run flows/etl.ts` loads the module with its project's `deno.json`:
 * the nearest `deno.json` or `deno.jsonc` in the module's folder or above.
 * Deno finds a process's configuration from the process's main module, so a
 * process whose main module is IronFlow's (`ironflow run` from a checkout, a
 * worker's run process) would load the flow with IronFlow's own import map:
 * "ironflow" would be IronFlow's SDK instead of the project's copy, and any
 * other name the project maps ("pg", "lodash", "./lib" aliases) would not
 * resolve. Such processes are started with `--config` naming the project's
 * file, and note it in {@linkcode CONFIG_VARIABLE}.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readEnv } from "./env.ts";

/** The configuration a process was started with by IronFlow (`--config`). */
export const CONFIG_VARIABLE = "IRONFLOW_DENO_CONFIG";

const CONFIG_FILES = ["deno.json", "deno.jsonc"];

/** Splits `./flows/etl.ts:etl` or `https://host/f.ts:etl` into module and export name. */
export function splitEntrypoint(entrypoint: string): { module: string; name: string | undefined } {
  const match = entrypoint.match(/^(.*\.(?:[cm]?[jt]sx?))(?::([A-Za-z_$][\w$]*))?$/);
  if (match) return { module: match[1]!, name: match[2] };
  const colon = entrypoint.lastIndexOf(":");
  if (colon > 1 && !entrypoint.slice(colon).includes("/")) {
    return { module: entrypoint.slice(0, colon), name: entrypoint.slice(colon + 1) };
  }
  return { module: entrypoint, name: undefined };
}

/** The URL of a module given as a path (relative to `cwd`) or a URL. */
export function moduleUrlOf(module: string, cwd: string): string {
  if (/^(https?|file):/.test(module)) return module;
  return pathToFileURL(isAbsolute(module) ? module : resolve(cwd, module)).href;
}

/**
 * The `deno.json` / `deno.jsonc` that `deno run <module>` would use: the
 * nearest one in the module's folder or above; none for a remote module or
 * where there is none (or it cannot be looked for).
 */
export function projectConfigOf(moduleUrl: string): string | undefined {
  if (!moduleUrl.startsWith("file:")) return undefined;
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    for (const name of CONFIG_FILES) {
      const path = join(dir, name);
      try {
        if (Deno.statSync(path).isFile) return Deno.realPathSync(path);
      } catch {
        // not here (or not readable): look further up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The configuration this process loads modules with: the one IronFlow
 * started it with, else the one Deno found from its main module.
 */
export function processConfig(): string | undefined {
  const told = readEnv(CONFIG_VARIABLE);
  if (told) return told;
  return projectConfigOf(Deno.mainModule);
}

/** Whether `deno run` flags already choose a configuration or import map. */
export function choosesConfig(flags: readonly string[]): boolean {
  return flags.some((flag) =>
    /^(--config|-c|--no-config|--import-map)(=|$)/.test(flag) || /^-c./.test(flag)
  );
}
