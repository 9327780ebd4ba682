/**
 * Run retention: terminal flow runs older than their flow's `retentionDays`
 * are deleted for good, each with its whole tree (subflow runs, task runs),
 * their events, log lines and artifacts, so the database stops growing.
 *
 * What stays and why:
 * - Live runs, and every tree or lineage holding one (a retry in progress
 *   resumes from earlier attempts), and lineages with an attempt newer than
 *   the cutoff: a lineage goes as a whole.
 * - Subflow runs go with their root, never alone: retention is the root's
 *   flow's.
 * - The events of other runs and their seqs: the log stays append-only for
 *   live data and readers (SSE `Last-Event-ID`, exports) see a gap. The tree
 *   holding the log's newest event is kept until the log moves on, so no seq
 *   is ever handed out twice.
 * - An audit record per flow and sweep (collection `flow_purge`, ref: the
 *   flow id) with what was deleted, written in each purge transaction.
 *
 * Forgotten with a run, in its purge transaction: its artifacts, concurrency
 * leases, claims and the deployment idempotency key that created it. After
 * the purges: keyed artifacts whose newest version was purged point to the
 * newest surviving one, and result files no surviving run references are
 * deleted (given the {@linkcode ResultFiles} port).
 *
 * @module
 */
import type { Clock, DocumentReader, PurgeResult, RunRecord, StoreReader } from "../core/mod.ts";
import type { Engine } from "../engine.ts";
import { allDocuments, TERMINAL_STATES } from "../core/mod.ts";
import { ARTIFACT_COLLECTIONS, repairArtifactKeys } from "../artifacts.ts";
import { FLOW_COLLECTIONS, type FlowRecord } from "../catalog/catalog.ts";
import { collectResults, type ResultFiles } from "./result_collection.ts";

/** Document collections of retention. */
export const RETENTION_COLLECTIONS = {
  /** key: `<flow id>|<sweep time, padded>`; ref: flow id; data: {@linkcode PurgeRecord}. */
  purge: "flow_purge",
  /**
   * key: `"last"`: when the last sweep ran and whether it finished; key
   * `"after_purge"`: {@linkcode AfterPurge}, the work a purge left to do.
   */
  sweep: "flow_retention_sweep",
} as const;

// Documents that name a run and go with it. Artifacts name their flow run by
// ref (engine/artifacts.ts), concurrency leases their holder run
// (engine/concurrency.ts), deployment idempotency keys the run they created
// (engine/deployments: a replayed key after the purge makes a new run);
// claims (engine/deployments) and the marks of the earlier, marking-only
// sweep are keyed by run id.
const PURGE_DOCUMENTS = {
  documentsByRef: [
    ARTIFACT_COLLECTIONS.artifact,
    ARTIFACT_COLLECTIONS.version,
    "concurrency_lease",
    "deployment_idempotency",
  ],
  documentsByKey: ["run_claim", FLOW_COLLECTIONS.expired],
} as const;

const DAY_MS = 86_400_000;
const AFTER_PURGE = "after_purge";

/**
 * What is left to do after purges, written before the first purge of a
 * sweep and cleared when done, so a sweep that stopped half way (or one
 * without result files to collect) leaves it to the next.
 */
export interface AfterPurge {
  /** Key pointers may name a purged artifact: move them. */
  artifactKeys: boolean;
  /** Result files may have lost their last reference: collect them. */
  results: boolean;
}

/** What purges deleted, summed over their transactions. */
export interface PurgeCounts {
  /** Root flow runs deleted, each with its tree. */
  roots: number;
  /** Flow runs deleted: roots and subflow runs. */
  flowRuns: number;
  taskRuns: number;
  events: number;
  logs: number;
  documents: number;
}

/** What one sweep deleted of one flow's runs: the audit record. */
export interface PurgeRecord extends PurgeCounts {
  flowId: string;
  /** The flow's name at the sweep. */
  flowName: string;
  /** When the sweep ran (epoch ms). */
  at: number;
  retentionDays: number;
  /** Runs that ended before this (epoch ms) were due. */
  cutoff: number;
}

/** Options of {@linkcode sweepRetention}. */
export interface SweepOptions {
  /** The sweep's time. @default clock.now() */
  now?: number;
  /** Root flow runs per purge transaction: bounds how long one holds the write lock. @default 200 */
  chunkSize?: number;
  /** Stop after this many roots; `more` tells the next sweep to go on. @default Infinity */
  maxRuns?: number;
  /**
   * Skip the sweep when the last one finished less than this many ms ago
   * (for a services loop that calls it every tick). @default 0
   */
  everyMs?: number;
  /** Awaited between purge transactions so other writers get the lock. @default a macrotask */
  pause?: () => Promise<void>;
  /**
   * The result files beside the store: after purging, the ones no surviving
   * run references are deleted (see {@linkcode collectResults}). Without it
   * they are left for a sweep that has them.
   */
  results?: ResultFiles;
  /** Result files written or reused less than this long ago stay. @default 3_600_000 */
  resultGraceMs?: number;
}

/** What {@linkcode sweepRetention} did. */
export interface SweepResult extends PurgeCounts {
  /** False when `everyMs` skipped the sweep. */
  ran: boolean;
  /** Artifact keys whose newest artifact was purged, moved to the newest surviving one or none. */
  artifactKeys: number;
  /** Result files deleted: no surviving run referenced them. */
  results: number;
  /** Due roots left in place: live in their tree or lineage, or holding the newest event. */
  kept: number;
  /** True when `maxRuns` stopped the sweep before every due run was purged. */
  more: boolean;
}

/** What the sweep needs of the engine: reads, transactions and purges. */
export type RetentionPort = Pick<Engine, "reader" | "transact" | "purgeRuns">;

/**
 * Purges terminal flow runs that ended (end time, else last update) more
 * than their flow's `retentionDays` ago, in transactions of `chunkSize`
 * roots. See the module doc for what is kept.
 */
export async function sweepRetention(
  engine: RetentionPort,
  clock: Clock,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const store = engine.reader;
  const now = options.now ?? clock.now();
  const chunkSize = options.chunkSize ?? 200;
  const maxRuns = options.maxRuns ?? Infinity;
  const pause = options.pause ?? (() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`Chunk size must be a positive whole number, got "${chunkSize}"`);
  }
  const result: SweepResult = {
    ran: false,
    ...NO_COUNTS,
    artifactKeys: 0,
    results: 0,
    kept: 0,
    more: false,
  };
  const last = store.getDocument(RETENTION_COLLECTIONS.sweep, "last")?.data as
    | { at: number; more: boolean }
    | undefined;
  if (options.everyMs && last && !last.more && now - last.at < options.everyMs) return result;
  result.ran = true;
  await dropMarks(engine);
  let pending = afterPurge(store);
  sweep: for (const flow of retainedFlows(store)) {
    const cutoff = now - flow.retentionDays! * DAY_MS;
    const key = `${flow.id}|${String(now).padStart(15, "0")}`;
    // A sweep in the same millisecond adds to the record of the one before.
    const earlier = store.getDocument(RETENTION_COLLECTIONS.purge, key)?.data as
      | PurgeRecord
      | undefined;
    let record: PurgeRecord = earlier ?? {
      flowId: flow.id,
      flowName: flow.name,
      at: now,
      retentionDays: flow.retentionDays!,
      cutoff,
      ...NO_COUNTS,
    };
    for (const name of [flow.name, ...flow.formerly]) {
      for (const due of dueRoots(store, name, cutoff, chunkSize)) {
        if (result.roots >= maxRuns) {
          result.more = true;
          break sweep;
        }
        const room = maxRuns - result.roots;
        if (due.length > room) result.more = true;
        const ids = due.slice(0, room).map((run) => run.id);
        if (!pending.artifactKeys || !pending.results) {
          pending = { artifactKeys: true, results: true };
          await putAfterPurge(engine, now, pending);
        }
        let next = record;
        const done = engine.purgeRuns(ids, {
          ...PURGE_DOCUMENTS,
          endedBefore: cutoff,
          record(purge) {
            if (purge.purged.length === 0) return undefined;
            next = addPurge({ ...record }, purge);
            return {
              collection: RETENTION_COLLECTIONS.purge,
              key,
              ref: flow.id,
              data: { ...next },
              createdAt: now,
              updatedAt: now,
              expiresAt: null,
            };
          },
        });
        record = next;
        addPurge(result, done);
        result.kept += done.kept.length;
        await pause();
        if (result.more) break sweep;
      }
    }
  }
  if (pending.artifactKeys) {
    result.artifactKeys = await repairArtifactKeys(engine, clock);
    pending = { ...pending, artifactKeys: false };
    await putAfterPurge(engine, now, pending);
  }
  if (pending.results && options.results) {
    const collected = await collectResults(store, options.results, {
      now,
      pause,
      ...(options.resultGraceMs !== undefined ? { graceMs: options.resultGraceMs } : {}),
    });
    result.results = collected.deleted;
    pending = { ...pending, results: false };
    await putAfterPurge(engine, now, pending);
  }
  await engine.transact((tx) =>
    tx.putDocument({
      collection: RETENTION_COLLECTIONS.sweep,
      key: "last",
      ref: null,
      data: { at: now, more: result.more },
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
    })
  );
  return result;
}

/** The audit records of a flow's purges, oldest first. */
export function purgeHistory(docs: DocumentReader, flowId: string): PurgeRecord[] {
  return docs.listDocuments({ collection: RETENTION_COLLECTIONS.purge, ref: flowId, limit: 10_000 })
    .map((doc) => doc.data as unknown as PurgeRecord);
}

const NO_COUNTS: Readonly<PurgeCounts> = {
  roots: 0,
  flowRuns: 0,
  taskRuns: 0,
  events: 0,
  logs: 0,
  documents: 0,
};

// Adds what one purge deleted to `counts`; returns them.
function addPurge<T extends PurgeCounts>(counts: T, purge: PurgeResult): T {
  counts.roots += purge.purged.length;
  counts.flowRuns += purge.flowRuns;
  counts.taskRuns += purge.taskRuns;
  counts.events += purge.events;
  counts.logs += purge.logs;
  counts.documents += purge.documents;
  return counts;
}

function* retainedFlows(store: StoreReader): Generator<FlowRecord> {
  for (const doc of allDocuments(store, FLOW_COLLECTIONS.flow)) {
    const flow = doc.data as unknown as FlowRecord;
    if (flow.retentionDays !== null) yield flow;
  }
}

// Pages of due root runs of `name`, oldest first. Deleting a page does not
// move the keyset cursor, so kept runs are not listed twice. A run ended
// after it was created, so only runs created before the cutoff can be due.
function* dueRoots(
  store: StoreReader,
  name: string,
  cutoff: number,
  size: number,
): Generator<RunRecord[]> {
  const states = [...TERMINAL_STATES];
  let cursor: string | undefined;
  do {
    const page = store.listRuns({
      kind: "flow",
      flowName: name,
      states,
      createdBefore: cutoff,
      sort: "created",
      order: "asc",
      limit: size,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    const due = page.items.filter((run) =>
      run.parentId === null && (run.endTime ?? run.updatedAt) < cutoff
    );
    if (due.length > 0) yield due;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

function afterPurge(store: StoreReader): AfterPurge {
  const data = store.getDocument(RETENTION_COLLECTIONS.sweep, AFTER_PURGE)?.data as
    | Partial<AfterPurge>
    | undefined;
  return { artifactKeys: data?.artifactKeys === true, results: data?.results === true };
}

function putAfterPurge(engine: RetentionPort, now: number, pending: AfterPurge): Promise<void> {
  return engine.transact((tx) =>
    tx.putDocument({
      collection: RETENTION_COLLECTIONS.sweep,
      key: AFTER_PURGE,
      ref: null,
      data: { ...pending },
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
    })
  );
}

// Marks of the earlier sweep, which only marked due runs: the purge replaces them.
async function dropMarks(engine: RetentionPort): Promise<void> {
  while (true) {
    const marks = engine.reader.listDocuments({
      collection: FLOW_COLLECTIONS.expired,
      limit: 1000,
    });
    if (marks.length === 0) return;
    await engine.transact((tx) => {
      for (const mark of marks) tx.deleteDocument(FLOW_COLLECTIONS.expired, mark.key);
    });
  }
}
