/**
 * How a project reaches the SDK by the stable name "ironflow": an entry in
 * its deno.json import map, pointing at the published package when this
 * ironflow came from one, else at a copy of the SDK of this version that
 * `ironflow init` exports into the project.
 *
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "./format.ts";
import { exportSdk } from "./sdk_command.ts";
import { VERSION } from "./version.ts";

/** Where `ironflow init` puts the SDK copy, relative to the project. */
export const SDK_COPY_DIR = "vendor/ironflow";

/** The published package's SDK export when this ironflow runs from the registry. */
export function publishedSdk(moduleUrl: string = import.meta.url): string | undefined {
  const match = moduleUrl.match(/^https:\/\/jsr\.io\/@ironflow\/ironflow\/([^/]+)\//);
  return match ? `jsr:@ironflow/ironflow@${match[1]}/sdk` : undefined;
}

/** What {@linkcode linkSdk} did. */
export interface SdkLink {
  /** What "ironflow" maps to. */
  target: string;
  /** The SDK copy's folder, relative to the project, when one was written. */
  copy?: string;
}

/** Maps "ironflow" in `project`'s deno.json (and writes the SDK copy it points at). */
export async function linkSdk(project: string, options: { force: boolean }): Promise<SdkLink> {
  const config = resolve(project, "deno.json");
  const current = await readConfig(project, config);
  const published = publishedSdk();
  let link: SdkLink;
  if (published) link = { target: published };
  else {
    await exportSdk(resolve(project, SDK_COPY_DIR), { force: options.force });
    link = { target: `./${SDK_COPY_DIR}/sdk/mod.ts`, copy: SDK_COPY_DIR };
  }
  const imports = { ...(current.imports as Record<string, string> | undefined) };
  imports["ironflow"] = link.target;
  await Deno.writeTextFile(config, `${JSON.stringify({ ...current, imports }, null, 2)}\n`);
  return link;
}

async function readConfig(project: string, config: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(config);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    try {
      await Deno.stat(resolve(project, "deno.jsonc"));
      throw new UsageError(
        `This project has a deno.jsonc: add "imports": { "ironflow": "<SDK>" } to it yourself ` +
          `(write the SDK with "ironflow sdk export ${SDK_COPY_DIR}", version ${VERSION})`,
      );
    } catch (statError) {
      if (statError instanceof UsageError) throw statError;
      return {};
    }
  }
  try {
    const parsed = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch { /* reported below */ }
  throw new UsageError(
    `${config} is not a JSON object: add "imports": { "ironflow": "<SDK>" } to it yourself`,
  );
}
