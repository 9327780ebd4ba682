/**
 * Documents a committed transaction wrote, as their writer announces them
 * (see `Engine.announceDocuments`), so listeners (the server's SSE streams)
 * learn that an artifact was created or changed.
 *
 * @module
 */

/** A document written by a committed transaction (its data is read from the store). */
export interface DocumentChange {
  collection: string;
  key: string;
  /** The document's reference (an artifact's flow run id), if any. */
  ref: string | null;
}
