/**
 * Documents and concurrency limits of the memory store, copied in and out so
 * callers never share the stored records.
 *
 * @module
 */
import {
  compareSortValues,
  type ConcurrencyLimit,
  type ConcurrencyLimitAccess,
  type DocumentAccess,
  type DocumentQuery,
  type StoredDocument,
} from "../core/mod.ts";
import { documentId, type MemoryData } from "./_memory_data.ts";

/** The memory store's documents. */
export class MemoryDocuments implements DocumentAccess {
  readonly #data: MemoryData;

  constructor(data: MemoryData) {
    this.#data = data;
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    const document = this.#data.documents.get(documentId(collection, key));
    return document ? structuredClone(document) : undefined;
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    const limit = query.limit ?? 1000;
    return [...this.#data.documents.values()]
      .filter((d) =>
        d.collection === query.collection && (query.ref === undefined || d.ref === query.ref) &&
        (query.afterKey === undefined || d.key > query.afterKey) &&
        (query.throughKey === undefined || d.key <= query.throughKey)
      )
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit)
      .map((d) => structuredClone(d));
  }

  putDocument(document: StoredDocument): void {
    this.#data.documents.set(
      documentId(document.collection, document.key),
      structuredClone(document),
    );
  }

  deleteDocument(collection: string, key: string): boolean {
    return this.#data.documents.delete(documentId(collection, key));
  }
}

/** The memory store's concurrency limits. */
export class MemoryLimits implements ConcurrencyLimitAccess {
  readonly #limits: Map<string, ConcurrencyLimit>;

  constructor(data: MemoryData) {
    this.#limits = data.limits;
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    return [...this.#limits.values()]
      .sort((a, b) => compareSortValues(a.name, b.name))
      .map((limit) => ({ ...limit }));
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    const limit = this.#limits.get(name);
    return limit ? { ...limit } : undefined;
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    this.#limits.set(limit.name, { ...limit });
  }

  deleteConcurrencyLimit(name: string): boolean {
    return this.#limits.delete(name);
  }
}
