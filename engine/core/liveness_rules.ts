/**
 * Liveness of the runs an executor holds: flow runs, and task runs of no
 * flow (background tasks, tasks called outside a flow), which are roots run
 * by a process of their own. While an executor holds such a run (it is PENDING,
 * RUNNING, PAUSED with a waiting process, CANCELLING, or waiting for a flow
 * retry), the run has a liveness document whose deadline the executor's
 * heartbeats push forward. A run whose deadline passed lost its executor:
 * the reaper ends it CRASHED (or CANCELLED when it was CANCELLING).
 *
 * The deadline is data of the document, not the store's own `expiresAt`
 * (readers treat an expired document as gone, and the reaper must see it).
 *
 * @module
 */
import type { Json, PendingEvent, RunRecord } from "./model.ts";
import type { Rule } from "./rules.ts";
import { isTerminal, StateName, StateType } from "./states.ts";
import type { DocumentAccess, DocumentReader, StoredDocument } from "./store_port.ts";

/** Collection of the liveness documents, keyed by flow run id. */
export const LIVENESS_COLLECTION = "run_liveness";

/** How long a flow run may go without a heartbeat before it is judged crashed. */
export const DEFAULT_LIVENESS_MS = 60_000;

/** Transition kind of the reaper's proposals. */
export const LIVENESS_KIND = "liveness_lost";

/** What a liveness document holds. */
export interface Liveness {
  /** Epoch ms after which the run's executor counts as gone. */
  deadline: number;
  /**
   * The timeout the deadline was set with (the writing engine's): a run taken
   * by a process with another timeout than the reaper's is judged, and its
   * crash worded, by its own. Absent in documents of older versions.
   */
  timeoutMs?: number;
}

/**
 * Whether `run` is held by an executor of its own: a flow run, or a task run
 * of no flow. A task run inside a flow lives and dies with its flow run.
 */
export function hasOwnExecutor(run: Pick<RunRecord, "kind" | "parentId">): boolean {
  return run.kind === "flow" || run.parentId === null;
}

/**
 * Whether a flow run in this state needs a live executor. Not for a run that
 * waits to be picked up (SCHEDULED, Late), nor for one suspended with no
 * process left (PAUSED "Suspended"); a flow retry waits in its process.
 */
export function needsExecutor(run: Pick<RunRecord, "state" | "stateName">): boolean {
  switch (run.state) {
    case StateType.PENDING:
    case StateType.RUNNING:
    case StateType.CANCELLING:
      return true;
    case StateType.PAUSED:
      return run.stateName !== StateName.Suspended;
    case StateType.SCHEDULED:
      return run.stateName === StateName.AwaitingRetry;
    default:
      return false;
  }
}

/** The liveness deadline of `runId`, if it has one. */
export function livenessOf(docs: DocumentReader, runId: string): Liveness | undefined {
  return livenessIn(docs.getDocument(LIVENESS_COLLECTION, runId));
}

/** The liveness a document of {@linkcode LIVENESS_COLLECTION} holds (none when malformed). */
export function livenessIn(doc: Pick<StoredDocument, "data"> | undefined): Liveness | undefined {
  const data = doc?.data as { deadline?: unknown; timeoutMs?: unknown } | undefined;
  if (typeof data?.deadline !== "number") return undefined;
  return typeof data.timeoutMs === "number"
    ? { deadline: data.deadline, timeoutMs: data.timeoutMs }
    : { deadline: data.deadline };
}

/** Writes the liveness deadline of a flow run (inside a transaction). */
export function putLiveness(docs: DocumentAccess, runId: string, now: number, ms: number): void {
  const existing = docs.getDocument(LIVENESS_COLLECTION, runId);
  const doc: StoredDocument = {
    collection: LIVENESS_COLLECTION,
    key: runId,
    ref: null,
    data: { deadline: now + ms, timeoutMs: ms } satisfies Liveness as unknown as Json,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    expiresAt: null,
  };
  docs.putDocument(doc);
}

/**
 * Keeps a flow run's liveness document in step with its state: a run an
 * executor takes gets a deadline `livenessMs` ahead; a run no executor holds
 * any more (terminal, suspended, back in the queue) loses it.
 */
export function trackExecutorLiveness(livenessMs: number): Rule {
  return {
    name: "TrackExecutorLiveness",
    from: "*",
    to: "*",
    onCommit(event: PendingEvent, run: RunRecord, services) {
      if (!hasOwnExecutor(run)) return;
      if (needsExecutor(run)) putLiveness(services.documents, run.id, event.at, livenessMs);
      else services.documents.deleteDocument(LIVENESS_COLLECTION, run.id);
    },
  };
}

/**
 * Refuses the reaper's proposal when the run's executor is alive after all:
 * a heartbeat may have landed between the reaper's read and its proposal.
 * Judged inside the commit, so a heartbeat and a reap never both win.
 */
export const RefuseReapingLiveRuns: Rule = {
  name: "RefuseReapingLiveRuns",
  from: "*",
  to: [StateType.CRASHED, StateType.CANCELLED],
  applies: (run, proposal) => hasOwnExecutor(run) && proposal.kind === LIVENESS_KIND,
  before(ctx) {
    if (ctx.services === undefined || isTerminal(ctx.run.state)) return;
    const liveness = livenessOf(ctx.services.documents, ctx.run.id);
    if (liveness !== undefined && liveness.deadline > ctx.now) {
      ctx.reject(
        `${ctx.run.kind} run "${ctx.run.id}" has a live executor until ${liveness.deadline}`,
      );
    }
  },
};

/**
 * The liveness timeout an operator configured (`IRONFLOW_LIVENESS_TIMEOUT_MS`),
 * or undefined for the default; a value that is not a positive number is an error.
 */
export function parseLivenessMs(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(
      `IRONFLOW_LIVENESS_TIMEOUT_MS must be a positive number of milliseconds, got "${text}"`,
    );
  }
  return ms;
}
