/**
 * The artifacts catalog: every artifact key with its newest stored version,
 * and the versions of one key, newest first (Prefect's Artifacts page).
 *
 * @module
 */
import type { DocumentReader } from "./core/mod.ts";
import {
  type Artifact,
  ARTIFACT_COLLECTIONS,
  type ArtifactKeyPointer,
  latestArtifact,
} from "./artifacts.ts";

/** One key of the catalog. */
export interface ArtifactKeyEntry {
  key: string;
  /** How many versions were ever created under the key. */
  versions: number;
  /** The newest stored version; undefined when retention purged them all. */
  latest: Artifact | undefined;
}

/** A page of artifact keys, in key order, and where the next page starts. */
export interface ArtifactKeyPage {
  items: ArtifactKeyEntry[];
  /** Pass as `afterKey` for the next page; null on the last page. */
  nextAfterKey: string | null;
}

/** Artifact keys after `afterKey`, each with its newest version. */
export function artifactKeys(
  docs: DocumentReader,
  query: { afterKey?: string; limit?: number } = {},
): ArtifactKeyPage {
  const limit = query.limit ?? 50;
  const page = docs.listDocuments({
    collection: ARTIFACT_COLLECTIONS.key,
    limit: limit + 1,
    ...(query.afterKey !== undefined ? { afterKey: query.afterKey } : {}),
  });
  const items = page.slice(0, limit).map((document) => ({
    key: document.key,
    versions: (document.data as unknown as ArtifactKeyPointer).version,
    latest: latestArtifact(docs, document.key),
  }));
  return { items, nextAfterKey: page.length > limit ? items.at(-1)!.key : null };
}

/** One key of the catalog; undefined when no artifact was ever created with it. */
export function artifactKeyEntry(docs: DocumentReader, key: string): ArtifactKeyEntry | undefined {
  const pointer = docs.getDocument(ARTIFACT_COLLECTIONS.key, key)?.data as
    | ArtifactKeyPointer
    | undefined;
  if (!pointer) return undefined;
  return { key, versions: pointer.version, latest: latestArtifact(docs, key) };
}

/** The stored versions of `key`, newest first (at most `limit`, the newest ones). */
export function artifactVersions(docs: DocumentReader, key: string, limit = 100): Artifact[] {
  const found: Artifact[] = [];
  let afterKey = `${key}|`;
  while (true) {
    const page = docs.listDocuments({
      collection: ARTIFACT_COLLECTIONS.version,
      afterKey,
      limit: 500,
    });
    const mine = page.filter((document) => document.key.startsWith(`${key}|`));
    for (const document of mine) {
      const id = (document.data as { id: string }).id;
      const artifact = docs.getDocument(ARTIFACT_COLLECTIONS.artifact, id)?.data;
      if (artifact) found.push(artifact as unknown as Artifact);
    }
    if (mine.length < page.length || page.length < 500) break;
    afterKey = page.at(-1)!.key;
  }
  // Keys used before version entries existed have none: their newest is still known.
  if (found.length === 0) {
    const latest = latestArtifact(docs, key);
    if (latest) found.push(latest);
  }
  return found.sort((a, b) => b.version - a.version).slice(0, limit);
}
