/**
 * Flow listings that follow the catalog: runs recorded under a former name
 * count toward the renamed flow, archived flows are hidden unless asked for,
 * and deleted flows stay hidden until a new run of their name arrives.
 *
 * @module
 */
import type { RunRecord, StateType, Store } from "../core/mod.ts";
import { findFlow, type FlowRecord, isDeleted } from "./catalog.ts";

/** One flow in a listing. */
export interface FlowListing {
  /** The catalog id; `null` for a flow no catalog operation has touched yet. */
  id: string | null;
  name: string;
  formerly: string[];
  archived: boolean;
  retentionDays: number | null;
  runs: number;
  lastRun: { id: string; state: StateType; createdAt: number };
}

/** Options of {@linkcode listFlows}. */
export interface ListFlowsOptions {
  /** Include archived flows. @default false */
  archived?: boolean;
}

/** Every listed flow, ordered by name. */
export function listFlows(store: Store, options: ListFlowsOptions = {}): FlowListing[] {
  const byKey = new Map<string, FlowListing>();
  for (const stat of store.flowStats()) {
    if (isDeleted(store, stat.flowName, stat.lastRunCreatedAt)) continue;
    const flow: FlowRecord | undefined = findFlow(store, stat.flowName);
    if (flow?.archived && !options.archived) continue;
    const key = flow ? `id:${flow.id}` : `name:${stat.flowName}`;
    const lastRun = {
      id: stat.lastRunId,
      state: stat.lastRunState,
      createdAt: stat.lastRunCreatedAt,
    };
    const entry = byKey.get(key);
    if (entry) {
      entry.runs += stat.runs;
      if (lastRun.createdAt > entry.lastRun.createdAt) entry.lastRun = lastRun;
      continue;
    }
    byKey.set(key, {
      id: flow?.id ?? null,
      name: flow?.name ?? stat.flowName,
      formerly: flow?.formerly ?? [],
      archived: flow?.archived ?? false,
      retentionDays: flow?.retentionDays ?? null,
      runs: stat.runs,
      lastRun,
    });
  }
  return [...byKey.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The names a flow's runs were recorded under: its name, then its former names. */
export function flowNames(flow: FlowRecord): string[] {
  return [flow.name, ...flow.formerly];
}

/** The newest `limit` flow runs recorded under any of `names`, newest first. */
export function recentFlowRuns(store: Store, names: readonly string[], limit: number): RunRecord[] {
  const runs = names.flatMap((flowName) =>
    store.listRuns({ kind: "flow", flowName, sort: "created", order: "desc", limit }).items
  );
  return runs
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit);
}
