/**
 * Which documents a transaction function wrote, so listeners learn of
 * artifact and other document changes once the group commit is durable.
 *
 * @module
 */
import type { StoreTx } from "./core/mod.ts";

/** A document written by a committed transaction (its data is read from the store). */
export interface DocumentChange {
  collection: string;
  key: string;
  /** The document's reference (an artifact's flow run id), if any. */
  ref: string | null;
}

/** `tx`, with every `putDocument` also recorded in `changes`. */
export function recordingTx(tx: StoreTx, changes: DocumentChange[]): StoreTx {
  return new Proxy(tx, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property !== "putDocument") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (document: Parameters<StoreTx["putDocument"]>[0]) => {
        changes.push({ collection: document.collection, key: document.key, ref: document.ref });
        return target.putDocument(document);
      };
    },
  });
}
