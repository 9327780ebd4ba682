/**
 * A lineage's history: every attempt (flow run) of a retried run, the task
 * runs they completed with the event that completed them, and the plan each
 * attempt started with. What resume needs to restore finished work.
 *
 * @module
 */
import type { EngineEvent, RunKind, RunRecord, StateType } from "./core/mod.ts";
import type { Engine } from "./engine.ts";

/** Earlier attempts of a lineage, as resume reads them. */
export interface LineageRecords {
  readonly flowRuns: readonly RunRecord[];
  readonly completions: ReadonlyArray<{ run: RunRecord; event: EngineEvent }>;
  /** Plan fingerprint each flow run started with, by run id. */
  readonly planFingerprints: ReadonlyMap<string, string>;
}

/** Reads the history of `lineageId` from the engine's store. */
export function lineageRecords(engine: Engine, lineageId: string): LineageRecords {
  const all = (kind: RunKind, states?: StateType[]) => {
    const runs: RunRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = engine.listRuns({
        kind,
        lineageId,
        ...(states ? { states } : {}),
        sort: "created",
        order: "asc",
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      runs.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return runs;
  };
  const completions = all("task", ["COMPLETED"]).flatMap((run) => {
    const event = engine.events(run.id).findLast((e) => e.to === "COMPLETED");
    return event ? [{ run, event }] : [];
  });
  const flowRuns = all("flow");
  const planFingerprints = new Map<string, string>();
  for (const run of flowRuns) {
    const started = engine.events(run.id).find((e) =>
      typeof e.data?.["planFingerprint"] === "string"
    );
    if (started) planFingerprints.set(run.id, started.data!["planFingerprint"] as string);
  }
  return { flowRuns, completions, planFingerprints };
}
