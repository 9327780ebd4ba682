/**
 * Durable results: JSON-safe values are kept inline in the history up to a
 * size limit; larger values and bytes go to a content-addressed result store
 * (files under `IRONFLOW_HOME/results`). Values that cannot be stored are
 * reported, never silently dropped.
 *
 * @module
 */
import type { ResultFiles } from "../engine/retention/mod.ts";
import type { Json } from "../engine/mod.ts";
import { removeUnless, resultFolderEntries, resultPath } from "./_result_folder.ts";
import { readEnv } from "./env.ts";
import { deserialize, serialize } from "node:v8";

/** Where large or binary results live, by content address. */
export interface ResultStore {
  /** Stores bytes; resolves with their address (`sha256:<hex>`). */
  put(bytes: Uint8Array): Promise<string>;
  /** The bytes at `ref`, or `undefined` when missing. */
  get(ref: string): Promise<Uint8Array | undefined>;
  /**
   * The stored results as the retention sweep collects them (deleting those
   * no surviving run references); absent when they are not this process's
   * to delete.
   */
  readonly files?: ResultFiles;
}

/** A result as it is recorded on the COMPLETED event. */
export type StoredResult =
  | { readonly kind: "none" }
  | { readonly kind: "inline"; readonly value: Json }
  | {
    readonly kind: "ref";
    readonly ref: string;
    readonly size: number;
    readonly encoding: "json" | "bytes" | "structured-clone";
    /** The folder of a run's own `resultStorage`, when not the control plane's store. */
    readonly location?: string;
  };

/**
 * How a result becomes bytes: `json` (the default: JSON-safe values, inline
 * when small) or `structured-clone` (Dates, Maps, Sets, typed arrays, cycles...;
 * always in the result store).
 */
export type ResultSerializer = "json" | "structured-clone";

/** Why a result could not be stored. */
export class ResultNotSerializableError extends TypeError {
  override name = "ResultNotSerializableError";
}

/** Default inline limit: 64 KiB, or `IRONFLOW_RESULT_INLINE_MAX_BYTES`. */
export function inlineLimitBytes(): number {
  const configured = Number(readEnv("IRONFLOW_RESULT_INLINE_MAX_BYTES"));
  return Number.isFinite(configured) && configured >= 0 ? configured : 64 * 1024;
}

/** Throws `ResultNotSerializableError` naming the path of the first value JSON cannot carry. */
export function assertJsonSafe(value: unknown, path = "result", seen = new Set<unknown>()): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new ResultNotSerializableError(`${path} is ${value}, which JSON cannot hold`);
    }
    return;
  }
  if (typeof value !== "object") {
    throw new ResultNotSerializableError(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
  if (seen.has(value)) throw new ResultNotSerializableError(`${path} is a circular reference`);
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonSafe(item, `${path}[${i}]`, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? "object";
      throw new ResultNotSerializableError(`${path} is a ${kind}, not a plain object`);
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw new ResultNotSerializableError(`${path}.${key} is undefined`);
      assertJsonSafe(item, `${path}.${key}`, seen);
    }
  }
  seen.delete(value);
}

/**
 * Encodes a value for the history: `undefined` → none; JSON-safe → inline or
 * a JSON file; `Uint8Array` → a bytes file. Throws
 * `ResultNotSerializableError` for anything else.
 */
export async function encodeResult(
  value: unknown,
  store: ResultStore,
  inlineLimit = inlineLimitBytes(),
  serializer: ResultSerializer = "json",
): Promise<StoredResult> {
  if (value === undefined) return { kind: "none" };
  if (serializer === "structured-clone") {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(serialize(value));
    } catch (error) {
      throw new ResultNotSerializableError(`result cannot be cloned: ${(error as Error).message}`);
    }
    const ref = await store.put(bytes);
    return { kind: "ref", ref, size: bytes.byteLength, encoding: "structured-clone" };
  }
  if (value instanceof Uint8Array) {
    return { kind: "ref", ref: await store.put(value), size: value.byteLength, encoding: "bytes" };
  }
  assertJsonSafe(value);
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= inlineLimit) return { kind: "inline", value: value as Json };
  return { kind: "ref", ref: await store.put(bytes), size: bytes.byteLength, encoding: "json" };
}

/** Decodes a stored result; throws when its bytes are missing from the store. */
export async function decodeResult(stored: StoredResult, store: ResultStore): Promise<unknown> {
  switch (stored.kind) {
    case "none":
      return undefined;
    case "inline":
      return stored.value;
    case "ref": {
      const from = stored.location ? createFileResultStore(stored.location) : store;
      const bytes = await from.get(stored.ref);
      if (!bytes) throw new Error(`Result "${stored.ref}" is missing from the result store`);
      if (stored.encoding === "structured-clone") return deserialize(bytes);
      return stored.encoding === "bytes" ? bytes : JSON.parse(new TextDecoder().decode(bytes));
    }
  }
}

/** The stored result of an event's data, if it has one. */
export function storedResultOf(
  data: { readonly [key: string]: Json } | null | undefined,
): StoredResult | undefined {
  const result = data?.["result"];
  if (!result || typeof result !== "object" || Array.isArray(result)) return undefined;
  const kind = (result as { kind?: unknown }).kind;
  if (kind === "none" || kind === "inline" || kind === "ref") {
    return result as unknown as StoredResult;
  }
  return undefined;
}

/** The content address of `bytes`: `sha256:<hex>`, as result stores answer it. */
export async function resultRef(bytes: Uint8Array): Promise<string> {
  return `sha256:${await sha256Hex(bytes)}`;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A result store in memory (tests, in-memory control planes); `now` dates writes. */
export function createMemoryResultStore(now: () => number = Date.now): ResultStore {
  const blobs = new Map<string, { bytes: Uint8Array; modifiedAt: number }>();
  return {
    async put(bytes) {
      const ref = await resultRef(bytes);
      blobs.set(ref, { bytes: blobs.get(ref)?.bytes ?? bytes.slice(), modifiedAt: now() });
      return ref;
    },
    get: (ref) => Promise.resolve(blobs.get(ref)?.bytes.slice()),
    files: {
      async *list() {
        yield* [...blobs].map(([ref, blob]) => ({ ref, modifiedAt: blob.modifiedAt }));
      },
      delete(ref, { unusedSince }) {
        const blob = blobs.get(ref);
        if (!blob || blob.modifiedAt >= unusedSince) return Promise.resolve(false);
        return Promise.resolve(blobs.delete(ref));
      },
    },
  };
}

/**
 * A result store in a folder: one file per content hash, written atomically.
 * Its `files` let the retention sweep delete results no surviving run
 * references: a file's modification time is its last write or reuse.
 */
export function createFileResultStore(folder: string): ResultStore {
  const pathOf = (ref: string) => resultPath(folder, ref);
  return {
    async put(bytes) {
      const ref = await resultRef(bytes);
      const path = pathOf(ref);
      try {
        // Same content, already stored: marking it used keeps a collection
        // that started before this run references it from deleting it.
        const now = new Date();
        await Deno.utime(path, now, now);
        return ref;
      } catch {
        // Not stored yet (or just collected).
      }
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      const temporary = `${path}.${crypto.randomUUID()}.tmp`;
      await Deno.writeFile(temporary, bytes);
      await Deno.rename(temporary, path);
      return ref;
    },
    async get(ref) {
      try {
        return await Deno.readFile(pathOf(ref)); // allowed: user results, not project files
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return undefined;
        throw error;
      }
    },
    files: {
      async *list() {
        for await (const { ref, info } of resultFolderEntries(folder)) {
          yield { ref, modifiedAt: info.mtime?.getTime() ?? 0 };
        }
      },
      // A run that reused the file before the move made it recent, so it goes back.
      delete: (ref, { unusedSince }) =>
        removeUnless(
          pathOf(ref),
          async (aside) => ((await Deno.stat(aside)).mtime?.getTime() ?? 0) >= unusedSince,
          { tag: "collect" },
        ),
    },
  };
}
