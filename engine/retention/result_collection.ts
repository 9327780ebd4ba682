/**
 * Collecting result files nothing references any more, after retention
 * purged the runs that stored them. Results are content-addressed, so one
 * file can hold the result of many runs: a file goes only when no event,
 * result artifact or live cache entry names it (mark and sweep), and only
 * when it was neither written nor reused for a grace period, so a run that is
 * storing the same bytes right now keeps it. The engine does no file I/O: the
 * files come in as a {@linkcode ResultFiles} port.
 *
 * @module
 */
import { allDocuments, type Json, type StoreReader } from "../core/mod.ts";

/** A stored result file: its reference and when it was last written or reused. */
export interface ResultFile {
  /** `sha256:<hex>`, as recorded in event data and result artifacts. */
  ref: string;
  /** Epoch ms of the last write or reuse (a store that finds the bytes stored refreshes it). */
  modifiedAt: number;
}

/**
 * The result files the retention sweep may delete. The server and the CLI
 * hand in the `results` folder beside their database (`sdk/results.ts`);
 * tests hand in a fake.
 */
export interface ResultFiles {
  /** Every stored result. */
  list(): AsyncIterable<ResultFile>;
  /**
   * Deletes a result unless it was written or reused at or after
   * `unusedSince` (epoch ms); resolves whether it deleted it. A missing file
   * is not an error.
   */
  delete(ref: string, options: { unusedSince: number }): Promise<boolean>;
}

/** Options of {@linkcode collectResults}. */
export interface CollectResultsOptions {
  /** The collection's time (epoch ms). */
  now: number;
  /** Files written or reused less than this long ago stay. @default 3_600_000 */
  graceMs?: number;
  /** Awaited between pages of the event log, so the scan does not hold the event loop. */
  pause?: () => Promise<void>;
}

/** What {@linkcode collectResults} did. */
export interface CollectResultsResult {
  /** Files deleted. */
  deleted: number;
  /** Files older than the grace period that something still references. */
  referenced: number;
}

const REF = /^sha256:[0-9a-f]{64}$/;
const PAGE = 1000;
// Document collections whose data may name results: result artifacts
// (engine/artifacts.ts) and cache entries (engine/core/cache_rules.ts).
const ARTIFACTS = "artifact";
const CACHE = "cache";

/**
 * Deletes the result files older than the grace period that no event, no
 * artifact and no unexpired cache entry references. Its cost is one pass over
 * the event log, cut short once every old file was found referenced.
 */
export async function collectResults(
  store: StoreReader,
  files: ResultFiles,
  options: CollectResultsOptions,
): Promise<CollectResultsResult> {
  const unusedSince = options.now - (options.graceMs ?? 3_600_000);
  const pause = options.pause ?? (() => Promise.resolve());
  const unmarked = new Set<string>();
  for await (const file of files.list()) {
    if (file.modifiedAt < unusedSince && REF.test(file.ref)) unmarked.add(file.ref);
  }
  const old = unmarked.size;
  const mark = (value: Json | undefined) => markRefs(value, unmarked);
  for (const collection of [ARTIFACTS, CACHE]) {
    for (const doc of allDocuments(store, collection)) {
      if (unmarked.size === 0) break;
      if (doc.expiresAt === null || doc.expiresAt > options.now) mark(doc.data);
    }
  }
  let afterSeq = 0;
  while (unmarked.size > 0) {
    const page = store.events({ afterSeq, limit: PAGE });
    for (const event of page) mark(event.data ?? undefined);
    if (page.length < PAGE) break;
    afterSeq = page.at(-1)!.seq;
    await pause();
  }
  let deleted = 0;
  for (const ref of unmarked) {
    if (await files.delete(ref, { unusedSince })) deleted += 1;
  }
  return { deleted, referenced: old - unmarked.size };
}

// Drops from `unmarked` every result reference found in `value`.
function markRefs(value: Json | undefined, unmarked: Set<string>): void {
  if (typeof value === "string") {
    if (value.startsWith("sha256:")) unmarked.delete(value);
  } else if (Array.isArray(value)) {
    for (const item of value) markRefs(item, unmarked);
  } else if (value !== null && typeof value === "object") {
    for (const key in value) markRefs(value[key], unmarked);
  }
}
