/**
 * A store that keeps everything in memory: for tests, scripts and
 * benchmarks. Same contract as the SQLite store.
 *
 * @module
 */
import {
  type ActivityBucket,
  type ActivityQuery,
  checkActivityQuery,
  checkImportedSeq,
  compareSortValues,
  type ConcurrencyLimit,
  decodeCursor,
  type DocumentQuery,
  emptyPurgeResult,
  encodeCursor,
  type EngineEvent,
  type EventQuery,
  type FlowStat,
  type LogQuery,
  type LogRecord,
  matchesQuery,
  type Page,
  type PendingEvent,
  type PurgeKeptReason,
  type PurgeOptions,
  type PurgeResult,
  queryShape,
  type RunQuery,
  type RunRecord,
  SORT_FIELDS,
  type StateType,
  type Store,
  type StoredDocument,
  type StoreSummary,
  type StoreTx,
  type TaskGraph,
  type TaskGraphEdge,
  type TaskGraphNode,
  TERMINAL_STATES,
} from "../core/mod.ts";

function documentId(collection: string, key: string): string {
  return `${collection}\u0000${key}`;
}

/** Creates an empty in-memory store. */
export function createMemoryStore(): Store {
  return new MemoryStore();
}

class MemoryStore implements Store {
  readonly schemaVersion = 1;
  #events: EngineEvent[] = [];
  /** Each run's events, in seq order: `events({ runId })` must not scan the whole log. */
  #eventsByRun = new Map<string, EngineEvent[]>();
  #runs = new Map<string, RunRecord>();
  #tokens = new Map<string, Map<string, number>>();
  #logs: LogRecord[] = [];
  #limits = new Map<string, ConcurrencyLimit>();
  #documents = new Map<string, StoredDocument>();
  /** Set by a purge: the next transaction reports external changes (see purgeRuns). */
  #purged = false;
  #closed = false;

  write<T>(fn: (tx: StoreTx) => T): T {
    this.#assertOpen();
    const eventsBefore = this.#events.length;
    const logsBefore = this.#logs.length;
    const touched = new Map<string, RunRecord | undefined>();
    const documentsBefore = new Map<string, StoredDocument | undefined>();
    const rememberDocument = (collection: string, key: string) => {
      const id = documentId(collection, key);
      if (!documentsBefore.has(id)) documentsBefore.set(id, this.#documents.get(id));
    };
    const limitsBefore = new Map<string, ConcurrencyLimit | undefined>();
    const rememberLimit = (name: string) => {
      if (!limitsBefore.has(name)) limitsBefore.set(name, this.#limits.get(name));
    };
    const tx: StoreTx = {
      getConcurrencyLimit: (name) => this.getConcurrencyLimit(name),
      putConcurrencyLimit: (limit) => {
        rememberLimit(limit.name);
        this.putConcurrencyLimit(limit);
      },
      deleteConcurrencyLimit: (name) => {
        rememberLimit(name);
        return this.deleteConcurrencyLimit(name);
      },
      getDocument: (collection, key) => this.getDocument(collection, key),
      listDocuments: (query) => this.listDocuments(query),
      putDocument: (document) => {
        rememberDocument(document.collection, document.key);
        this.putDocument(document);
      },
      deleteDocument: (collection, key) => {
        rememberDocument(collection, key);
        return this.deleteDocument(collection, key);
      },
      externalChanges: () => {
        const purged = this.#purged;
        this.#purged = false;
        return purged;
      },
      getRun: (id) => this.#runs.get(id),
      existingRunIds: (ids) => new Set(ids.filter((id) => this.#runs.has(id))),
      runTokens: (id) => new Map(this.#tokens.get(id)),
      appendEvent: (event) => this.#append(event),
      insertRun: (run) => {
        if (this.#runs.has(run.id)) throw new Error(`Run "${run.id}" already exists`);
        if (!touched.has(run.id)) touched.set(run.id, undefined);
        this.#runs.set(run.id, { ...run });
      },
      updateRun: (run) => {
        const prev = this.#runs.get(run.id);
        if (!prev) throw new Error(`Run "${run.id}" does not exist`);
        if (!touched.has(run.id)) touched.set(run.id, prev);
        this.#runs.set(run.id, { ...run });
      },
      appendLog: (log) => {
        // The newest line is never purged, so ids are never reused.
        const id = (this.#logs.at(-1)?.id ?? 0) + 1;
        this.#logs.push({ ...log, id });
        return id;
      },
    };
    try {
      return fn(tx);
    } catch (error) {
      // Roll back: drop appended events and logs, restore touched runs and documents.
      for (const [id, document] of documentsBefore) {
        if (document === undefined) this.#documents.delete(id);
        else this.#documents.set(id, document);
      }
      for (const [name, limit] of limitsBefore) {
        if (limit === undefined) this.#limits.delete(name);
        else this.#limits.set(name, limit);
      }
      this.#logs.length = logsBefore;
      this.#dropEventsFrom(eventsBefore);
      for (const [id, prev] of touched) {
        if (prev === undefined) this.#runs.delete(id);
        else this.#runs.set(id, prev);
      }
      throw error;
    }
  }

  // Rolls the log back to its first `length` events.
  #dropEventsFrom(length: number): void {
    for (const event of this.#events.splice(length)) {
      this.#tokens.get(event.runId)?.delete(event.token);
      this.#eventsByRun.get(event.runId)?.pop();
    }
  }

  #append(event: PendingEvent): number {
    // A purge never deletes the newest event (so seqs are never reused), but
    // leaves gaps: seq is the last one plus one, not the length.
    const seq = this.lastSeq() + 1;
    // `seq` first, as the SQLite store returns it, so exports match byte for byte.
    const stored = { seq, ...event };
    this.#events.push(stored);
    let byRun = this.#eventsByRun.get(event.runId);
    if (!byRun) this.#eventsByRun.set(event.runId, byRun = []);
    byRun.push(stored);
    let tokens = this.#tokens.get(event.runId);
    if (!tokens) this.#tokens.set(event.runId, tokens = new Map());
    tokens.set(event.token, event.version);
    return seq;
  }

  getRun(runId: string): RunRecord | undefined {
    this.#assertOpen();
    const run = this.#runs.get(runId);
    return run ? { ...run } : undefined;
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    this.#assertOpen();
    const { sort, order, limit } = queryShape(query);
    const field = SORT_FIELDS[sort];
    const sign = order === "asc" ? 1 : -1;
    const valueOf = (run: RunRecord) => run[field] as number | string | null;
    const after = query.cursor ? decodeCursor(query.cursor, sort, order) : undefined;
    const rows = [...this.#runs.values()].filter((run) => {
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
    this.#assertOpen();
    const counts: Partial<Record<StateType, number>> = {};
    for (const run of this.#runs.values()) {
      if (matchesQuery(run, query)) counts[run.state] = (counts[run.state] ?? 0) + 1;
    }
    return counts;
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    this.#assertOpen();
    checkActivityQuery(query);
    // Counted from the runs: memory stores are small, and nothing can drift.
    const states = query.states?.length ? new Set(query.states) : undefined;
    const buckets = new Map<number, ActivityBucket>();
    for (const run of this.#runs.values()) {
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
    this.#assertOpen();
    const stats = new Map<string, FlowStat>();
    for (const run of this.#runs.values()) {
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
    this.#assertOpen();
    const names = new Set<string>();
    for (const run of this.#runs.values()) if (run.kind === "flow") names.add(run.flowName);
    return [...names].sort(compareSortValues).slice(0, limit);
  }

  taskGraph(flowRunId: string): TaskGraph {
    this.#assertOpen();
    const nodes = new Map<string, TaskGraphNode & { first: RunRecord }>();
    const keyOf = new Map<string, string>();
    const tasks: RunRecord[] = [];
    for (const run of this.#runs.values()) {
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
    return {
      nodes: [...nodes.values()]
        .sort((a, b) => olderRun(a.first, b.first) ? -1 : 1)
        .map(({ first: _, ...node }) => node),
      edges: [...edges.values()].sort((a, b) =>
        compareSortValues(a.from, b.from) || compareSortValues(a.to, b.to) ||
        compareSortValues(a.kind, b.kind)
      ),
    };
  }

  events(query: EventQuery = {}): EngineEvent[] {
    this.#assertOpen();
    const after = query.afterSeq ?? 0;
    if (query.runId !== undefined) {
      const events = (this.#eventsByRun.get(query.runId) ?? []).filter((e) => e.seq > after);
      return query.limit !== undefined ? events.slice(0, query.limit) : events;
    }
    const start = firstAbove(this.#events, (event) => event.seq, after);
    const end = query.limit !== undefined
      ? Math.min(this.#events.length, start + query.limit)
      : undefined;
    return this.#events.slice(start, end);
  }

  logs(query: LogQuery): LogRecord[] {
    this.#assertOpen();
    const limit = query.limit ?? 1000;
    const needle = query.text?.toLowerCase();
    const out: LogRecord[] = [];
    const start = firstAbove(this.#logs, (log) => log.id!, query.afterId ?? 0);
    for (let i = start; i < this.#logs.length && out.length < limit; i++) {
      const log = this.#logs[i]!;
      if (query.flowRunId !== undefined && log.flowRunId !== query.flowRunId) continue;
      if (query.taskRunId !== undefined && log.taskRunId !== query.taskRunId) continue;
      if (query.minLevel !== undefined && log.level < query.minLevel) continue;
      if (needle && !log.message.toLowerCase().includes(needle)) continue;
      out.push({ ...log });
    }
    return out;
  }

  lastSeq(): number {
    return this.#events.at(-1)?.seq ?? 0;
  }

  summary(): StoreSummary {
    this.#assertOpen();
    const summary: StoreSummary = {
      flowRuns: 0,
      taskRuns: 0,
      // Like the SQLite store: the highest seq (a purge leaves gaps).
      events: this.lastSeq(),
      flowRunsByState: {},
      taskRunsByState: {},
    };
    for (const run of this.#runs.values()) {
      const byState = run.kind === "flow" ? summary.flowRunsByState : summary.taskRunsByState;
      if (run.kind === "flow") summary.flowRuns += 1;
      else summary.taskRuns += 1;
      byState[run.state] = (byState[run.state] ?? 0) + 1;
    }
    return summary;
  }

  rebuildProjections(
    apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord,
  ): void {
    this.#assertOpen();
    this.#runs.clear();
    for (const event of this.#events) {
      this.#runs.set(event.runId, apply(this.#runs.get(event.runId), event));
    }
  }

  importEvents(events: Iterable<EngineEvent>): void {
    this.#assertOpen();
    const eventsBefore = this.#events.length;
    try {
      for (const event of events) {
        checkImportedSeq(event.seq, this.lastSeq());
        this.#append(event);
      }
    } catch (error) {
      // All or nothing, like the SQLite store's import transaction.
      this.#dropEventsFrom(eventsBefore);
      throw error;
    }
  }

  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    this.#assertOpen();
    const result = emptyPurgeResult();
    const children = new Map<string, RunRecord[]>();
    const lineages = new Map<string, RunRecord[]>();
    for (const run of this.#runs.values()) {
      if (run.parentId !== null) push(children, run.parentId, run);
      if (run.kind === "flow") push(lineages, run.lineageId, run);
    }
    const newest = new Set<string>();
    const lastEvent = this.#events.at(-1);
    if (lastEvent) newest.add(lastEvent.runId);
    const lastLog = this.#logs.at(-1);
    if (lastLog) newest.add(lastLog.flowRunId);
    const endedBefore = options.endedBefore ?? Number.MAX_SAFE_INTEGER;
    const doomed = new Map<string, RunRecord>();
    const keep = (rootId: string): PurgeKeptReason | null => {
      const root = this.#runs.get(rootId);
      if (!root || root.kind !== "flow") return "not_found";
      if (root.parentId !== null) return "not_root";
      const attempts = lineages.get(root.lineageId) ?? [];
      if (attempts.some((run) => !TERMINAL_STATES.has(run.state))) return "live";
      if (attempts.some((run) => (run.endTime ?? run.updatedAt) >= endedBefore)) return "recent";
      const tree = [root];
      for (let i = 0; i < tree.length; i++) tree.push(...children.get(tree[i]!.id) ?? []);
      if (tree.some((run) => !TERMINAL_STATES.has(run.state))) return "live";
      if (tree.some((run) => newest.has(run.id))) return "newest";
      for (const run of tree) doomed.set(run.id, run);
      return null;
    };
    for (const rootId of new Set(rootIds)) {
      const reason = keep(rootId);
      if (reason === null) result.purged.push(rootId);
      else result.kept.push({ runId: rootId, reason });
    }
    // Count first and ask for the audit record before changing anything, so a
    // throwing `record` leaves the store as it was (like a rolled-back transaction).
    const documents: string[] = [];
    for (const [id, document] of this.#documents) {
      const byRef = document.ref !== null && doomed.has(document.ref) &&
        options.documentsByRef?.includes(document.collection);
      const byKey = doomed.has(document.key) &&
        options.documentsByKey?.includes(document.collection);
      if (byRef || byKey) documents.push(id);
    }
    for (const run of doomed.values()) {
      if (run.kind === "flow") result.flowRuns += 1;
      else result.taskRuns += 1;
      result.events += this.#eventsByRun.get(run.id)?.length ?? 0;
    }
    const logs = this.#logs.filter((log) => !doomed.has(log.flowRunId));
    result.logs = this.#logs.length - logs.length;
    result.documents = documents.length;
    const audit = options.record?.(structuredClone(result));
    if (doomed.size > 0) {
      this.#events = this.#events.filter((event) => !doomed.has(event.runId));
      this.#logs = logs;
      for (const id of documents) this.#documents.delete(id);
      for (const id of doomed.keys()) {
        this.#runs.delete(id);
        this.#eventsByRun.delete(id);
        this.#tokens.delete(id);
      }
      this.#purged = true;
    }
    if (audit) this.putDocument(audit);
    return result;
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    this.#assertOpen();
    return [...this.#limits.values()]
      .sort((a, b) => compareSortValues(a.name, b.name))
      .map((limit) => ({ ...limit }));
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    this.#assertOpen();
    const limit = this.#limits.get(name);
    return limit ? { ...limit } : undefined;
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    this.#assertOpen();
    this.#limits.set(limit.name, { ...limit });
  }

  deleteConcurrencyLimit(name: string): boolean {
    this.#assertOpen();
    return this.#limits.delete(name);
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    this.#assertOpen();
    const document = this.#documents.get(documentId(collection, key));
    return document ? structuredClone(document) : undefined;
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    this.#assertOpen();
    const limit = query.limit ?? 1000;
    return [...this.#documents.values()]
      .filter((d) =>
        d.collection === query.collection && (query.ref === undefined || d.ref === query.ref) &&
        (query.afterKey === undefined || d.key > query.afterKey)
      )
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  putDocument(document: StoredDocument): void {
    this.#assertOpen();
    this.#documents.set(documentId(document.collection, document.key), structuredClone(document));
  }

  deleteDocument(collection: string, key: string): boolean {
    this.#assertOpen();
    return this.#documents.delete(documentId(collection, key));
  }

  close(): void {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("Store is closed");
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
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
