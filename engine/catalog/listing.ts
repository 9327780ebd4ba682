/**
 * Flow listings that follow the catalog: runs recorded under a former name
 * count toward the renamed flow, archived flows are hidden unless asked for,
 * and deleted flows stay hidden until a new run of their name arrives.
 *
 * @module
 */
import {
  decodeBase64UrlJson,
  encodeBase64UrlJson,
  InvalidCursorError,
  type Page,
  type RunRecord,
  type StateType,
  type StoreReader,
} from "../core/mod.ts";
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
export function listFlows(store: StoreReader, options: ListFlowsOptions = {}): FlowListing[] {
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

/** Flow runs recorded under any of `names`, counted by state (states without runs left out). */
export function flowRunCounts(
  store: StoreReader,
  names: readonly string[],
): Partial<Record<StateType, number>> {
  const counts: Partial<Record<StateType, number>> = {};
  for (const flowName of names) {
    for (const [state, n] of Object.entries(store.countRuns({ kind: "flow", flowName }))) {
      if (n) counts[state as StateType] = (counts[state as StateType] ?? 0) + n;
    }
  }
  return counts;
}

/** The newest `limit` flow runs recorded under any of `names`, newest first. */
export function recentFlowRuns(
  store: StoreReader,
  names: readonly string[],
  limit: number,
): RunRecord[] {
  const runs = names.flatMap((flowName) =>
    store.listRuns({ kind: "flow", flowName, sort: "created", order: "desc", limit }).items
  );
  return runs
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, limit);
}

/**
 * A page of the flow runs recorded under any of `names`, newest first (each
 * name's runs in the store's order, merged by creation time). The cursor
 * carries each name's own keyset cursor, so paging stays exact.
 */
export function pageFlowRuns(
  store: StoreReader,
  names: readonly string[],
  options: { cursor?: string | null; limit?: number } = {},
): Page<RunRecord> {
  const limit = options.limit ?? 50;
  const from = options.cursor ? decodeCursor(options.cursor) : {};
  const query = (flowName: string, at: string | undefined, n: number) =>
    store.listRuns({
      kind: "flow",
      flowName,
      sort: "created",
      order: "desc",
      limit: n,
      ...(at !== undefined ? { cursor: at } : {}),
    });
  const lists = names.map((name) => {
    const at = from[name];
    const page = at === null ? { items: [], nextCursor: null } : query(name, at, limit);
    return { name, at, page, taken: 0 };
  });
  const items: RunRecord[] = [];
  while (items.length < limit) {
    let best: (typeof lists)[number] | undefined;
    for (const list of lists) {
      const head = list.page.items[list.taken];
      const top = best?.page.items[best.taken];
      if (head && (!top || newer(head, top))) best = list;
    }
    if (!best) break;
    items.push(best.page.items[best.taken++]!);
  }
  // Per name: its cursor, null when it has no more runs, absent for its start.
  const next: Record<string, string | null> = {};
  for (const { name, at, page, taken } of lists) {
    if (taken === page.items.length) next[name] = page.nextCursor;
    else if (taken > 0) next[name] = query(name, at ?? undefined, taken).nextCursor; // after the last shown
    else if (at !== undefined) next[name] = at;
  }
  const more = lists.some(({ name }) => next[name] !== null);
  return { items, nextCursor: more ? encodeCursor(next) : null };
}

function newer(a: RunRecord, b: RunRecord): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

function encodeCursor(cursors: Record<string, string | null>): string {
  return encodeBase64UrlJson(cursors);
}

function decodeCursor(cursor: string): Record<string, string | null | undefined> {
  const parsed = decodeBase64UrlJson(cursor);
  if (
    parsed && typeof parsed === "object" && !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => v === null || typeof v === "string")
  ) {
    return parsed as Record<string, string | null>;
  }
  throw new InvalidCursorError(`Cursor "${cursor.toWellFormed()}" is malformed`);
}
