/**
 * A store that keeps everything in memory: for tests, scripts and
 * benchmarks. Same contract as the SQLite store, composed the same way:
 * writes (`_memory_write.ts`), queries (`_memory_queries.ts`), documents
 * and limits (`_memory_documents.ts`) over the data of `_memory_data.ts`.
 *
 * @module
 */
import type { Store } from "../core/mod.ts";
import { ComposedStore } from "./_composed_store.ts";
import { MemoryData } from "./_memory_data.ts";
import { MemoryDocuments, MemoryLimits } from "./_memory_documents.ts";
import { MemoryQueries } from "./_memory_queries.ts";
import { MemoryWrites } from "./_memory_write.ts";

/** Creates an empty in-memory store. */
export function createMemoryStore(): Store {
  const data = new MemoryData();
  return new ComposedStore({
    schemaVersion: 1,
    writes: new MemoryWrites(data),
    queries: new MemoryQueries(data),
    limits: new MemoryLimits(data),
    documents: new MemoryDocuments(data),
  });
}
