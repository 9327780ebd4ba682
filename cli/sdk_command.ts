/**
 * `ironflow sdk export <dir>`: writes the SDK of this ironflow's version into
 * a folder, so flows can import it by the stable name "ironflow" through
 * their project's import map, whatever machine or checkout they run on.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join, relative, resolve } from "node:path";
import { UsageError } from "./format.ts";
import type { CliContext } from "./io.ts";
import { sdkFiles } from "./sdk_files.ts";
import { VERSION } from "./version.ts";

export const SDK_HELP = `Usage: ironflow sdk export <dir> [--force]

Writes the SDK of this ironflow (version ${VERSION}) into <dir>: sdk/mod.ts
and the modules it needs. Map "ironflow" to <dir>/sdk/mod.ts in your
project's deno.json ("ironflow init" does both) and flows import it as
  import { flow, task } from "ironflow";
An existing <dir> is replaced only with --force (it must hold an SDK export).`;

/** The file an export writes to mark its folder (and its version). */
export const EXPORT_MARKER = ".ironflow-sdk-version";

/** Runs `ironflow sdk ...`. */
export async function sdkCommand(args: string[], cli: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  if (!sub || sub === "help" || values.help) {
    cli.out(SDK_HELP);
    return 0;
  }
  if (sub !== "export") throw new UsageError(`Unknown sdk command "${sub}".\n\n${SDK_HELP}`);
  const dir = positionals[0];
  if (!dir) throw new UsageError(`Name the folder to write the SDK to.\n\n${SDK_HELP}`);
  const count = await exportSdk(resolve(cli.cwd, dir), { force: values.force });
  cli.out(
    `Wrote the IronFlow ${VERSION} SDK (${count} files) to ${dir}; import it from ${
      join(dir, "sdk/mod.ts")
    }`,
  );
  return 0;
}

/** Writes the SDK into `target`; resolves with the number of files written. */
export async function exportSdk(target: string, options: { force: boolean }): Promise<number> {
  const files = await sdkFiles();
  if (await exists(target)) {
    if (!options.force && !(await isEmptyDir(target))) {
      throw new UsageError(`${target} already exists; pass --force to replace it`);
    }
    if (options.force && !(await isEmptyDir(target))) {
      if (!(await exists(join(target, EXPORT_MARKER)))) {
        throw new UsageError(
          `${target} is not an SDK export (it has no ${EXPORT_MARKER}); not replacing it`,
        );
      }
      await Deno.remove(target, { recursive: true });
    }
  }
  for (const [path, text] of Object.entries(files)) {
    const file = join(target, path);
    if (relative(target, file).startsWith("..")) continue; // never outside the folder
    await Deno.mkdir(dirname(file), { recursive: true });
    await Deno.writeTextFile(file, text);
  }
  await Deno.writeTextFile(join(target, EXPORT_MARKER), `${VERSION}\n`);
  return Object.keys(files).length;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function isEmptyDir(path: string): Promise<boolean> {
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}
