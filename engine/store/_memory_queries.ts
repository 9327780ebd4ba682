/**
 * The query side of the memory store: runs, counts, activity, flow stats,
 * task graphs, events and logs, computed from the records it holds.
 *
 * @module
 */
import {
  type ActivityBucket,
  type ActivityQuery,
  checkActivityQuery,
  compareSortValues,
  decodeCursor,
  encodeCursor,
  type EngineEvent,
  type EventQuery,
  type FlowStat,
  type LogQuery,
  type LogRecord,
  matchesQuery,
  type Page,
  queryShape,
  type RunQuery,
  type RunRecord,
  SORT_FIELDS,
  type StateType,
  type StoreQueries,
  type StoreSummary,
  type TaskGraph,
  type TaskGraphEdge,
  type TaskGraphNode,
} from "../core/mod.ts";
import type { MemoryData } from "./_memory_data.ts";
import { summarize } from "./_store_summary.ts";

/** Reads of the memory store; records are copied out, never shared. */
export class MemoryQueries implements StoreQueries {
  readonly #data: MemoryData;

  constructor(data: MemoryData) {
    this.#data = data;
  }

  getRun(runId: string): RunRecord | undefined {
    const run = this.#data.runs.get(runId);
    return run ? { ...run } : undefined;
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    const { sort, order, limit } = queryShape(query);
    const field = SORT_FIELDS[sort];
    const sign = order === "asc" ? 1 : -1;
    const valueOf = (run: RunRecord) => run[field] as number | string | null;
    const after = query.cursor ? decodeCursor(query.cursor, sort, order) : undefined;
    const rows = [...this.#data.runs.values()].filter((run) => {
      if (!matchesQuery(run, query)) return false;
      if (!after) return true;
      const c = compareSortValues(valueOf(run), after.value) || compareSortValues(run.id, after.id);
      return c * sign > 0;
    });
    rows.sort((a, b) =>
      sign * (compareSortValues(valueOf(a), valueOf(b)) || compareSortValues(a.id, b.id))
    );
    const items = rows.slice(0, limit).map((run) => ({ ...run }));
    const last = items.at(-1);
    const nextCursor = rows.length > limit && last
      ? encodeCursor({ sort, order, value: valueOf(last), id: last.id })
      : null;
    return { items, nextCursor };
  }

  countRuns(query: RunQuery): Partial<Record<StateType, number>> {
    const counts: Partial<Record<StateType, number>> = {};
    for (const run of this.#data.runs.values()) {
      if (matchesQuery(run, query)) counts[run.state] = (counts[run.state] ?? 0) + 1;
    }
    return counts;
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    checkActivityQuery(query);
    // Counted from the runs: memory stores are small, and nothing can drift.
    const states = query.states?.length ? new Set(query.states) : undefined;
    const buckets = new Map<number, ActivityBucket>();
    for (const run of this.#data.runs.values()) {
      if (
        run.kind !== "flow" || run.createdAt < query.since || run.createdAt >= query.until ||
        (query.flowName !== undefined && run.flowName !== query.flowName) ||
        (states !== undefined && !states.has(run.state))
      ) continue;
      const start = run.createdAt - run.createdAt % query.bucketMs;
      let bucket = buckets.get(start);
      if (!bucket) buckets.set(start, bucket = { start, counts: {} });
      bucket.counts[run.state] = (bucket.counts[run.state] ?? 0) + 1;
    }
    return [...buckets.values()].sort((a, b) => a.start - b.start);
  }

  flowStats(): FlowStat[] {
    const stats = new Map<string, FlowStat>();
    for (const run of this.#data.runs.values()) {
      if (run.kind !== "flow") continue;
      const stat = stats.get(run.flowName);
      if (!stat) {
        stats.set(run.flowName, {
          flowName: run.flowName,
          runs: 1,
          lastRunId: run.id,
          lastRunState: run.state,
          lastRunCreatedAt: run.createdAt,
        });
        continue;
      }
      stat.runs += 1;
      if (
        (compareSortValues(run.createdAt, stat.lastRunCreatedAt) ||
          compareSortValues(run.id, stat.lastRunId)) > 0
      ) {
        stat.lastRunId = run.id;
        stat.lastRunState = run.state;
        stat.lastRunCreatedAt = run.createdAt;
      }
    }
    return [...stats.values()].sort((a, b) => compareSortValues(a.flowName, b.flowName));
  }

  flowNames(limit = 1000): string[] {
    const names = new Set<string>();
    for (const run of this.#data.runs.values()) if (run.kind === "flow") names.add(run.flowName);
    return [...names].sort(compareSortValues).slice(0, limit);
  }

  taskGraph(flowRunId: string): TaskGraph {
    const nodes = new Map<string, TaskGraphNode & { first: RunRecord }>();
    const keyOf = new Map<string, string>();
    const tasks: RunRecord[] = [];
    for (const run of this.#data.runs.values()) {
      if (run.kind !== "task" || run.parentId !== flowRunId) continue;
      tasks.push(run);
      const key = run.taskKey ?? run.id;
      keyOf.set(run.id, key);
      const node = nodes.get(key);
      if (!node) {
        nodes.set(key, {
          key,
          name: run.name,
          runs: 1,
          states: { [run.state]: 1 },
          firstRunId: run.id,
          first: run,
        });
        continue;
      }
      node.runs += 1;
      node.states[run.state] = (node.states[run.state] ?? 0) + 1;
      if (olderRun(run, node.first)) {
        node.first = run;
        node.firstRunId = run.id;
        node.name = run.name;
      }
    }
    return {
      nodes: [...nodes.values()]
        .sort((a, b) => olderRun(a.first, b.first) ? -1 : 1)
        .map(({ first: _, ...node }) => node),
      edges: taskEdges(tasks, keyOf),
    };
  }

  events(query: EventQuery = {}): EngineEvent[] {
    const after = query.afterSeq ?? 0;
    if (query.runId !== undefined) {
      const events = (this.#data.eventsByRun.get(query.runId) ?? []).filter((e) => e.seq > after);
      return query.limit !== undefined ? events.slice(0, query.limit) : events;
    }
    const all = this.#data.events;
    const start = firstAbove(all, (event) => event.seq, after);
    const end = query.limit !== undefined ? Math.min(all.length, start + query.limit) : undefined;
    return all.slice(start, end);
  }

  logs(query: LogQuery): LogRecord[] {
    const all = this.#data.logs;
    const limit = query.limit ?? 1000;
    const needle = query.text?.toLowerCase();
    const out: LogRecord[] = [];
    const start = firstAbove(all, (log) => log.id!, query.afterId ?? 0);
    for (let i = start; i < all.length && out.length < limit; i++) {
      const log = all[i]!;
      if (query.flowRunId !== undefined && log.flowRunId !== query.flowRunId) continue;
      if (query.taskRunId !== undefined && log.taskRunId !== query.taskRunId) continue;
      if (query.minLevel !== undefined && log.level < query.minLevel) continue;
      if (needle && !log.message.toLowerCase().includes(needle)) continue;
      out.push({ ...log });
    }
    return out;
  }

  lastSeq(): number {
    return this.#data.lastSeq();
  }

  summary(): StoreSummary {
    const counts = [...this.#data.runs.values()].map((run) => ({
      kind: run.kind,
      state: run.state,
      n: 1,
    }));
    return summarize(this.#data.lastSeq(), counts);
  }
}

// Upstream edges between the groups of `keyOf`, counted and ordered by from, to, kind.
function taskEdges(tasks: readonly RunRecord[], keyOf: Map<string, string>): TaskGraphEdge[] {
  const edges = new Map<string, TaskGraphEdge>();
  for (const run of tasks) {
    for (const edge of run.upstream) {
      const from = keyOf.get(edge.runId);
      if (from === undefined) continue;
      const to = keyOf.get(run.id)!;
      const id = JSON.stringify([from, to, edge.kind]);
      const known = edges.get(id);
      if (known) known.count += 1;
      else edges.set(id, { from, to, kind: edge.kind, count: 1 });
    }
  }
  return [...edges.values()].sort((a, b) =>
    compareSortValues(a.from, b.from) || compareSortValues(a.to, b.to) ||
    compareSortValues(a.kind, b.kind)
  );
}

// Index of the first item whose number is above `after` (items ascend by it).
function firstAbove<T>(items: readonly T[], numberOf: (item: T) => number, after: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (numberOf(items[mid]!) <= after) low = mid + 1;
    else high = mid;
  }
  return low;
}

function olderRun(a: RunRecord, b: RunRecord): boolean {
  return (compareSortValues(a.createdAt, b.createdAt) || compareSortValues(a.id, b.id)) < 0;
}
