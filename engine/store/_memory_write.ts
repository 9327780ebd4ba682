/**
 * The write side of the memory store: transactions that undo what they did
 * when their function throws, imports, projection rebuilds and purges.
 *
 * @module
 */
import {
  checkImportedSeq,
  type ConcurrencyLimit,
  type EngineEvent,
  type PurgeOptions,
  type PurgeResult,
  type RunRecord,
  type StoredDocument,
  type StoreTx,
  type StoreWrites,
} from "../core/mod.ts";
import { documentId, type MemoryData } from "./_memory_data.ts";
import { MemoryDocuments, MemoryLimits } from "./_memory_documents.ts";
import { purgeMemoryRuns } from "./_memory_purge.ts";

/** What a transaction changed, kept to roll it back. */
interface Undo {
  events: number;
  logs: number;
  /** Runs before their first change (undefined: created by the transaction). */
  runs: Map<string, RunRecord | undefined>;
  /** Documents before their first change (undefined: absent). */
  documents: Map<string, StoredDocument | undefined>;
  /** Limits before their first change (undefined: absent). */
  limits: Map<string, ConcurrencyLimit | undefined>;
}

/** Writes of the memory store; the store checks that it is open before each. */
export class MemoryWrites implements StoreWrites {
  readonly #data: MemoryData;
  readonly #documents: MemoryDocuments;
  readonly #limits: MemoryLimits;

  constructor(data: MemoryData) {
    this.#data = data;
    this.#documents = new MemoryDocuments(data);
    this.#limits = new MemoryLimits(data);
  }

  /** Runs `fn`; when it throws, what it wrote is undone. */
  write<T>(fn: (tx: StoreTx) => T): T {
    const data = this.#data;
    const undo: Undo = {
      events: data.events.length,
      logs: data.logs.length,
      runs: new Map(),
      documents: new Map(),
      limits: new Map(),
    };
    try {
      return fn(this.#transaction(undo));
    } catch (error) {
      this.#rollBack(undo);
      throw error;
    }
  }

  importEvents(events: Iterable<EngineEvent>): void {
    const eventsBefore = this.#data.events.length;
    try {
      for (const event of events) {
        checkImportedSeq(event.seq, this.#data.lastSeq());
        this.#data.append(event);
      }
    } catch (error) {
      // All or nothing, like the SQLite store's import transaction.
      this.#data.dropEventsFrom(eventsBefore);
      throw error;
    }
  }

  rebuildProjections(apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord): void {
    const runs = this.#data.runs;
    runs.clear();
    for (const event of this.#data.events) {
      runs.set(event.runId, apply(runs.get(event.runId), event));
    }
  }

  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    return purgeMemoryRuns(this.#data, rootIds, options);
  }

  // What `fn` of write() may do; `undo` learns what each change replaced.
  #transaction(undo: Undo): StoreTx {
    const data = this.#data;
    const documents = this.#documents;
    const limits = this.#limits;
    const rememberDocument = (collection: string, key: string) => {
      const id = documentId(collection, key);
      if (!undo.documents.has(id)) undo.documents.set(id, data.documents.get(id));
    };
    const rememberLimit = (name: string) => {
      if (!undo.limits.has(name)) undo.limits.set(name, data.limits.get(name));
    };
    return {
      getConcurrencyLimit: (name) => limits.getConcurrencyLimit(name),
      putConcurrencyLimit: (limit) => {
        rememberLimit(limit.name);
        limits.putConcurrencyLimit(limit);
      },
      deleteConcurrencyLimit: (name) => {
        rememberLimit(name);
        return limits.deleteConcurrencyLimit(name);
      },
      getDocument: (collection, key) => documents.getDocument(collection, key),
      listDocuments: (query) => documents.listDocuments(query),
      putDocument: (document) => {
        rememberDocument(document.collection, document.key);
        documents.putDocument(document);
      },
      deleteDocument: (collection, key) => {
        rememberDocument(collection, key);
        return documents.deleteDocument(collection, key);
      },
      externalChanges: () => {
        const purged = data.purged;
        data.purged = false;
        return purged;
      },
      getRun: (id) => data.runs.get(id),
      existingRunIds: (ids) => new Set(ids.filter((id) => data.runs.has(id))),
      runTokens: (id) => new Map(data.tokens.get(id)),
      appendEvent: (event) => data.append(event),
      insertRun: (run) => {
        if (data.runs.has(run.id)) throw new Error(`Run "${run.id}" already exists`);
        if (!undo.runs.has(run.id)) undo.runs.set(run.id, undefined);
        data.runs.set(run.id, { ...run });
      },
      updateRun: (run) => {
        const prev = data.runs.get(run.id);
        if (!prev) throw new Error(`Run "${run.id}" does not exist`);
        if (!undo.runs.has(run.id)) undo.runs.set(run.id, prev);
        data.runs.set(run.id, { ...run });
      },
      appendLog: (log) => {
        // The newest line is never purged, so ids are never reused.
        const id = (data.logs.at(-1)?.id ?? 0) + 1;
        data.logs.push({ ...log, id });
        return id;
      },
    };
  }

  // Drops appended events and logs, restores touched runs, documents and limits.
  #rollBack(undo: Undo): void {
    const data = this.#data;
    for (const [id, document] of undo.documents) {
      if (document === undefined) data.documents.delete(id);
      else data.documents.set(id, document);
    }
    for (const [name, limit] of undo.limits) {
      if (limit === undefined) data.limits.delete(name);
      else data.limits.set(name, limit);
    }
    data.logs.length = undo.logs;
    data.dropEventsFrom(undo.events);
    for (const [id, prev] of undo.runs) {
      if (prev === undefined) data.runs.delete(id);
      else data.runs.set(id, prev);
    }
  }
}
