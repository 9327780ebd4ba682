/**
 * Artifacts: markdown, tables, links, progress and results attached to a
 * flow run (and maybe a task run). Keyed artifacts are versioned: creating
 * one with an existing key adds the next version.
 *
 * A key's pointer (`artifact_key`) holds its highest version, which never
 * goes back, and its newest artifact. Each keyed artifact also has a version
 * entry (`artifact_version`) naming its flow run, so retention deletes it with
 * the run; {@linkcode repairArtifactKeys} then moves a pointer whose newest
 * artifact was purged to the newest surviving version, or to none, and
 * {@linkcode latestArtifact} never answers a purged artifact meanwhile.
 *
 * @module
 */
import {
  allDocuments,
  type Clock,
  type DocumentReader,
  InvalidArgumentError,
  type Json,
} from "./core/mod.ts";
import type { EngineStorePort } from "./engine.ts";
import { uuidv7 } from "./uuid7.ts";

/** Kinds of artifacts. */
export type ArtifactType = "markdown" | "table" | "link" | "image" | "progress" | "result";

/** An artifact as stored. */
export interface Artifact {
  id: string;
  /** Optional stable key; artifacts with the same key are versions of one another. */
  key: string | null;
  version: number;
  type: ArtifactType;
  description: string | null;
  /** Markdown text, table rows, `{ url, text }`, progress 0..100, or a result. */
  data: Json;
  flowRunId: string;
  taskRunId: string | null;
  createdAt: number;
  updatedAt: number;
}

/** What a caller gives to create an artifact. */
export interface NewArtifact {
  key?: string | null;
  type: ArtifactType;
  description?: string | null;
  data: Json;
  flowRunId: string;
  taskRunId?: string | null;
}

/** Document collections of artifacts. */
export const ARTIFACT_COLLECTIONS = {
  /** key: artifact id; ref: flow run id; data: {@linkcode Artifact}. */
  artifact: "artifact",
  /** key: artifact key; data: {@linkcode ArtifactKeyPointer}. */
  key: "artifact_key",
  /** key: `<artifact key>|<version, padded>`; ref: flow run id; data: `{ id }`. */
  version: "artifact_version",
} as const;

/** What a key's pointer holds. */
export interface ArtifactKeyPointer {
  /** The highest version ever created under the key: the next one is above it. */
  version: number;
  /** The newest artifact of the key still stored; `null` when retention purged all. */
  latestId: string | null;
  /** Every version has a version entry (not so for keys first used before they existed). */
  indexed?: boolean;
}

const ARTIFACT = ARTIFACT_COLLECTIONS.artifact;
const ARTIFACT_KEY = ARTIFACT_COLLECTIONS.key;
const ARTIFACT_VERSION = ARTIFACT_COLLECTIONS.version;
const TYPES: ReadonlySet<string> = new Set([
  "markdown",
  "table",
  "link",
  "image",
  "progress",
  "result",
]);
/** An image by URL, or inline as a base64 data URL of a common raster format. */
const IMAGE_URL = /^(https?:\/\/\S+|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*)$/;
const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** Checks an artifact's fields; throws {@linkcode InvalidArgumentError} naming the bad one. */
export function validateArtifact(input: NewArtifact): void {
  if (!TYPES.has(input.type)) {
    throw new InvalidArgumentError(`Unknown artifact type "${input.type}"`);
  }
  if (input.key != null && !KEY_PATTERN.test(input.key)) {
    throw new InvalidArgumentError(
      `Artifact key "${input.key}" must be lowercase letters, digits and dashes (at most 100)`,
    );
  }
  if (input.type === "progress") assertProgress(input.data);
  if (input.type === "link") {
    const url = (input.data as { url?: unknown } | null)?.url;
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
      throw new InvalidArgumentError(
        "A link artifact needs data.url starting with http:// or https://",
      );
    }
  }
  if (input.type === "image") {
    const url = (input.data as { url?: unknown } | null)?.url;
    if (typeof url !== "string" || !IMAGE_URL.test(url)) {
      throw new InvalidArgumentError(
        "An image artifact needs data.url: an http(s) URL or a data:image/png|jpeg|gif|webp;base64 URL",
      );
    }
  }
  if (input.type === "markdown" && typeof input.data !== "string") {
    throw new InvalidArgumentError("A markdown artifact's data must be a string");
  }
  if (input.type === "table" && !Array.isArray(input.data)) {
    throw new InvalidArgumentError("A table artifact's data must be a list of rows");
  }
}

function assertProgress(value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value <= 100)) {
    throw new InvalidArgumentError(
      `Progress must be a number from 0 to 100, got ${JSON.stringify(value)}`,
    );
  }
}

/** Stores a new artifact (the next version of its key). */
export function createArtifact(
  engine: EngineStorePort,
  clock: Clock,
  input: NewArtifact,
): Promise<Artifact> {
  try {
    validateArtifact(input);
  } catch (error) {
    return Promise.reject(error);
  }
  const now = clock.now();
  return announced(
    engine,
    engine.transact((tx) => {
      let version = 1;
      let indexed = true;
      if (input.key) {
        const previous = tx.getDocument(ARTIFACT_KEY, input.key)?.data as
          | ArtifactKeyPointer
          | undefined;
        version = (previous?.version ?? 0) + 1;
        indexed = previous === undefined || previous.indexed === true;
      }
      const artifact: Artifact = {
        id: uuidv7(now),
        key: input.key ?? null,
        version,
        type: input.type,
        description: input.description ?? null,
        data: input.data,
        flowRunId: input.flowRunId,
        taskRunId: input.taskRunId ?? null,
        createdAt: now,
        updatedAt: now,
      };
      tx.putDocument({
        collection: ARTIFACT,
        key: artifact.id,
        ref: artifact.flowRunId,
        data: artifact as unknown as Json,
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
      });
      if (input.key) {
        const pointer: ArtifactKeyPointer = { version, latestId: artifact.id, indexed };
        tx.putDocument({
          collection: ARTIFACT_KEY,
          key: input.key,
          ref: null,
          data: pointer as unknown as Json,
          createdAt: now,
          updatedAt: now,
          expiresAt: null,
        });
        tx.putDocument({
          collection: ARTIFACT_VERSION,
          key: versionKey(input.key, version),
          ref: artifact.flowRunId,
          data: { id: artifact.id },
          createdAt: now,
          updatedAt: now,
          expiresAt: null,
        });
      }
      return artifact;
    }),
  );
}

/** The artifact with `id`, if any. */
export function getArtifact(store: DocumentReader, id: string): Artifact | undefined {
  return store.getDocument(ARTIFACT, id)?.data as Artifact | undefined;
}

/** Changes a progress artifact's value (0..100). */
export function updateProgressArtifact(
  engine: EngineStorePort,
  clock: Clock,
  id: string,
  progress: number,
): Promise<Artifact> {
  try {
    assertProgress(progress);
  } catch (error) {
    return Promise.reject(error);
  }
  return announced(
    engine,
    engine.transact((tx) => {
      const document = tx.getDocument(ARTIFACT, id);
      if (!document) throw new InvalidArgumentError(`Artifact "${id}" does not exist`);
      const artifact = document.data as unknown as Artifact;
      if (artifact.type !== "progress") {
        throw new InvalidArgumentError(
          `Artifact "${id}" is a ${artifact.type} artifact, not a progress artifact`,
        );
      }
      const now = clock.now();
      const updated: Artifact = { ...artifact, data: progress, updatedAt: now };
      tx.putDocument({ ...document, data: updated as unknown as Json, updatedAt: now });
      return updated;
    }),
  );
}

// Once committed, an artifact is announced to the engine's document listeners.
async function announced(engine: EngineStorePort, write: Promise<Artifact>): Promise<Artifact> {
  const artifact = await write;
  engine.announceDocuments?.([
    { collection: ARTIFACT, key: artifact.id, ref: artifact.flowRunId },
  ]);
  return artifact;
}

/** Artifacts of a flow run (optionally of one task run), oldest first. */
export function listArtifacts(
  store: DocumentReader,
  query: { flowRunId: string; taskRunId?: string; limit?: number },
): Artifact[] {
  return store.listDocuments({
    collection: ARTIFACT,
    ref: query.flowRunId,
    limit: query.limit ?? 1000,
  })
    .map((document) => document.data as unknown as Artifact)
    .filter((artifact) => query.taskRunId === undefined || artifact.taskRunId === query.taskRunId);
}

/**
 * The newest stored artifact of `key`, if any: never one retention purged,
 * even before {@linkcode repairArtifactKeys} moved the key's pointer.
 */
export function latestArtifact(docs: DocumentReader, key: string): Artifact | undefined {
  const pointer = docs.getDocument(ARTIFACT_KEY, key)?.data as ArtifactKeyPointer | undefined;
  if (!pointer || pointer.latestId === null) return undefined;
  const latest = docs.getDocument(ARTIFACT, pointer.latestId)?.data as Artifact | undefined;
  return latest ?? newestStored(docs, key, pointer);
}

/**
 * Moves every key pointer whose newest artifact is gone (purged with its
 * run) to the newest surviving version, or to none; the version count stays,
 * so a version number is never given twice. Returns how many moved. The
 * retention sweep calls it after purging.
 */
export async function repairArtifactKeys(engine: EngineStorePort, clock: Clock): Promise<number> {
  const store = engine.reader;
  let moved = 0;
  for (const document of allDocuments(store, ARTIFACT_KEY)) {
    const pointer = document.data as unknown as ArtifactKeyPointer;
    if (pointer.latestId === null || store.getDocument(ARTIFACT, pointer.latestId)) continue;
    await engine.transact((tx) => {
      // Read again in the transaction: a new version may have just been created.
      const current = tx.getDocument(ARTIFACT_KEY, document.key);
      const now = current?.data as unknown as ArtifactKeyPointer | undefined;
      if (!current || now?.latestId == null || tx.getDocument(ARTIFACT, now.latestId)) return;
      const latestId = newestStored(tx, document.key, now)?.id ?? null;
      const at = clock.now();
      tx.putDocument({
        ...current,
        data: { ...now, latestId } satisfies ArtifactKeyPointer,
        updatedAt: at,
      });
      moved += 1;
    });
  }
  return moved;
}

function versionKey(key: string, version: number): string {
  return `${key}|${String(version).padStart(10, "0")}`;
}

// The newest stored version of `key`. Keys are [a-z0-9-] and "|" sorts above
// them all, so a key's entries are contiguous and ordered by version.
// Versions created before version entries existed have none: for such keys
// a scan of every artifact finds them (once, when the key's newest is purged).
function newestStored(
  docs: DocumentReader,
  key: string,
  pointer: ArtifactKeyPointer,
): Artifact | undefined {
  let newest: Artifact | undefined;
  let afterKey = `${key}|`;
  while (true) {
    const page = docs.listDocuments({ collection: ARTIFACT_VERSION, afterKey, limit: 500 });
    const mine = page.filter((document) => document.key.startsWith(`${key}|`));
    for (const document of mine) {
      const id = (document.data as { id: string }).id;
      newest = docs.getDocument(ARTIFACT, id)?.data as Artifact | undefined ?? newest;
    }
    if (mine.length < page.length || page.length < 500) break;
    afterKey = page.at(-1)!.key;
  }
  return newest ?? (pointer.indexed === true ? undefined : newestByScan(docs, key));
}

function newestByScan(docs: DocumentReader, key: string): Artifact | undefined {
  let newest: Artifact | undefined;
  for (const document of allDocuments(docs, ARTIFACT)) {
    const artifact = document.data as unknown as Artifact;
    if (artifact.key === key && (!newest || artifact.version > newest.version)) newest = artifact;
  }
  return newest;
}
