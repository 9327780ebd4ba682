/**
 * Work pools and workers: pools created, changed, paused and deleted, and
 * the workers' heartbeats (claims of runs are in `claims.ts`).
 *
 * @module
 */
import {
  allDocuments,
  ConflictError,
  type DocumentAccess,
  type DocumentReader,
  InvalidArgumentError,
  NotFoundError,
} from "../core/mod.ts";
import type { Engine } from "../engine.ts";
import { C, read, write } from "./_documents.ts";
import {
  DEFAULT_WORK_POOL,
  type Deployment,
  type WorkerRecord,
  WorkerStatus,
  type WorkPool,
} from "./model.ts";
import { type JobVariables, parseJobVariables } from "./job_variables.ts";
import { DeploymentError, NAME_PATTERN } from "./validate.ts";

/** A worker with no heartbeat for this long is stale (OFFLINE). */
export const WORKER_STALE_MS = 120_000;
/** Lease of a claim unless the worker asks for another. */
export const DEFAULT_LEASE_SECONDS = 30;
/** Shortest and longest lease a worker may ask for. */
export const LEASE_SECONDS_RANGE = [1, 3600] as const;

/** The error for a pool that does not exist. */
export function poolNotFound(name: string): NotFoundError {
  return new NotFoundError(`Work pool "${name}" does not exist`, { code: "work_pool_not_found" });
}

/** Creates the pool if it does not exist (inside a transaction). */
export function ensureWorkPool(docs: DocumentAccess, name: string, now: number): WorkPool {
  const existing = read<WorkPool>(docs, C.workPool, name);
  if (existing) return existing;
  const pool: WorkPool = {
    name,
    type: "process",
    description: null,
    paused: false,
    createdAt: now,
    updatedAt: now,
  };
  write(docs, C.workPool, name, pool, { now });
  return pool;
}

/** Every work pool, ordered by name (the default pool always exists). */
export async function listWorkPools(engine: Engine): Promise<WorkPool[]> {
  if (!read(engine.reader, C.workPool, DEFAULT_WORK_POOL)) {
    await engine.transact((tx) => ensureWorkPool(tx, DEFAULT_WORK_POOL, engine.clock.now()));
  }
  return [...allDocuments(engine.reader, C.workPool)].map((doc) => doc.data as unknown as WorkPool);
}

/** Names of the stored pools and the default pool, in name order (a read, no write). */
export function workPoolNames(docs: DocumentReader): string[] {
  const names = new Set([...allDocuments(docs, C.workPool)].map((doc) => doc.key));
  names.add(DEFAULT_WORK_POOL);
  return [...names].sort();
}

/** The pool named `name`; the default pool is created on first use. */
export async function getWorkPool(engine: Engine, name: string): Promise<WorkPool> {
  const pool = read<WorkPool>(engine.reader, C.workPool, name);
  if (pool) return pool;
  if (name === DEFAULT_WORK_POOL) {
    return await engine.transact((tx) => ensureWorkPool(tx, name, engine.clock.now()));
  }
  throw poolNotFound(name);
}

/** Creates a pool; `ConflictError` if it exists. */
export async function createWorkPool(
  engine: Engine,
  input: {
    name: string;
    description?: string | null;
    paused?: boolean;
    concurrencyLimit?: number | null;
    baseJobVariables?: JobVariables;
  },
): Promise<WorkPool> {
  if (!NAME_PATTERN.test(input.name)) {
    throw new DeploymentError(`Invalid work pool name "${input.name}"`, ["name"], {
      code: "invalid_work_pool",
    });
  }
  checkPoolLimit(input.name, input.concurrencyLimit);
  const base = input.baseJobVariables === undefined
    ? undefined
    : parseJobVariables(input.baseJobVariables, `Work pool "${input.name}"`);
  const now = engine.clock.now();
  return await engine.transact((tx) => {
    if (read(tx, C.workPool, input.name)) {
      throw new ConflictError(`Work pool "${input.name}" already exists`, {
        code: "work_pool_exists",
      });
    }
    const pool: WorkPool = {
      name: input.name,
      type: "process",
      description: input.description ?? null,
      paused: input.paused ?? false,
      ...(input.concurrencyLimit != null ? { concurrencyLimit: input.concurrencyLimit } : {}),
      ...(base ? { baseJobVariables: base } : {}),
      createdAt: now,
      updatedAt: now,
    };
    write(tx, C.workPool, pool.name, pool, { now });
    return pool;
  });
}

function checkPoolLimit(name: string, limit: number | null | undefined): void {
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit >= 0)) {
    throw new InvalidArgumentError(
      `Work pool "${name}": concurrency limit must be a whole number of 0 or more, got ${limit}`,
    );
  }
}

/** Changes a pool's description or paused flag. */
export async function updateWorkPool(
  engine: Engine,
  name: string,
  patch: {
    description?: string | null;
    paused?: boolean;
    concurrencyLimit?: number | null;
    baseJobVariables?: JobVariables;
  },
): Promise<WorkPool> {
  checkPoolLimit(name, patch.concurrencyLimit);
  const base = patch.baseJobVariables === undefined
    ? undefined
    : parseJobVariables(patch.baseJobVariables, `Work pool "${name}"`);
  const now = engine.clock.now();
  return await engine.transact((tx) => {
    const pool = read<WorkPool>(tx, C.workPool, name) ??
      (name === DEFAULT_WORK_POOL ? ensureWorkPool(tx, name, now) : undefined);
    if (!pool) throw poolNotFound(name);
    const next: WorkPool = {
      ...pool,
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
      ...(patch.concurrencyLimit !== undefined ? { concurrencyLimit: patch.concurrencyLimit } : {}),
      ...(base !== undefined ? { baseJobVariables: base } : {}),
      updatedAt: now,
    };
    write(tx, C.workPool, name, next, { now });
    return next;
  });
}

/** Deletes a pool; refused while live deployments use it. */
export async function deleteWorkPool(engine: Engine, name: string): Promise<void> {
  await engine.transact((tx) => {
    if (!read(tx, C.workPool, name)) throw poolNotFound(name);
    for (const doc of allDocuments(tx, C.deployment, name)) {
      const deployment = doc.data as unknown as Deployment;
      if (deployment.deletedAt === null) {
        throw new ConflictError(
          `Cannot delete work pool "${name}": deployment "${deployment.name}" uses it`,
          { code: "work_pool_in_use" },
        );
      }
    }
    tx.deleteDocument(C.workPool, name);
  });
}

function workerStatus(worker: WorkerRecord, now: number): WorkerStatus {
  return now - worker.lastHeartbeat >= WORKER_STALE_MS ? WorkerStatus.OFFLINE : WorkerStatus.ONLINE;
}

/** Records a worker's heartbeat (inside a transaction). */
export function beat(
  docs: DocumentAccess,
  input: { id: string; pool: string; name?: string },
  now: number,
): WorkerRecord {
  const existing = read<WorkerRecord>(docs, C.worker, input.id);
  const worker: WorkerRecord = {
    id: input.id,
    name: input.name ?? existing?.name ?? input.id,
    pool: input.pool,
    lastHeartbeat: now,
    status: WorkerStatus.ONLINE,
    createdAt: existing?.createdAt ?? now,
  };
  write(docs, C.worker, worker.id, worker, { now, ref: worker.pool });
  return worker;
}

/** Records a worker's heartbeat (insert or update); it is ONLINE. */
export async function heartbeat(
  engine: Engine,
  input: { id: string; pool: string; name?: string },
): Promise<WorkerRecord> {
  const now = engine.clock.now();
  return await engine.transact((tx) => {
    ensureWorkPool(tx, input.pool, now);
    return beat(tx, input, now);
  });
}

/** Workers, optionally of one pool, with their status as of now. */
export function listWorkers(engine: Engine, pool?: string): WorkerRecord[] {
  const now = engine.clock.now();
  return [...allDocuments(engine.reader, C.worker, pool)].map((doc) => {
    const worker = doc.data as unknown as WorkerRecord;
    return { ...worker, status: workerStatus(worker, now) };
  });
}

/** Marks workers without a heartbeat for 120 s OFFLINE; returns their ids. */
export async function markStaleWorkers(
  engine: Engine,
  now = engine.clock.now(),
): Promise<string[]> {
  return await engine.transact((tx) => {
    const stale: string[] = [];
    for (const doc of allDocuments(tx, C.worker)) {
      const worker = doc.data as unknown as WorkerRecord;
      if (worker.status === WorkerStatus.ONLINE && workerStatus(worker, now) === "OFFLINE") {
        write(tx, C.worker, worker.id, { ...worker, status: WorkerStatus.OFFLINE }, {
          now,
          ref: worker.pool,
        });
        stale.push(worker.id);
      }
    }
    return stale;
  });
}
