/**
 * Artifacts from inside runs: markdown reports, tables, links and progress
 * bars, shown with the run in the dashboard.
 *
 * @module
 */
import type { Artifact, Json } from "../engine/mod.ts";
import { currentContext } from "./context.ts";
import { MissingContextError } from "./errors.ts";

/** Options every artifact takes. */
export interface ArtifactOptions {
  /** Stable key (lowercase letters, digits, dashes): later artifacts with it are new versions. */
  key?: string;
  description?: string;
}

function create(type: Artifact["type"], data: Json, options: ArtifactOptions): Promise<Artifact> {
  const context = currentContext();
  if (!context) {
    throw new MissingContextError(`Cannot create a ${type} artifact outside a flow or task run`);
  }
  return context.plane.createArtifact({
    type,
    data,
    key: options.key ?? null,
    description: options.description ?? null,
    flowRunId: context.flowRun.id,
    taskRunId: context.taskRun?.id ?? null,
  });
}

/**
 * A markdown report linked to the current run (rendered sanitised in the dashboard).
 *
 * @example
 * ```ts
 * import { createMarkdownArtifact, task } from "./mod.ts";
 * const report = task(async (n: number) => {
 *   await createMarkdownArtifact(`# Report\n${n} rows loaded`, { key: "daily-report" });
 * });
 * ```
 */
export async function createMarkdownArtifact(
  markdown: string,
  options: ArtifactOptions = {},
): Promise<string> {
  return (await create("markdown", markdown, options)).id;
}

/** A table (list of row objects or of row arrays) linked to the current run. */
export async function createTableArtifact(
  rows: ReadonlyArray<Record<string, Json> | readonly Json[]>,
  options: ArtifactOptions = {},
): Promise<string> {
  return (await create("table", rows as Json, options)).id;
}

/** A link linked to the current run. */
export async function createLinkArtifact(
  url: string,
  options: ArtifactOptions & { text?: string } = {},
): Promise<string> {
  return (await create("link", { url, text: options.text ?? url }, options)).id;
}

/**
 * An image linked to the current run (Prefect's `create_image_artifact`):
 * an http(s) URL, shown as a link, or a `data:image/png;base64,...` URL,
 * shown inline.
 *
 * @example
 * ```ts
 * import { createImageArtifact, task } from "./mod.ts";
 * const chart = task(async (png: string) => {
 *   await createImageArtifact(`data:image/png;base64,${png}`, { key: "daily-chart", alt: "rows per day" });
 * });
 * ```
 */
export async function createImageArtifact(
  url: string,
  options: ArtifactOptions & { alt?: string } = {},
): Promise<string> {
  return (await create("image", { url, alt: options.alt ?? "" }, options)).id;
}

/** A progress bar (0..100) linked to the current run; returns its id for updates. */
export async function createProgressArtifact(
  progress: number,
  options: ArtifactOptions = {},
): Promise<string> {
  return (await create("progress", progress, options)).id;
}

/** Moves a progress artifact to `progress` (0..100). */
export async function updateProgressArtifact(id: string, progress: number): Promise<void> {
  const context = currentContext();
  if (!context) {
    throw new MissingContextError("Cannot update a progress artifact outside a flow or task run");
  }
  await context.plane.updateProgressArtifact(id, progress);
}
