/**
 * The SDK's source files, as `ironflow sdk export` writes them: read from
 * the IronFlow sources beside this module when it runs from them, or the
 * copy a build embedded (`registerSdkFiles`, called by the generated entry
 * of `deno task compile` and `ironflow build`), so a single binary carries
 * the SDK of its own version.
 *
 * @module
 */
import { UsageError } from "./format.ts";

/** Relative path (`sdk/mod.ts`) → source text. */
export type SdkFiles = Record<string, string>;

let embedded: SdkFiles | undefined;

/** Makes `files` the SDK this process exports (a build's entry calls it first). */
export function registerSdkFiles(files: SdkFiles): void {
  embedded = files;
}

/** The SDK's files: the embedded copy, else read from the sources. */
export async function sdkFiles(): Promise<SdkFiles> {
  if (embedded) return embedded;
  const root = new URL("../", import.meta.url);
  const files = root.protocol === "file:" ? await readSdkSources(root) : undefined;
  if (!files) {
    throw new UsageError(
      "This ironflow has no copy of the SDK to export: it was built without one. " +
        'Build it with "deno task compile", or run IronFlow from its sources',
    );
  }
  return files;
}

// Local module references: static and dynamic imports, re-exports, and
// `new URL("./x.ts", import.meta.url)` (worker entries).
const REFERENCE =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)["'](\.{1,2}\/[^"']+\.ts)["']/g;

// Bare specifiers ("postgres") resolved by IronFlow's own import map.
const BARE = /(\bfrom\s*|\bimport\s*\(\s*)"([^".][^"]*)"/g;

/**
 * `sdk/mod.ts` and every local module it reaches, by path under `root`;
 * bare specifiers are rewritten to what IronFlow's deno.json maps them to,
 * so the copy needs no import map but the one entry for "ironflow".
 */
export async function readSdkSources(root: URL): Promise<SdkFiles | undefined> {
  const imports = await importMapOf(root);
  const files: SdkFiles = {};
  const pending = ["sdk/mod.ts"];
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (files[path] !== undefined) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(new URL(path, root));
    } catch (error) {
      // A path named only in a doc comment's example may not exist: skip it.
      if (error instanceof Deno.errors.NotFound) {
        if (path === "sdk/mod.ts") return undefined;
        continue;
      }
      throw error;
    }
    files[path] = text.replace(BARE, (whole, head: string, specifier: string) => {
      const mapped = imports[specifier];
      return mapped && !specifier.includes(":") ? `${head}"${mapped}"` : whole;
    });
    for (const match of text.matchAll(REFERENCE)) {
      const target = new URL(match[1]!, new URL(path, root)).href.slice(root.href.length);
      if (!target.startsWith("..") && files[target] === undefined) pending.push(target);
    }
  }
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

async function importMapOf(root: URL): Promise<Record<string, string>> {
  try {
    const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
    return (config as { imports?: Record<string, string> }).imports ?? {};
  } catch {
    return {};
  }
}
