/**
 * Resume on retry: a new attempt of a flow run's lineage skips task runs
 * whose planned identity (task key, map index, input fingerprint) completed in
 * an earlier attempt with a stored result (or no result), and restores the
 * value instead of running the task again.
 *
 * @module
 */
import { fnv1a64 } from "../engine/mod.ts";
import { type EngineEvent, type RunRecord, StateType } from "../engine/mod.ts";
import type { StoredResult } from "./results.ts";
import { storedResultOf } from "./results.ts";

/** What an earlier attempt recorded about one completed task run. */
export interface Completion {
  readonly runId: string;
  readonly taskKey: string;
  readonly mapIndex: number | null;
  readonly inputs: string;
  readonly result: StoredResult;
}

/** Everything earlier attempts of a lineage recorded. */
export interface LineageHistory {
  readonly flowRuns: readonly RunRecord[];
  /** Plan fingerprint each flow run started with, by run id. */
  readonly planFingerprints?: ReadonlyMap<string, string>;
  readonly completions: ReadonlyArray<{ run: RunRecord; event: EngineEvent }>;
}

/** A fingerprint of resolved task inputs, or `undefined` when they are not JSON. */
export function inputFingerprint(args: readonly unknown[]): string | undefined {
  try {
    const json = JSON.stringify(args);
    return json === undefined ? undefined : fnv1a64(json);
  } catch {
    return undefined;
  }
}

/** Completed task runs of earlier attempts, by resume key. */
export class ResumeIndex {
  readonly #byKey = new Map<string, Completion>();

  /**
   * The index for `run`, or `undefined` when nothing may be skipped: a first
   * attempt, or changed flow parameters.
   */
  static from(
    run: RunRecord,
    history: LineageHistory,
    planFingerprint?: string,
  ): ResumeIndex | undefined {
    // A re-run of the same flow run (resumed after a terminate pause) restores its own work.
    const rerun = run.runCount > 0;
    if (run.attempt <= 1 && !rerun) return undefined;
    const previous = history.flowRuns
      .filter((r) => r.id !== run.id && r.attempt < run.attempt)
      .sort((a, b) => b.attempt - a.attempt)[0];
    if (!previous && !rerun) return undefined;
    if (previous && canonicalJson(previous.parameters) !== canonicalJson(run.parameters)) {
      return undefined;
    }
    // The flow's code changed shape between attempts: its task keys may mean other calls now.
    const previousPlan = previous ? history.planFingerprints?.get(previous.id) : undefined;
    if (
      previousPlan !== undefined && planFingerprint !== undefined &&
      previousPlan !== planFingerprint
    ) {
      return undefined;
    }
    const index = new ResumeIndex();
    // Later attempts win: sort by attempt so their completions overwrite.
    const sorted = [...history.completions].sort((a, b) => a.run.attempt - b.run.attempt);
    for (const { run: task, event } of sorted) {
      const earlier = task.attempt < run.attempt || task.parentId === run.id;
      if (task.state !== StateType.COMPLETED || task.taskKey === null || !earlier) continue;
      const result = storedResultOf(event.data);
      const inputs = event.data?.["inputs"];
      if (!result || typeof inputs !== "string") continue;
      index.#byKey.set(resumeKey(task.taskKey, task.mapIndex, inputs), {
        runId: task.id,
        taskKey: task.taskKey,
        mapIndex: task.mapIndex,
        inputs,
        result,
      });
    }
    return index;
  }

  /** The completion to restore for this task call, if any. */
  find(taskKey: string, mapIndex: number | null, inputs: string): Completion | undefined {
    return this.#byKey.get(resumeKey(taskKey, mapIndex, inputs));
  }

  get size(): number {
    return this.#byKey.size;
  }
}

function resumeKey(taskKey: string, mapIndex: number | null, inputs: string): string {
  return `${taskKey}|${mapIndex ?? ""}|${inputs}`;
}

/** JSON with object keys sorted: a deployment and a retry may name the same parameters in another order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) return item;
    const record = item as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
  });
}
