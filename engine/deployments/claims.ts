/**
 * Claims of deployment runs. A worker claims due runs of its pool's queues
 * inside one store transaction (BEGIN IMMEDIATE on SQLite, the writers' turn
 * on PostgreSQL), so under any race — threads of one server or processes on
 * one database — exactly one claimer wins a run. Candidates are read with
 * `skipLocked` (PostgreSQL's `FOR UPDATE SKIP LOCKED`): an entry another
 * session holds is skipped, not waited on. A claim holds a lease the
 * worker renews while the run is alive; expired leases are reclaimed by the
 * services loop.
 *
 * @module
 */
import {
  allDocuments,
  type DocumentAccess,
  InvalidArgumentError,
  isTerminal,
  NotFoundError,
  type RunRecord,
  StateName,
  StateType,
  type StoreTx,
} from "../core/mod.ts";
import type { Engine } from "../engine.ts";
import { endRunsUnder, type TreeEnding } from "../run_tree.ts";
import { uuidv7 } from "../uuid7.ts";
import { C, dueThroughKey, parseQueueKey, read, write } from "./_documents.ts";
import {
  type Claim,
  CollisionStrategy,
  DEFAULT_WORK_POOL,
  DEFAULT_WORK_QUEUE,
  type Deployment,
  type WorkPool,
  type WorkQueue,
} from "./model.ts";
import { queueOfDeployment, queuesOf } from "./work_queues.ts";
import { type EffectiveJobVariables, mergeJobVariables, runJobVariables } from "./job_variables.ts";
import { activeRuns, cancelForConcurrency, enqueueRun } from "./runs.ts";
import {
  beat,
  DEFAULT_LEASE_SECONDS,
  ensureWorkPool,
  LEASE_SECONDS_RANGE,
  poolNotFound,
} from "./work_pools.ts";

/** A queue entry whose run never appeared is dropped after this long. */
const ORPHAN_ENTRY_MS = 60_000;

/** Options of {@linkcode claimRuns}. */
export interface ClaimOptions {
  workerId: string;
  workerName?: string;
  /** Most runs to claim. @default 1 */
  limit?: number;
  /** Lease length, 1 to 3600 s. @default 30 */
  leaseSeconds?: number;
  /** Claim only from these queues of the pool. @default all of them */
  queues?: readonly string[];
}

/** A claimed run: the run (PENDING now) and the claim to renew and release. */
export interface ClaimedRun {
  run: RunRecord;
  claim: Claim;
  deployment: Deployment;
  /** What the run's process gets: the pool's, deployment's and run's job variables merged. */
  jobVariables: EffectiveJobVariables;
}

/**
 * Claims up to `limit` due runs of `pool` for a worker. Runs of deployments
 * at their concurrency limit stay queued (`ENQUEUE`) or are cancelled
 * (`CANCEL_NEW`). A paused pool yields nothing. Claimed runs are PENDING.
 */
export async function claimRuns(
  engine: Engine,
  poolName: string,
  options: ClaimOptions,
): Promise<ClaimedRun[]> {
  const limit = options.limit ?? 1;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  if (!(leaseSeconds >= LEASE_SECONDS_RANGE[0] && leaseSeconds <= LEASE_SECONDS_RANGE[1])) {
    throw new InvalidArgumentError(`Lease must be 1 to 3600 seconds, got ${leaseSeconds}`);
  }
  const now = engine.clock.now();
  const toCancel: RunRecord[] = [];
  // Inside the engine's batch (BEGIN IMMEDIATE on SQLite): one claimer wins a run.
  const won = await engine.transact((tx) => {
    const pool = read<WorkPool>(tx, C.workPool, poolName) ??
      (poolName === DEFAULT_WORK_POOL ? ensureWorkPool(tx, poolName, now) : undefined);
    if (!pool) throw poolNotFound(poolName);
    beat(tx, { id: options.workerId, pool: poolName, ...nameOf(options) }, now);
    if (pool.paused) return { pool, claimed: [] };
    const claimed: Array<{ run: RunRecord; claim: Claim; deployment: Deployment }> = [];
    const queues = claimableQueues(pool, options.queues);
    if (queues.size === 0) return { pool, claimed: [] };
    // Counting held claims reads every claim: only when some limit needs it.
    const limited = pool.concurrencyLimit != null ||
      [...queues.values()].some((q) => q.concurrencyLimit !== null);
    const held = limited ? heldClaims(tx, poolName) : { total: 0, byQueue: new Map() };
    const taken = new Map<string, number>();
    for (const candidate of dueCandidates(tx, poolName, queues, now)) {
      const { entry, run, deployment, queue } = candidate;
      if (pool.concurrencyLimit != null && held.total >= pool.concurrencyLimit) break;
      if (
        queue.concurrencyLimit !== null &&
        (held.byQueue.get(queue.name) ?? 0) >= queue.concurrencyLimit
      ) {
        continue;
      }
      if (deployment.concurrencyLimit !== null) {
        const active = activeRuns(engine.reader, tx, deployment.id) +
          (taken.get(deployment.id) ?? 0);
        if (active >= deployment.concurrencyLimit) {
          if (deployment.collisionStrategy === CollisionStrategy.CANCEL_NEW) {
            tx.deleteDocument(C.runQueue, entry);
            toCancel.push(run);
          }
          continue;
        }
      }
      const claim: Claim = {
        runId: run.id,
        claimId: uuidv7(now),
        workerId: options.workerId,
        pool: poolName,
        queue: queue.name,
        deploymentId: deployment.id,
        leaseExpiresAt: now + leaseSeconds * 1000,
        claimedAt: now,
      };
      write(tx, C.claim, run.id, claim, {
        now,
        ref: deployment.id,
        expiresAt: claim.leaseExpiresAt,
      });
      tx.deleteDocument(C.runQueue, entry);
      taken.set(deployment.id, (taken.get(deployment.id) ?? 0) + 1);
      held.total += 1;
      held.byQueue.set(queue.name, (held.byQueue.get(queue.name) ?? 0) + 1);
      claimed.push({ run, claim, deployment });
      if (claimed.length >= limit) break;
    }
    return { pool, claimed };
  });
  await Promise.all(toCancel.map((run) => cancelForConcurrency(engine, run)));
  const out: ClaimedRun[] = [];
  for (const item of won.claimed) {
    const result = await engine.propose(item.run.id, {
      to: StateType.PENDING,
      token: `claim:${item.claim.claimId}`,
      expectedVersion: item.run.version,
      kind: "claim",
      data: { workerId: item.claim.workerId, leaseExpiresAt: item.claim.leaseExpiresAt },
    });
    if (result.status === "accepted") {
      const creation = engine.events({ runId: item.run.id, limit: 1 })[0];
      const jobVariables = mergeJobVariables(
        won.pool,
        item.deployment,
        runJobVariables(creation?.data),
      );
      out.push({ ...item, run: engine.getRun(item.run.id) ?? item.run, jobVariables });
    } else {
      // The run moved on (cancelled, started elsewhere): the claim is void.
      await engine.transact((tx) => tx.deleteDocument(C.claim, item.run.id));
    }
  }
  return out;
}

/** The queues a worker may claim from now: not paused, among `only` when given. */
function claimableQueues(
  pool: WorkPool,
  only: readonly string[] | undefined,
): Map<string, WorkQueue> {
  const queues = queuesOf(pool);
  for (const name of only ?? []) {
    if (!queues.some((q) => q.name === name)) {
      throw new NotFoundError(`Work queue "${name}" does not exist in work pool "${pool.name}"`, {
        code: "work_queue_not_found",
      });
    }
  }
  return new Map(
    queues.filter((q) =>
      !q.paused && (only === undefined || only.length === 0 || only.includes(q.name))
    )
      .map((q) => [q.name, q]),
  );
}

/** Claims held in a pool now (their runs are being started or executed), in total and by queue. */
function heldClaims(
  docs: DocumentAccess,
  poolName: string,
): { total: number; byQueue: Map<string, number> } {
  const held = { total: 0, byQueue: new Map<string, number>() };
  for (const doc of allDocuments(docs, C.claim)) {
    const claim = doc.data as unknown as Claim;
    if (claim.pool !== poolName) continue;
    const queue = claim.queue ?? DEFAULT_WORK_QUEUE;
    held.total += 1;
    held.byQueue.set(queue, (held.byQueue.get(queue) ?? 0) + 1);
  }
  return held;
}

interface Candidate {
  entry: string;
  run: RunRecord;
  deployment: Deployment;
  queue: WorkQueue;
}

/** Most due queue entries read for one claim across several queues. */
const MAX_SCAN = 5_000;

/**
 * The due runs of a pool's claimable queues, by queue priority and then due
 * time. Entries whose run is gone or no longer SCHEDULED are dropped. With
 * one queue the entries are already in order: they are handed out as read,
 * and the scan stops when the claimer has enough.
 */
function* dueCandidates(
  tx: StoreTx,
  poolName: string,
  queues: ReadonlyMap<string, WorkQueue>,
  now: number,
): Generator<Candidate> {
  const candidates: Candidate[] = [];
  const single = queues.size === 1;
  let afterKey: string | undefined;
  let scanned = 0;
  scan: while (scanned < MAX_SCAN) {
    // Due entries only, locked to this claim; one another transaction holds is skipped.
    const entries = tx.listDocuments({
      collection: C.runQueue,
      ref: poolName,
      limit: 200,
      throughKey: dueThroughKey(poolName, now),
      skipLocked: true,
      ...(afterKey ? { afterKey } : {}),
    });
    for (const entry of entries) {
      afterKey = entry.key;
      scanned += 1;
      const { due, runId } = parseQueueKey(entry.key);
      if (due > now) break scan;
      const run = tx.getRun(runId);
      if (!run) {
        if (now - entry.createdAt > ORPHAN_ENTRY_MS) tx.deleteDocument(C.runQueue, entry.key);
        continue;
      }
      const deploymentId = (entry.data as { deploymentId: string }).deploymentId;
      const deployment = read<Deployment>(tx, C.deployment, deploymentId);
      if (run.state !== StateType.SCHEDULED || !deployment) {
        tx.deleteDocument(C.runQueue, entry.key);
        continue;
      }
      if (run.expectedStartTime !== null && run.expectedStartTime > now) continue;
      const queue = queues.get(queueOfDeployment(deployment));
      if (!queue) continue;
      const candidate = { entry: entry.key, run, deployment, queue };
      // One queue: entries come in due order already, so hand them out as read.
      if (single) yield candidate;
      else candidates.push(candidate);
    }
    if (entries.length < 200) break;
  }
  // Array sort is stable: within a priority, due order stays.
  yield* candidates.sort((a, b) => a.queue.priority - b.queue.priority);
}

function nameOf(options: ClaimOptions): { name?: string } {
  return options.workerName !== undefined ? { name: options.workerName } : {};
}

/** What a lease renewal learned. */
export interface RenewResult {
  /** False when the claim is gone or belongs to someone else: stop the run. */
  held: boolean;
  leaseExpiresAt: number | null;
  /** The run's state now (the worker kills the process on CANCELLING). */
  state: StateType | null;
}

/** Extends a claim's lease while its run is alive. */
export async function renewClaim(
  engine: Engine,
  runId: string,
  claimId: string,
  leaseSeconds = DEFAULT_LEASE_SECONDS,
): Promise<RenewResult> {
  const now = engine.clock.now();
  return await engine.transact((tx) => {
    const run = tx.getRun(runId);
    const claim = read<Claim>(tx, C.claim, runId);
    if (!claim || claim.claimId !== claimId) {
      return { held: false, leaseExpiresAt: null, state: run?.state ?? null };
    }
    const next = { ...claim, leaseExpiresAt: now + leaseSeconds * 1000 };
    write(tx, C.claim, runId, next, {
      now,
      ref: claim.deploymentId,
      expiresAt: next.leaseExpiresAt,
    });
    beat(tx, { id: claim.workerId, pool: claim.pool }, now);
    return { held: true, leaseExpiresAt: next.leaseExpiresAt, state: run?.state ?? null };
  });
}

/**
 * Releases a claim when its run finished; idempotent. A run that ended
 * without finishing its work (its process crashed, timed out or was killed on
 * cancel) leaves no task run or subflow live under it: they end with it,
 * CANCELLED under a cancelled run, CRASHED otherwise.
 */
export async function releaseClaim(
  engine: Engine,
  runId: string,
  claimId: string,
): Promise<boolean> {
  const released = await engine.transact((tx) => {
    const claim = read<Claim>(tx, C.claim, runId);
    if (!claim || claim.claimId !== claimId) return false;
    return tx.deleteDocument(C.claim, runId);
  });
  const run = engine.getRun(runId);
  if (released && run && isTerminal(run.state) && run.state !== StateType.COMPLETED) {
    await endRunsUnder(engine, runId, treeEnding(run.state, "the worker's run process ended"));
  }
  return released;
}

// How the runs under a flow run end when the flow run ended as `state` without its executor.
function treeEnding(state: StateType, why: string): TreeEnding {
  return state === StateType.CANCELLED
    ? { to: StateType.CANCELLED, kind: "cancel", message: `Cancelled with its flow run: ${why}` }
    : { to: StateType.CRASHED, kind: "crash", message: `Crashed with its flow run: ${why}` };
}

/** The claim of a run, if any. */
export function claimOf(engine: Engine, runId: string): Claim | undefined {
  return read<Claim>(engine.reader, C.claim, runId);
}

/**
 * Reclaims expired leases: a claimed run that never started goes back to
 * SCHEDULED (and into its queue); a run still executing whose worker stopped
 * renewing is CRASHED (a CANCELLING one CANCELLED: nobody is left to finish
 * the cancel), with its task runs and subflows. Returns the run ids handled.
 */
export async function reclaimExpiredClaims(
  engine: Engine,
  now = engine.clock.now(),
): Promise<{ rescheduled: string[]; crashed: string[] }> {
  const expired = [...allDocuments(engine.reader, C.claim)]
    .map((doc) => doc.data as unknown as Claim)
    .filter((claim) => claim.leaseExpiresAt <= now);
  const rescheduled: string[] = [];
  const crashed: string[] = [];
  for (const claim of expired) {
    const run = engine.getRun(claim.runId);
    const token = `reclaim:${claim.claimId}`;
    if (run?.state === StateType.PENDING) {
      const result = await engine.propose(run.id, {
        to: StateType.SCHEDULED,
        name: StateName.Scheduled,
        token,
        kind: "lease_expired",
        data: { message: `Lease of worker "${claim.workerId}" expired before the run started` },
      });
      if (result.status !== "accepted" && result.status !== "duplicate") continue;
      rescheduled.push(run.id);
    } else if (
      run?.state === StateType.RUNNING || run?.state === StateType.CANCELLING ||
      run?.state === StateType.PAUSED
    ) {
      const cancelling = run.state === StateType.CANCELLING;
      const result = await engine.propose(run.id, {
        to: cancelling ? StateType.CANCELLED : StateType.CRASHED,
        token,
        kind: "lease_expired",
        data: {
          message: cancelling
            ? `Cancelled: worker "${claim.workerId}" stopped renewing its lease while cancelling`
            : `Worker "${claim.workerId}" stopped renewing its lease: run crashed`,
        },
      });
      if (result.status === "accepted") {
        crashed.push(run.id);
        await endRunsUnder(
          engine,
          run.id,
          treeEnding(result.state, `worker "${claim.workerId}" stopped renewing its lease`),
        );
      }
    }
    await engine.transact((tx) => {
      const current = read<Claim>(tx, C.claim, claim.runId);
      if (current?.claimId !== claim.claimId) return;
      tx.deleteDocument(C.claim, claim.runId);
      const after = tx.getRun(claim.runId);
      const deployment = read<Deployment>(tx, C.deployment, claim.deploymentId);
      if (after?.state === StateType.SCHEDULED && deployment) {
        enqueueRun(tx, deployment, after.id, after.expectedStartTime ?? now, now);
      }
    });
  }
  return { rescheduled, crashed };
}
