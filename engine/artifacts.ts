/**
 * Artifacts: markdown, tables, links, progress and results attached to a
 * flow run (and maybe a task run). Keyed artifacts are versioned: creating
 * one with an existing key adds the next version.
 *
 * @module
 */
import type { Clock, Json, Store } from "./core/mod.ts";
import { uuidv7 } from "./uuid7.ts";

/** Kinds of artifacts. */
export type ArtifactType = "markdown" | "table" | "link" | "progress" | "result";

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

const ARTIFACT = "artifact";
const ARTIFACT_KEY = "artifact_key";
const TYPES: ReadonlySet<string> = new Set(["markdown", "table", "link", "progress", "result"]);
const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** Checks an artifact's fields; throws `TypeError`/`RangeError` naming the bad one. */
export function validateArtifact(input: NewArtifact): void {
  if (!TYPES.has(input.type)) throw new TypeError(`Unknown artifact type "${input.type}"`);
  if (input.key != null && !KEY_PATTERN.test(input.key)) {
    throw new RangeError(
      `Artifact key "${input.key}" must be lowercase letters, digits and dashes (at most 100)`,
    );
  }
  if (input.type === "progress") assertProgress(input.data);
  if (input.type === "link") {
    const url = (input.data as { url?: unknown } | null)?.url;
    if (typeof url !== "string" || !/^https?:\/\//.test(url)) {
      throw new TypeError("A link artifact needs data.url starting with http:// or https://");
    }
  }
  if (input.type === "markdown" && typeof input.data !== "string") {
    throw new TypeError("A markdown artifact's data must be a string");
  }
  if (input.type === "table" && !Array.isArray(input.data)) {
    throw new TypeError("A table artifact's data must be a list of rows");
  }
}

function assertProgress(value: unknown): asserts value is number {
  if (typeof value !== "number" || !(value >= 0 && value <= 100)) {
    throw new RangeError(`Progress must be a number from 0 to 100, got ${JSON.stringify(value)}`);
  }
}

/** Stores a new artifact (the next version of its key). */
export function createArtifact(store: Store, clock: Clock, input: NewArtifact): Artifact {
  validateArtifact(input);
  const now = clock.now();
  return store.write((tx) => {
    let version = 1;
    if (input.key) {
      const previous = tx.getDocument(ARTIFACT_KEY, input.key);
      version = ((previous?.data as { version?: number } | undefined)?.version ?? 0) + 1;
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
      tx.putDocument({
        collection: ARTIFACT_KEY,
        key: input.key,
        ref: null,
        data: { version, latestId: artifact.id },
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
      });
    }
    return artifact;
  });
}

/** The artifact with `id`, if any. */
export function getArtifact(store: Store, id: string): Artifact | undefined {
  return store.getDocument(ARTIFACT, id)?.data as Artifact | undefined;
}

/** Changes a progress artifact's value (0..100). */
export function updateProgressArtifact(
  store: Store,
  clock: Clock,
  id: string,
  progress: number,
): Artifact {
  assertProgress(progress);
  return store.write((tx) => {
    const document = tx.getDocument(ARTIFACT, id);
    if (!document) throw new RangeError(`Artifact "${id}" does not exist`);
    const artifact = document.data as unknown as Artifact;
    if (artifact.type !== "progress") {
      throw new TypeError(
        `Artifact "${id}" is a ${artifact.type} artifact, not a progress artifact`,
      );
    }
    const now = clock.now();
    const updated: Artifact = { ...artifact, data: progress, updatedAt: now };
    tx.putDocument({ ...document, data: updated as unknown as Json, updatedAt: now });
    return updated;
  });
}

/** Artifacts of a flow run (optionally of one task run), oldest first. */
export function listArtifacts(
  store: Store,
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
