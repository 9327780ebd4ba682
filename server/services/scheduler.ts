/**
 * The services loop of the server: schedules → SCHEDULED runs, late runs,
 * expired claims back to SCHEDULED (or CRASHED when the run was running),
 * stale workers marked OFFLINE. One leader at a time per database, through a
 * lease document, so two servers on one SQLite file do not double-schedule
 * (slot documents make that safe anyway; the lease saves the work).
 *
 * @module
 */
import type { Clock, Engine, Timer } from "../../engine/mod.ts";
import {
  markLateRuns,
  markStaleWorkers,
  reclaimExpiredClaims,
  scheduleRuns,
  type SchedulingOptions,
} from "../../engine/deployments/mod.ts";
import { uuidv7 } from "../../engine/mod.ts";
import { type ResultFiles, sweepRetention } from "../../engine/flows/mod.ts";

const LEADER_COLLECTION = "service_leader";
const LEADER_KEY = "services";

/** Collaborators and settings of {@linkcode createScheduler}. */
export interface SchedulerOptions extends Omit<SchedulingOptions, "now"> {
  engine: Engine;
  clock: Clock;
  /** Identity of this process in the leader lease. @default a new UUID */
  holder?: string;
  /** How long a leader's lease lasts without a tick. @default 30_000 */
  leaderLeaseMs?: number;
  /** Result files beside the database: the retention sweep deletes those no surviving run references. */
  resultFiles?: ResultFiles;
}

/** What one tick did. */
export interface TickReport {
  /** False when another process leads: this tick did nothing. */
  leader: boolean;
  created: string[];
  skipped: number;
  late: string[];
  rescheduled: string[];
  crashed: string[];
  staleWorkers: string[];
}

/** The scheduler: call `tick()` on a timer (see {@linkcode startServices}) or from tests. */
export interface Scheduler {
  /** One pass of every service at `now` (default: the clock's time). */
  tick(now?: number): Promise<TickReport>;
}

/** Creates the scheduler of an engine. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { engine, clock } = options;
  const holder = options.holder ?? uuidv7(clock.now());
  const leaseMs = options.leaderLeaseMs ?? 30_000;

  function lead(now: number): boolean {
    return engine.store.write((tx) => {
      const current = tx.getDocument(LEADER_COLLECTION, LEADER_KEY);
      const data = current?.data as { holder: string; expiresAt: number } | undefined;
      if (data && data.holder !== holder && data.expiresAt > now) return false;
      tx.putDocument({
        collection: LEADER_COLLECTION,
        key: LEADER_KEY,
        ref: null,
        data: { holder, expiresAt: now + leaseMs },
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
        expiresAt: now + leaseMs,
      });
      return true;
    });
  }

  return {
    async tick(now = clock.now()) {
      const report: TickReport = {
        leader: false,
        created: [],
        skipped: 0,
        late: [],
        rescheduled: [],
        crashed: [],
        staleWorkers: [],
      };
      if (!lead(now)) return report;
      report.leader = true;
      // Scheduling first: a due slot's run waits for nothing else in the tick.
      const scheduled = await scheduleRuns(engine, { ...options, now });
      report.created = scheduled.created;
      report.skipped = scheduled.skipped;
      const { rescheduled, crashed } = await reclaimExpiredClaims(engine, now);
      report.rescheduled = rescheduled;
      report.crashed = crashed;
      report.late = await markLateRuns(engine, { ...options, now });
      report.staleWorkers = markStaleWorkers(engine, now);
      await sweepRetention(engine.store, clock, {
        now,
        everyMs: 3_600_000,
        maxRuns: 10_000,
        ...(options.resultFiles ? { results: options.resultFiles } : {}),
      });
      return report;
    },
  };
}

/** Options of {@linkcode startServices}. */
export interface ServicesOptions extends SchedulerOptions {
  /** Waits between ticks. @default the system timer */
  timer?: Timer;
  /** Time between ticks. @default 5_000 */
  intervalMs?: number;
  /** Stops the loop when aborted. */
  signal?: AbortSignal;
  /** Called when a tick throws; the loop goes on. @default console.error */
  onError?: (error: unknown) => void;
}

/** A running services loop. */
export interface ServicesHandle {
  readonly scheduler: Scheduler;
  /** Stops the loop and waits for the current tick. */
  stop(): Promise<void>;
}

/**
 * Starts the services loop: one tick now, then one every `intervalMs` until
 * stopped. `ironflow server start` calls this with the server's engine.
 */
export function startServices(options: ServicesOptions): ServicesHandle {
  const scheduler = createScheduler(options);
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const interval = options.intervalMs ?? 5_000;
  const sleep = (ms: number, signal: AbortSignal) =>
    options.timer ? options.timer.sleep(ms, signal) : new Promise<void>((resolve, reject) => {
      const id = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(id);
        reject(signal.reason);
      }, { once: true });
    });
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await scheduler.tick();
      } catch (error) {
        (options.onError ?? console.error)(error);
      }
      try {
        await sleep(interval, controller.signal);
      } catch {
        return;
      }
    }
  })();
  return {
    scheduler,
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
