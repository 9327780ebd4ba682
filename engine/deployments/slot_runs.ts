/**
 * Turning schedules into SCHEDULED flow runs ahead of time, idempotently: a
 * slot's run id is derived from (deployment, schedule, slot time), so a
 * restart or a second scheduler that plans the same slot gets the same run
 * back from the engine instead of a second one. Also marks runs that did not
 * start in time "Late".
 *
 * @module
 */
import {
  allDocuments,
  type DocumentReader,
  type Json,
  type RunRecord,
  StateName,
  StateType,
  type StoredDocument,
} from "../core/mod.ts";
import { planSlots, type Schedule, scheduleSlotKey } from "../schedules/plan.ts";
import type { Engine } from "../engine.ts";
import { nextRuns } from "../schedules/mod.ts";
import { C, parseQueueKey, queueKey, read, type ScheduleCursor } from "./_documents.ts";
import { slotRunId } from "./_slot_run_id.ts";
import type { Deployment } from "./model.ts";
import { loadSchemaSupport } from "./parameters.ts";
import { createQueuedRun, enqueueRun, runParameters } from "./runs.ts";

/** Options of {@linkcode scheduleRuns} and {@linkcode markLateRuns}. */
export interface SchedulingOptions {
  /** How far ahead runs are created. @default 3_600_000 (1 hour) */
  horizonMs?: number;
  /** Most future runs per schedule. @default 10 */
  maxAhead?: number;
  /** A slot older than this when first seen was missed (catch-up applies). @default 60_000 */
  missedAfterMs?: number;
  /** A run not started this long after its time becomes SCHEDULED "Late". @default 15_000 */
  lateAfterMs?: number;
  /** The time the decisions are made at. @default the engine's clock */
  now?: number;
  /** Called with a deployment whose schedule failed; the others go on. @default console.error */
  onError?: (deployment: Deployment, error: unknown) => void;
}

/** What one scheduling pass did. */
export interface ScheduleReport {
  created: string[];
  skipped: number;
}

/** One schedule's part of a pass: the slots to create and where its cursor moves. */
interface SchedulePlan {
  deployment: Deployment;
  parameters: Json;
  cursorKey: string;
  /** The cursor document read at the start of the pass. */
  previous: StoredDocument | undefined;
  /** The cursor to write, or `null` when it did not move. */
  next: ScheduleCursor | null;
  slots: Array<{ runId: string; slot: number }>;
  failed: boolean;
  /** The slug of the schedule, recorded on the runs it creates. */
  slug: string | null;
}

const AUTO_SCHEDULED = { tags: ["auto-scheduled"] } as const;

/**
 * Creates the due and upcoming runs of every active schedule of every live,
 * unpaused deployment. The runs of all deployments are created in one engine
 * batch with ids derived from their slots; then one transaction queues them
 * and moves the schedules' cursors. A crash between the two leaves the
 * cursors behind, so the next pass plans the same slots and the engine
 * returns the runs it already has (and queues them).
 */
export async function scheduleRuns(
  engine: Engine,
  options: SchedulingOptions = {},
): Promise<ScheduleReport> {
  // A schedule's runs get parameters checked against their deployment's schema.
  await loadSchemaSupport();
  const report: ScheduleReport = { created: [], skipped: 0 };
  const now = options.now ?? engine.clock.now();
  const onError = options.onError ??
    ((d: Deployment, e: unknown) => console.error(`Cannot schedule "${d.name}":`, e));
  slotTimes.rotate();
  const cursors = new Map<string, StoredDocument>();
  for (const doc of allDocuments(engine.reader, C.scheduleCursor)) cursors.set(doc.key, doc);
  const plans: SchedulePlan[] = [];
  for (const doc of allDocuments(engine.reader, C.deployment)) {
    const deployment = doc.data as unknown as Deployment;
    if (deployment.deletedAt !== null || deployment.paused) continue;
    if (!deployment.schedules.some((s) => s.active)) continue;
    try {
      plans.push(...planDeployment(deployment, cursors, options, now, report));
    } catch (error) {
      onError(deployment, error);
    }
  }
  const jobs = plans.flatMap((plan) =>
    plan.slots.map(({ runId, slot }) => ({ plan, runId, slot }))
  );
  const outcomes = await Promise.allSettled(
    jobs.map(({ plan, runId, slot }) =>
      createQueuedRun(
        engine,
        plan.deployment,
        runId,
        slot,
        plan.parameters,
        plan.slug !== null ? { ...AUTO_SCHEDULED, schedule: plan.slug } : AUTO_SCHEDULED,
      )
    ),
  );
  const queued: Array<{ deployment: Deployment; run: RunRecord }> = [];
  outcomes.forEach((outcome, i) => {
    const { plan } = jobs[i]!;
    if (outcome.status === "rejected") {
      // The cursor stays: the next pass tries the slot again.
      plan.failed = true;
      onError(plan.deployment, outcome.reason);
      return;
    }
    report.created.push(outcome.value.id);
    if (outcome.value.state === StateType.SCHEDULED) {
      queued.push({ deployment: plan.deployment, run: outcome.value });
    }
  });
  await engine.transact((tx) => {
    for (const { deployment, run } of queued) {
      // A fresh key: written without reading it first.
      const due = run.expectedStartTime ?? now;
      tx.putDocument({
        collection: C.runQueue,
        key: queueKey(deployment.workPool, due, run.id),
        ref: deployment.workPool,
        data: { runId: run.id, deploymentId: deployment.id },
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
      });
    }
    for (const plan of plans) {
      if (plan.failed || plan.next === null) continue;
      tx.putDocument({
        collection: C.scheduleCursor,
        key: plan.cursorKey,
        ref: plan.deployment.id,
        data: plan.next as unknown as Json,
        createdAt: plan.previous?.createdAt ?? now,
        updatedAt: now,
        expiresAt: null,
      });
    }
  });
  return report;
}

// Plans the slots of each active schedule of a deployment (no writes).
function planDeployment(
  deployment: Deployment,
  cursors: ReadonlyMap<string, StoredDocument>,
  options: SchedulingOptions,
  now: number,
  report: ScheduleReport,
): SchedulePlan[] {
  const plans: SchedulePlan[] = [];
  for (const schedule of deployment.schedules) {
    let parameters: Json | undefined;
    if (!schedule.active) continue;
    const key = scheduleSlotKey(schedule);
    const cursorKey = `${deployment.id}|${key}`;
    const previous = cursors.get(cursorKey);
    const state = (previous?.data as ScheduleCursor | undefined) ?? { cursor: null, since: now };
    const plan = planSlots({
      next: slotTimes.of(schedule, key),
      cursor: state.cursor,
      since: state.since,
      now,
      horizonMs: options.horizonMs ?? 3_600_000,
      maxAhead: options.maxAhead ?? 10,
      graceMs: options.missedAfterMs ?? 60_000,
      catchup: schedule.catchup,
      ...(state.ahead ? { createdAhead: state.ahead } : {}),
    });
    report.skipped += plan.skipped;
    if (plan.create.length > 0) parameters = runParameters(deployment, schedule.parameters);
    const ahead = [...(state.ahead ?? []), ...plan.create].filter((t) => t > now);
    const aheadChanged = ahead.length !== (state.ahead?.length ?? -1);
    const moved = plan.cursor !== state.cursor || state.cursor === null || aheadChanged ||
      plan.skipped > 0;
    // Skipped slots are counted on the cursor (GET /api/deployments/{ref}/schedules/next).
    const missed = (state.missed ?? 0) + plan.skipped;
    const lastMissed = plan.newestSkipped ?? state.lastMissed;
    plans.push({
      deployment,
      parameters: parameters ?? {},
      slug: schedule.slug ?? null,
      cursorKey,
      previous,
      next: moved
        ? {
          cursor: plan.cursor,
          since: state.since,
          ahead,
          ...(missed > 0 ? { missed } : {}),
          ...(lastMissed !== undefined ? { lastMissed } : {}),
        }
        : null,
      slots: plan.create.map((slot) => ({ runId: slotRunId(deployment.id, key, slot), slot })),
      failed: false,
    });
  }
  return plans;
}

/** What became of a schedule's missed slots (see {@linkcode scheduleMisses}). */
export interface ScheduleMisses {
  /** Slots that got no run by the schedule's catch-up policy, in total. */
  missed: number;
  /** The newest of them (epoch ms), or `null` for none. */
  lastMissed: number | null;
}

/** The missed slots of each schedule of `deployment`, in the order of its schedules. */
export function scheduleMisses(docs: DocumentReader, deployment: Deployment): ScheduleMisses[] {
  return deployment.schedules.map((schedule) => {
    const cursor = docs.getDocument(
      C.scheduleCursor,
      `${deployment.id}|${scheduleSlotKey(schedule)}`,
    )
      ?.data as ScheduleCursor | undefined;
    return { missed: cursor?.missed ?? 0, lastMissed: cursor?.lastMissed ?? null };
  });
}

/**
 * Slot times of schedules, remembered for this pass and the one before: a
 * schedule's times are a pure function of its key, deployments often share
 * a schedule, and one pass's last question ("the slot after the one just
 * created") is the next pass's first. Computing cron and RRule times is
 * otherwise most of a pass.
 */
const slotTimes = {
  current: new Map<string, readonly number[]>(),
  previous: new Map<string, readonly number[]>(),
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  },
  of(schedule: Schedule, key: string): (after: number, count: number) => number[] {
    return (after, count) => {
      const memoKey = `${after}|${count}|${key}`;
      let times = this.current.get(memoKey);
      if (times === undefined) {
        times = this.previous.get(memoKey) ?? Object.freeze(nextRuns(schedule, after, count));
        this.current.set(memoKey, times);
      }
      // planSlots only reads the pages it is given.
      return times as number[];
    };
  },
};

/**
 * Runs due this soon are queued again when they lost their queue entry, so a
 * retry due between two ticks (every 5 s by default) is claimable on time.
 */
const REQUEUE_AHEAD_MS = 15_000;

/**
 * Marks SCHEDULED deployment runs not started `lateAfterMs` after their time
 * as SCHEDULED "Late", and puts back in their queue any due (or due within
 * 15 s) that lost their queue entry. Returns the ids marked late.
 *
 * Only SCHEDULED runs expected before `now` + 15 s are read, as one index
 * range in expected start order: the runs created ahead of time (up to the
 * horizon, 10 per schedule by default) cost a tick nothing until they are
 * due. A run without an expected start time is never late and is not
 * queued again here (deployment runs always have one).
 */
export async function markLateRuns(
  engine: Engine,
  options: SchedulingOptions = {},
): Promise<string[]> {
  const now = options.now ?? engine.clock.now();
  const lateAfter = options.lateAfterMs ?? 15_000;
  const cutoff = now + REQUEUE_AHEAD_MS;
  const late: RunRecord[] = [];
  const due: RunRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = engine.listRuns({
      kind: "flow",
      states: [StateType.SCHEDULED],
      expectedStartBefore: cutoff,
      sort: "expected",
      order: "asc",
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.items) {
      if (run.deploymentId === null) continue;
      if (
        run.stateName === StateName.Scheduled && run.expectedStartTime! + lateAfter < now
      ) late.push(run);
      due.push(run);
    }
    cursor = page.nextCursor;
  } while (cursor);
  // Not awaited yet: the requeue and the late markings share one batch.
  const requeued = requeueOrphans(engine, due, cutoff, now);
  const [results] = await Promise.all([
    Promise.all(late.map((run) =>
      engine.propose(run.id, {
        to: StateType.SCHEDULED,
        name: StateName.Late,
        token: `late:${run.id}:${run.version}`,
        expectedVersion: run.version,
        kind: "mark_late",
      })
    )),
    requeued,
  ]);
  return late.filter((_, i) => results[i]!.status === "accepted").map((run) => run.id);
}

// SCHEDULED deployment runs must sit in their pool's queue or be claimed;
// runs made SCHEDULED by other paths (a retry) are put back in the queue.
// The queue entries due before `cutoff` and the claims are read in bulk (a
// point read per run costs more than the scan); only the runs missing from
// both are checked again and queued, in one transaction.
async function requeueOrphans(
  engine: Engine,
  runs: readonly RunRecord[],
  cutoff: number,
  now: number,
): Promise<void> {
  if (runs.length === 0) return;
  const held = queuedBefore(engine.reader, cutoff);
  for (const doc of allDocuments(engine.reader, C.claim)) held.add(doc.key);
  const missing = runs.filter((run) => !held.has(run.id));
  if (missing.length === 0) return;
  await engine.transact((tx) => {
    for (const run of missing) {
      if (read(tx, C.claim, run.id)) continue;
      const deployment = read<Deployment>(tx, C.deployment, run.deploymentId!);
      if (!deployment || deployment.deletedAt !== null) continue;
      const due = run.expectedStartTime ?? 0;
      if (tx.getDocument(C.runQueue, queueKey(deployment.workPool, due, run.id))) continue;
      enqueueRun(tx, deployment, run.id, due, now);
    }
  });
}

// Run ids of the queue entries due before `cutoff`. Entries sort by pool,
// then due time: at a pool's first entry due later, the scan jumps past the
// rest of that pool (":" sorts after the padded digits; pool names have no
// "|"), so the entries queued ahead are not read.
function queuedBefore(docs: DocumentReader, cutoff: number): Set<string> {
  const ids = new Set<string>();
  let afterKey: string | undefined;
  while (true) {
    const page = docs.listDocuments({
      collection: C.runQueue,
      limit: 200,
      ...(afterKey !== undefined ? { afterKey } : {}),
    });
    let skipTo: string | undefined;
    for (const doc of page) {
      const { pool, due, runId } = parseQueueKey(doc.key);
      if (due >= cutoff) {
        skipTo = `${pool}|:`;
        break;
      }
      ids.add(runId);
    }
    if (skipTo !== undefined) afterKey = skipTo;
    else if (page.length < 200) return ids;
    else afterKey = page.at(-1)!.key;
  }
}
