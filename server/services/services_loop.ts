/**
 * The services loop of the server: schedules → SCHEDULED runs, late runs,
 * expired claims back to SCHEDULED (or CRASHED when the run was running),
 * stale workers marked OFFLINE. One leader at a time per database, through a
 * lease document, so two servers on one SQLite file do not double-schedule
 * (slot documents make that safe anyway; the lease saves the work).
 *
 * Leadership follows the node, not the process: the lease names a stable
 * node identity (`startServer` uses `IRONFLOW_NODE_ID`, else host and port),
 * so a restarted server takes its lease back at once. The leader renews the
 * lease every tick and releases it when it stops cleanly; a leader that died
 * is replaced once its lease (three ticks by default) ran out.
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
import { reapLostRuns, uuidv7 } from "../../engine/mod.ts";
import { type ResultFiles, sweepRetention } from "../../engine/retention/mod.ts";
import { evaluateAutomations } from "../../engine/automations/mod.ts";
import { runFiringActions } from "./automation_actions.ts";
import type { SecretCipher } from "../../engine/secrets/mod.ts";

const LEADER_COLLECTION = "service_leader";
const LEADER_KEY = "services";

/** Collaborators and settings of {@linkcode createScheduler}. */
export interface SchedulerOptions extends Omit<SchedulingOptions, "now"> {
  engine: Engine;
  clock: Clock;
  /**
   * Identity of this node in the leader lease: stable across restarts, so a
   * restarted leader takes the lease back at once. Two live processes must
   * not share it. @default a new UUID (a process identity)
   */
  holder?: string;
  /** How long a leader's lease lasts without a tick. @default 15_000 */
  leaderLeaseMs?: number;
  /** Result files beside the database: the retention sweep deletes those no surviving run references. */
  resultFiles?: ResultFiles;
  /** Sends automations' HTTP notifications. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Reveals the secrets automations' HTTP notification headers read. @default none */
  secretCipher?: SecretCipher;
}

/** The leader lease as stored. */
export interface LeaderLease {
  holder: string;
  /** The process of the holder: a restarted node takes the lease back under a new one. */
  instance?: string;
  /** Epoch ms until which the holder leads without renewing. */
  expiresAt: number;
  /** Epoch ms since which the holder leads (kept across renewals). */
  since?: number;
}

/** What one tick did. */
export interface TickReport {
  /** False when another process leads: this tick did nothing. */
  leader: boolean;
  /** The node that held the lease before this tick, when it was another one (a takeover). */
  tookOverFrom?: string;
  created: string[];
  skipped: number;
  late: string[];
  rescheduled: string[];
  crashed: string[];
  /** Flow runs whose executor stopped heartbeating, ended CRASHED or CANCELLED. */
  reaped: string[];
  staleWorkers: string[];
  /** Automation firings this tick recorded. */
  firings: string[];
}

/** The scheduler: call `tick()` on a timer (see {@linkcode startServices}) or from tests. */
export interface Scheduler {
  /** One pass of every service at `now` (default: the clock's time). */
  tick(now?: number): Promise<TickReport>;
  /** Gives the lease up if this node holds it, so another takes over at once; returns whether it did. */
  release(): Promise<boolean>;
  /** The lease as stored, if any. */
  lease(): LeaderLease | undefined;
}

/** Creates the scheduler of an engine. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { engine, clock } = options;
  const holder = options.holder ?? uuidv7(clock.now());
  const leaseMs = options.leaderLeaseMs ?? 15_000;
  const instance = uuidv7(clock.now());

  // Takes or renews the lease; answers whether this node leads, and whom it took over from.
  function lead(now: number): Promise<{ leads: boolean; from?: string }> {
    return engine.transact((tx) => {
      const current = tx.getDocument(LEADER_COLLECTION, LEADER_KEY);
      const data = current?.data as LeaderLease | undefined;
      if (data && data.holder !== holder && data.expiresAt > now) return { leads: false };
      const renewal = data?.holder === holder && data.instance === instance;
      const lease: LeaderLease = {
        holder,
        instance,
        expiresAt: now + leaseMs,
        since: renewal ? data.since ?? now : now,
      };
      tx.putDocument({
        collection: LEADER_COLLECTION,
        key: LEADER_KEY,
        ref: null,
        data: { ...lease },
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
        expiresAt: now + leaseMs,
      });
      return data && data.holder !== holder ? { leads: true, from: data.holder } : { leads: true };
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
        reaped: [],
        staleWorkers: [],
        firings: [],
      };
      const leadership = await lead(now);
      if (!leadership.leads) return report;
      report.leader = true;
      if (leadership.from !== undefined) report.tookOverFrom = leadership.from;
      // Scheduling first: a due slot's run waits for nothing else in the tick.
      const scheduled = await scheduleRuns(engine, { ...options, now });
      report.created = scheduled.created;
      report.skipped = scheduled.skipped;
      const { rescheduled, crashed } = await reclaimExpiredClaims(engine, now);
      report.rescheduled = rescheduled;
      report.crashed = crashed;
      const reaped = await reapLostRuns(engine, now);
      report.reaped = [...reaped.crashed, ...reaped.cancelled];
      report.late = await markLateRuns(engine, { ...options, now });
      report.staleWorkers = await markStaleWorkers(engine, now);
      report.firings = await automate(engine, now, options.fetch, options.secretCipher);
      await sweepRetention(engine, clock, {
        now,
        everyMs: 3_600_000,
        maxRuns: 10_000,
        ...(options.resultFiles ? { results: options.resultFiles } : {}),
      });
      return report;
    },
    release() {
      return engine.transact((tx) => {
        const current = tx.getDocument(LEADER_COLLECTION, LEADER_KEY)?.data as
          | LeaderLease
          | undefined;
        if (current?.holder !== holder) return false;
        return tx.deleteDocument(LEADER_COLLECTION, LEADER_KEY);
      });
    },
    lease() {
      return engine.reader.getDocument(LEADER_COLLECTION, LEADER_KEY)?.data as
        | LeaderLease
        | undefined;
    },
  };
}

// Automations: evaluate the events recorded since the last tick (a bounded
// number of passes), then run the actions that are due.
async function automate(
  engine: Engine,
  now: number,
  send?: typeof fetch,
  secretCipher?: SecretCipher,
): Promise<string[]> {
  const firings: string[] = [];
  for (let pass = 0; pass < 10; pass++) {
    const report = await evaluateAutomations(engine, { now });
    firings.push(...report.firings.map((firing) => firing.id));
    if (!report.more) break;
  }
  await runFiringActions(engine, {
    now,
    ...(send ? { fetch: send } : {}),
    ...(secretCipher ? { secretCipher } : {}),
  });
  return firings;
}

/** Options of {@linkcode startServices}. */
export interface ServicesOptions extends SchedulerOptions {
  /** Waits between ticks. @default the system timer */
  timer?: Timer;
  /** Time between ticks; the leader lease defaults to three of them. @default 5_000 */
  intervalMs?: number;
  /** Stops the loop when aborted. */
  signal?: AbortSignal;
  /** Called when a tick throws; the loop goes on. @default console.error */
  onError?: (error: unknown) => void;
  /** Called after each tick that did not throw. */
  onTick?: (report: TickReport) => void;
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
  const interval = options.intervalMs ?? 5_000;
  const scheduler = createScheduler({
    ...options,
    leaderLeaseMs: options.leaderLeaseMs ?? 3 * interval,
  });
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
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
        const report = await scheduler.tick();
        options.onTick?.(report);
      } catch (error) {
        (options.onError ?? console.error)(error);
      }
      try {
        await sleep(interval, controller.signal);
      } catch {
        break;
      }
    }
    // A clean stop hands the lease over at once instead of after it expires.
    try {
      await scheduler.release();
    } catch (error) {
      (options.onError ?? console.error)(error);
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
