/**
 * Copies one store into another, empty one (`ironflow db copy`): the event
 * log verbatim (seqs kept), projections rebuilt from it, log lines,
 * documents and concurrency limits; then counts both sides.
 *
 * @module
 */
import { allDocuments, ConflictError, type Store } from "../core/mod.ts";

/** Rows per transaction of the copy. */
const CHUNK = 5000;

/** What a store holds, as {@linkcode copyStore} compares it. */
export interface StoreCounts {
  events: number;
  lastSeq: number;
  flowRuns: number;
  taskRuns: number;
  logs: number;
  /** Documents per collection copied. */
  documents: Record<string, number>;
  limits: number;
}

/** Options of {@linkcode copyStore}. */
export interface CopyStoreOptions {
  /** The document collections to copy (the source knows them; the port lists by collection). */
  collections: readonly string[];
  /** Rebuilds the target's projections from its log (the engine's `rebuildProjections`). */
  rebuild: () => void;
  /** Told after each step. */
  onProgress?: (step: string) => void;
}

/** What {@linkcode copyStore} found on both sides once it was done. */
export interface CopyReport {
  source: StoreCounts;
  target: StoreCounts;
  /** Names of the counts that differ; empty when the copy is whole. */
  mismatches: string[];
}

/**
 * Copies `source` into `target`, which must hold no event, run, log line,
 * document of `collections` or limit (it is refused otherwise, untouched).
 */
export function copyStore(source: Store, target: Store, options: CopyStoreOptions): CopyReport {
  const before = countStore(target, options.collections);
  const occupied = Object.values(before.documents).some((n) => n > 0) || before.limits > 0 ||
    before.events + before.flowRuns + before.taskRuns + before.logs > 0;
  if (occupied) {
    throw new ConflictError(
      `Cannot copy into a database that is not empty (${before.events} events, ` +
        `${before.flowRuns} flow runs, ${before.logs} log lines): copy into a new database or schema`,
    );
  }
  const progress = options.onProgress ?? (() => {});
  for (let after = 0;;) {
    const events = source.events({ afterSeq: after, limit: CHUNK });
    if (events.length === 0) break;
    target.importEvents(events);
    after = events.at(-1)!.seq;
  }
  progress("events");
  options.rebuild();
  progress("runs");
  for (let afterId = 0;;) {
    const logs = source.logs({ afterId, limit: CHUNK });
    if (logs.length === 0) break;
    target.write((tx) => {
      for (const log of logs) tx.appendLog(log);
    });
    afterId = logs.at(-1)!.id!;
  }
  progress("logs");
  for (const collection of options.collections) {
    let page: ReturnType<Store["listDocuments"]> = [];
    const flush = () => {
      const documents = page;
      target.write((tx) => {
        for (const document of documents) tx.putDocument(document);
      });
      page = [];
    };
    for (const document of allDocuments(source, collection)) {
      page.push(document);
      if (page.length === CHUNK) flush();
    }
    flush();
  }
  progress("documents");
  target.write((tx) => {
    for (const limit of source.concurrencyLimits()) tx.putConcurrencyLimit(limit);
  });
  progress("limits");
  const report = {
    source: countStore(source, options.collections),
    target: countStore(target, options.collections),
  };
  return { ...report, mismatches: mismatches(report.source, report.target) };
}

/** Counts what `store` holds: events, runs, log lines, documents of `collections`, limits. */
export function countStore(store: Store, collections: readonly string[]): StoreCounts {
  let events = 0;
  for (let after = 0;;) {
    const page = store.events({ afterSeq: after, limit: CHUNK });
    events += page.length;
    if (page.length < CHUNK) break;
    after = page.at(-1)!.seq;
  }
  let logs = 0;
  for (let afterId = 0;;) {
    const page = store.logs({ afterId, limit: CHUNK });
    logs += page.length;
    if (page.length < CHUNK) break;
    afterId = page.at(-1)!.id!;
  }
  const documents: Record<string, number> = {};
  for (const collection of collections) {
    let n = 0;
    for (const _ of allDocuments(store, collection)) n++;
    documents[collection] = n;
  }
  const summary = store.summary();
  return {
    events,
    lastSeq: store.lastSeq(),
    flowRuns: summary.flowRuns,
    taskRuns: summary.taskRuns,
    logs,
    documents,
    limits: store.concurrencyLimits().length,
  };
}

function mismatches(a: StoreCounts, b: StoreCounts): string[] {
  const out: string[] = [];
  for (const key of ["events", "lastSeq", "flowRuns", "taskRuns", "logs", "limits"] as const) {
    if (a[key] !== b[key]) out.push(key);
  }
  for (const [collection, n] of Object.entries(a.documents)) {
    if (b.documents[collection] !== n) out.push(`documents:${collection}`);
  }
  return out;
}
