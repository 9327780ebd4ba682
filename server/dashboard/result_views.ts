/**
 * Runs' stored results as the dashboard shows them, read from their
 * COMPLETED events: an inline value's short preview, or a large result's
 * address and size (the page links it to `GET /api/results/{ref}`).
 *
 * @module
 */
import type { Engine, RunRecord } from "../../engine/mod.ts";
import { jsonText, type ResultView } from "../../ui/mod.ts";

/** Longest inline preview, in characters. */
const PREVIEW_CHARS = 80;

/** The stored result of `run`, if it completed with one. */
export function resultViewOf(engine: Engine, run: RunRecord): ResultView | null {
  if (run.state !== "COMPLETED") return null;
  const completed = engine.events(run.id).findLast((event) => event.to === "COMPLETED");
  return completed ? toView(completed.data?.["result"]) : null;
}

/** The stored results of the completed runs among `runs`, by run id. */
export function resultViewsOf(
  engine: Engine,
  runs: readonly RunRecord[],
): ReadonlyMap<string, ResultView> {
  const views = new Map<string, ResultView>();
  for (const run of runs) {
    const view = resultViewOf(engine, run);
    if (view) views.set(run.id, view);
  }
  return views;
}

function toView(result: unknown): ResultView | null {
  if (result === null || typeof result !== "object" || Array.isArray(result)) return null;
  const stored = result as {
    kind?: unknown;
    value?: unknown;
    ref?: unknown;
    size?: unknown;
    encoding?: unknown;
  };
  if (stored.kind === "inline") {
    const text = jsonText(stored.value ?? null);
    return {
      kind: "inline",
      preview: text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text,
    };
  }
  if (stored.kind === "ref" && typeof stored.ref === "string") {
    return {
      kind: "ref",
      ref: stored.ref,
      size: typeof stored.size === "number" ? stored.size : null,
      encoding: stored.encoding === "json" || stored.encoding === "bytes" ? stored.encoding : null,
    };
  }
  return null;
}
