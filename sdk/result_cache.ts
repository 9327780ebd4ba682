/**
 * A bounded local cache of result bytes, for the remote control plane: the
 * server holds every large result, so a copy here only spares a download.
 * Once a write takes the cache past its limit, the least recently used
 * entries are deleted until it is back under 90% of it (so not every write
 * scans the folder). An entry held with `hold()` — a result not yet
 * acknowledged by the server, or one that stays only here because the server
 * stores no results — is never evicted until `release()`; the hold is a
 * marker file beside it, so it outlives the process.
 *
 * @example
 * ```ts ignore
 * import { createResultCache } from "./result_cache.ts";
 * const cache = createResultCache(".ironflow/result-cache", { maxBytes: 64 * 1024 * 1024 });
 * const ref = await cache.hold(bytes); // the only copy: kept
 * await upload(ref, bytes);
 * await cache.release(ref); // the server has it: may be evicted
 * ```
 *
 * @module
 */
import { removeUnless, resultFolderEntries, resultPath } from "./_result_folder.ts";
import { readEnv } from "./env.ts";
import { createFileResultStore, resultRef, type ResultStore } from "./results.ts";

/** Default limit of a result cache: 256 MiB. */
export const DEFAULT_RESULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;

/** A result store that only caches: entries not held may be evicted at any time. */
export interface ResultCache extends ResultStore {
  /** Stores bytes that are never evicted until {@linkcode ResultCache.release}. */
  hold(bytes: Uint8Array): Promise<string>;
  /** The bytes at `ref` are safe elsewhere (the server acknowledged them): they may be evicted. */
  release(ref: string): Promise<void>;
}

/** Options of {@linkcode createResultCache}. */
export interface ResultCacheOptions {
  /**
   * Largest total size of the cached results in bytes; 0 keeps only held ones.
   * @default `IRONFLOW_RESULT_CACHE_MAX_BYTES`, else 268_435_456 (256 MiB)
   */
  maxBytes?: number;
  /** Dates writes and reads (least recently used go first). @default Date.now */
  now?: () => number;
}

/** Whether `store` is a {@linkcode ResultCache} (holds and releases entries). */
export function isResultCache(store: ResultStore): store is ResultCache {
  const cache = store as Partial<ResultCache>;
  return typeof cache.hold === "function" && typeof cache.release === "function";
}

/** `IRONFLOW_RESULT_CACHE_MAX_BYTES`, or the default; throws `RangeError` for a bad value. */
export function resultCacheMaxBytes(): number {
  const text = readEnv("IRONFLOW_RESULT_CACHE_MAX_BYTES");
  if (text === undefined || text.trim() === "") return DEFAULT_RESULT_CACHE_MAX_BYTES;
  const bytes = Number(text);
  if (!(Number.isSafeInteger(bytes) && bytes >= 0)) {
    throw new RangeError(
      `IRONFLOW_RESULT_CACHE_MAX_BYTES must be a whole number of bytes, got "${text}"`,
    );
  }
  return bytes;
}

/** A result cache in `folder`, one file per content hash, bounded by `maxBytes`. */
export function createResultCache(folder: string, options: ResultCacheOptions = {}): ResultCache {
  const maxBytes = options.maxBytes ?? resultCacheMaxBytes();
  if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new RangeError(`Result cache limit ${maxBytes} must be a whole number of bytes`);
  }
  const now = options.now ?? Date.now;
  const files = createFileResultStore(folder);
  const pathOf = (ref: string) => resultPath(folder, ref);
  // What the cache holds by this process's count: a write adds its size, and
  // only passing the limit costs a scan of the folder (which other processes
  // may share) to learn the truth and evict.
  let estimate: number | undefined;
  let evicting: Promise<void> = Promise.resolve();

  async function touch(ref: string): Promise<void> {
    const at = new Date(now());
    await Deno.utime(pathOf(ref), at, at);
  }

  async function written(ref: string, size: number): Promise<void> {
    try {
      await touch(ref);
    } catch (error) {
      // Evicted by another write meanwhile: it only costs a download.
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    estimate = estimate === undefined ? undefined : estimate + size;
    try {
      await checkSize();
    } catch (error) {
      // The write itself succeeded; the next one tries again.
      console.error(`IronFlow: evicting from the result cache "${folder}" failed:`, error);
    }
  }

  // One pass at a time; a failed pass does not stop the next.
  function checkSize(): Promise<void> {
    const pass = evicting.then(async () => {
      estimate ??= (await scan(folder)).total;
      if (estimate > maxBytes) estimate = await evict(folder, Math.floor(maxBytes * 0.9));
    });
    evicting = pass.catch(() => {
      estimate = undefined;
    });
    return pass;
  }

  return {
    async put(bytes) {
      const ref = await files.put(bytes);
      await written(ref, bytes.byteLength);
      return ref;
    },
    async hold(bytes) {
      const ref = await resultRef(bytes);
      const path = pathOf(ref);
      // The marker comes first: an eviction that finds the file finds it too.
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeFile(`${path}${HOLD}`, new Uint8Array(0));
      await files.put(bytes);
      await written(ref, bytes.byteLength);
      return ref;
    },
    async release(ref) {
      try {
        await Deno.remove(`${pathOf(ref)}${HOLD}`);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      await checkSize();
    },
    async get(ref) {
      const bytes = await files.get(ref);
      if (bytes) {
        try {
          await touch(ref);
        } catch {
          // Evicted meanwhile: the bytes were read all the same.
        }
      }
      return bytes;
    },
  };
}

/** Suffix of the marker file that keeps an entry from eviction. */
const HOLD = ".hold";

interface Entry {
  path: string;
  size: number;
  usedAt: number;
  held: boolean;
}

async function scan(folder: string): Promise<{ entries: Entry[]; total: number }> {
  const entries: Entry[] = [];
  let total = 0;
  for await (const { ref, path, info, names } of resultFolderEntries(folder)) {
    entries.push({
      path,
      size: info.size,
      usedAt: info.mtime?.getTime() ?? 0,
      held: names.has(`${ref.slice("sha256:".length)}${HOLD}`),
    });
    total += info.size;
  }
  return { entries, total };
}

// Deletes entries not held, least recently used first, until the total is at
// most `target`; resolves with the total left.
async function evict(folder: string, target: number): Promise<number> {
  const { entries, total } = await scan(folder);
  let left = total;
  entries.sort((a, b) => a.usedAt - b.usedAt);
  for (const entry of entries) {
    if (left <= target) break;
    if (entry.held) continue;
    if (await evictOne(entry.path)) left -= entry.size;
  }
  return left;
}

// A hold placed before the move (its upload may be under way) puts the file
// back; one placed after finds the file gone and writes it again.
function evictOne(path: string): Promise<boolean> {
  return removeUnless(path, async () => {
    try {
      await Deno.stat(`${path}${HOLD}`);
      return true;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      return false;
    }
  }, { tag: "evict" });
}
