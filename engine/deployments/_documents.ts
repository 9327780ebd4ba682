/**
 * Document collections of deployments, schedules, work pools, workers and
 * claims, and small typed helpers over the store's document access.
 *
 * @module
 */
import type { DocumentAccess, DocumentReader, Json } from "../core/mod.ts";

/** Collection names. */
export const C = {
  deployment: "deployment",
  /** key: a name or former name; data: `{ id }`. */
  deploymentName: "deployment_name",
  /**
   * key: `<deployment id>|<idempotency key>`; ref: the run id (so the key is
   * forgotten with the run when retention purges it; documents written
   * before that have the deployment id); data: `{ runId }`.
   */
  idempotency: "deployment_idempotency",
  /** key: `<deployment id>|<schedule key>`; ref: deployment id; data: {@linkcode ScheduleCursor}. */
  scheduleCursor: "schedule_cursor",
  /**
   * key: `<deployment id>|<schedule key>|<slot ms>`; ref: deployment id. Only
   * in databases scheduled before slot run ids were derived from the slot.
   */
  scheduleSlot: "schedule_slot",
  workPool: "work_pool",
  /** key: worker id; ref: pool. */
  worker: "worker",
  /** key: `<pool>|<due ms, padded>|<run id>`; ref: pool. Ordered by due time. */
  runQueue: "run_queue",
  /** key: run id; ref: deployment id. */
  claim: "run_claim",
  /** key: service name; who leads the services loop. */
  leader: "service_leader",
} as const;

/** How far a deployment's schedule has been turned into runs. */
export interface ScheduleCursor {
  /** The newest slot (epoch ms) turned into a run, or `null` for none yet. */
  cursor: number | null;
  /** When the schedule started counting, for its first tick. */
  since: number;
  /** Slot times created after the last tick's `now` (older cursors lack it). */
  ahead?: number[];
  /** Slots that got no run by the catch-up policy, in total (absent: none). */
  missed?: number;
  /** The newest of those slots (epoch ms). */
  lastMissed?: number;
}

/** Reads a document's data as `T`. */
export function read<T>(docs: DocumentReader, collection: string, key: string): T | undefined {
  return docs.getDocument(collection, key)?.data as T | undefined;
}

/** Writes `data` at (collection, key), keeping `createdAt` of an existing document. */
export function write(
  docs: DocumentAccess,
  collection: string,
  key: string,
  data: unknown,
  options: { now: number; ref?: string | null; expiresAt?: number | null },
): void {
  const existing = docs.getDocument(collection, key);
  docs.putDocument({
    collection,
    key,
    ref: options.ref ?? null,
    data: data as Json,
    createdAt: existing?.createdAt ?? options.now,
    updatedAt: options.now,
    expiresAt: options.expiresAt ?? null,
  });
}

/** Key of a run's queue entry: sorts by due time. */
export function queueKey(pool: string, due: number, runId: string): string {
  return `${pool}|${String(Math.max(0, due)).padStart(15, "0")}|${runId}`;
}

/** The greatest queue key of `pool` due by `now`: keys up to it are due. */
export function dueThroughKey(pool: string, now: number): string {
  // "~" sorts after every character of a run id.
  return `${queueKey(pool, now, "")}~`;
}

/** Parses a queue key. */
export function parseQueueKey(key: string): { pool: string; due: number; runId: string } {
  const [pool, due, runId] = key.split("|");
  return { pool: pool!, due: Number(due), runId: runId! };
}
