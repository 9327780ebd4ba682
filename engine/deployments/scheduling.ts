/**
 * Turning schedules into SCHEDULED flow runs ahead of time, idempotently: a
 * slot document per (deployment, schedule, slot time) reserves the run id
 * before the run is created, so a restart or a second scheduler never
 * schedules a slot twice. Also marks runs that did not start in time "Late".
 *
 * @module
 */
import { type DocumentAccess, type RunRecord, StateName, StateType } from "../core/mod.ts";
import { planSlots, scheduleKey } from "../core/schedules.ts";
import type { Engine } from "../engine.ts";
import { nextRuns } from "../schedules/mod.ts";
import { uuidv7 } from "../uuid7.ts";
import { allDocuments, C, queueKey, read, write } from "./_documents.ts";
import type { Deployment } from "./model.ts";
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

interface Cursor {
  cursor: number | null;
  since: number;
  /** Slot times created after the last tick's `now` (older cursors lack it). */
  ahead?: number[];
}

/**
 * Creates the due and upcoming runs of every active schedule of every live,
 * unpaused deployment. Slots are reserved and queued for all deployments in
 * one transaction, then their runs are created together (one engine batch):
 * a tick costs a few commits, not a few per deployment.
 */
export async function scheduleRuns(
  engine: Engine,
  options: SchedulingOptions = {},
): Promise<ScheduleReport> {
  const report: ScheduleReport = { created: [], skipped: 0 };
  const now = options.now ?? engine.clock.now();
  const onError = options.onError ??
    ((d: Deployment, e: unknown) => console.error(`Cannot schedule "${d.name}":`, e));
  const deployments = [...allDocuments(engine.store, C.deployment)]
    .map((doc) => doc.data as unknown as Deployment)
    .filter((d) => d.deletedAt === null && !d.paused && d.schedules.some((s) => s.active));
  const reserved: Array<{ deployment: Deployment; runId: string; slot: number }> = [];
  engine.store.write((tx) => {
    for (const deployment of deployments) {
      try {
        reserved.push(...reserveSlots(tx, engine, deployment, options, now, report));
      } catch (error) {
        onError(deployment, error);
      }
    }
  });
  const created = await Promise.allSettled(
    reserved.map(({ deployment, runId, slot }) =>
      createQueuedRun(engine, deployment, runId, slot, runParameters(deployment, undefined), {
        tags: ["auto-scheduled"],
      })
    ),
  );
  created.forEach((outcome, i) => {
    if (outcome.status === "fulfilled") report.created.push(outcome.value.id);
    else onError(reserved[i]!.deployment, outcome.reason);
  });
  return report;
}

// Plans a deployment's slots and, in the caller's transaction, reserves each
// new slot's run id, queues it and moves the schedule's cursor.
function reserveSlots(
  tx: DocumentAccess,
  engine: Engine,
  deployment: Deployment,
  options: SchedulingOptions,
  now: number,
  report: ScheduleReport,
): Array<{ deployment: Deployment; runId: string; slot: number }> {
  const reserved: Array<{ deployment: Deployment; runId: string; slot: number }> = [];
  for (const schedule of deployment.schedules) {
    if (!schedule.active) continue;
    const key = scheduleKey(schedule);
    const cursorKey = `${deployment.id}|${key}`;
    const state = read<Cursor>(tx, C.scheduleCursor, cursorKey) ?? { cursor: null, since: now };
    const plan = planSlots({
      next: (after, count) => nextRuns(schedule, after, count),
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
    const ahead = [...(state.ahead ?? []), ...plan.create].filter((t) => t > now);
    for (const slot of plan.create) {
      const slotKey = `${deployment.id}|${key}|${slot}`;
      const existing = read<{ runId: string }>(tx, C.scheduleSlot, slotKey);
      // A slot reserved by a scheduler that died before creating its run is finished here.
      if (existing && engine.store.getRun(existing.runId)) continue;
      const runId = existing?.runId ?? uuidv7(now);
      if (!existing) {
        write(tx, C.scheduleSlot, slotKey, { runId, slot, scheduleKey: key }, {
          now,
          ref: deployment.id,
        });
      }
      enqueueRun(tx, deployment, runId, slot, now);
      reserved.push({ deployment, runId, slot });
    }
    const aheadChanged = ahead.length !== (state.ahead?.length ?? -1);
    if (plan.cursor !== state.cursor || state.cursor === null || aheadChanged) {
      write(tx, C.scheduleCursor, cursorKey, { cursor: plan.cursor, since: state.since, ahead }, {
        now,
        ref: deployment.id,
      });
    }
  }
  return reserved;
}

/**
 * Marks SCHEDULED deployment runs not started `lateAfterMs` after their time
 * as SCHEDULED "Late", and puts back in their queue any that lost their
 * queue entry. Returns the ids marked late.
 */
export async function markLateRuns(
  engine: Engine,
  options: SchedulingOptions = {},
): Promise<string[]> {
  const now = options.now ?? engine.clock.now();
  const lateAfter = options.lateAfterMs ?? 15_000;
  const late: RunRecord[] = [];
  const orphans: RunRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = engine.listRuns({
      kind: "flow",
      states: [StateType.SCHEDULED],
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const run of page.items) {
      if (run.deploymentId === null) continue;
      if (
        run.stateName === StateName.Scheduled && run.expectedStartTime !== null &&
        run.expectedStartTime + lateAfter < now
      ) late.push(run);
      orphans.push(run);
    }
    cursor = page.nextCursor;
  } while (cursor);
  requeueOrphans(engine, orphans, now);
  const results = await Promise.all(late.map((run) =>
    engine.propose(run.id, {
      to: StateType.SCHEDULED,
      name: StateName.Late,
      token: `late:${run.id}:${run.version}`,
      expectedVersion: run.version,
      kind: "mark_late",
    })
  ));
  return late.filter((_, i) => results[i]!.status === "accepted").map((run) => run.id);
}

// SCHEDULED deployment runs must sit in their pool's queue or be claimed;
// runs made SCHEDULED by other paths (a retry) are put back in the queue.
function requeueOrphans(engine: Engine, runs: readonly RunRecord[], now: number): void {
  if (runs.length === 0) return;
  engine.store.write((tx) => {
    for (const run of runs) {
      if (read(tx, C.claim, run.id)) continue;
      const deployment = read<Deployment>(tx, C.deployment, run.deploymentId!);
      if (!deployment || deployment.deletedAt !== null) continue;
      const due = run.expectedStartTime ?? 0;
      if (tx.getDocument(C.runQueue, queueKey(deployment.workPool, due, run.id))) continue;
      enqueueRun(tx, deployment, run.id, due, now);
    }
  });
}
