/**
 * Work queues inside a pool, as Prefect 3's: every pool has a `default`
 * queue; a deployment sends its runs to one queue of its pool; workers claim
 * from the queues in priority order (lower number first), each queue within
 * its concurrency limit, a paused queue not at all. Queues live in their
 * pool's document (pools made before queues have the default one).
 *
 * @example Add a queue that workers claim from first
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * import { createWorkQueue, listWorkQueues } from "./work_queues.ts";
 * const engine = createEngine({ store: createMemoryStore(), clock: new FakeClock(), ids: new SequentialIds("run") });
 * await createWorkQueue(engine, "default", "critical", { priority: 1, concurrencyLimit: 2 });
 * console.log(listWorkQueues(engine, "default").map((q) => q.name)); // ["critical", "default"]
 * ```
 *
 * @module
 */
import {
  allDocuments,
  ConflictError,
  type DocumentAccess,
  InvalidArgumentError,
  NotFoundError,
} from "../core/mod.ts";
import type { Engine } from "../engine.ts";
import { C, read, write } from "./_documents.ts";
import {
  DEFAULT_WORK_POOL,
  DEFAULT_WORK_QUEUE,
  type Deployment,
  type WorkPool,
  type WorkQueue,
} from "./model.ts";
import { NAME_PATTERN } from "./validate.ts";

/** The fields a caller gives to create a queue, or changes of an existing one. */
export interface WorkQueueInput {
  /** @default one more than the lowest priority of the pool's queues */
  priority?: number;
  concurrencyLimit?: number | null;
  paused?: boolean;
  description?: string | null;
}

/** The default queue of pools made before queues. */
function defaultQueue(): WorkQueue {
  return {
    name: DEFAULT_WORK_QUEUE,
    priority: 1,
    concurrencyLimit: null,
    paused: false,
    description: null,
  };
}

/** The queues of `pool`, highest priority (lowest number) first, then by name. */
export function queuesOf(pool: WorkPool): WorkQueue[] {
  const queues = pool.queues ?? [];
  const all = queues.some((q) => q.name === DEFAULT_WORK_QUEUE)
    ? [...queues]
    : [defaultQueue(), ...queues];
  return all.sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
}

/** The queue a deployment's runs go to. */
export function queueOfDeployment(deployment: Deployment): string {
  return deployment.workQueue ?? DEFAULT_WORK_QUEUE;
}

function queueNotFound(pool: string, name: string): NotFoundError {
  return new NotFoundError(`Work queue "${name}" does not exist in work pool "${pool}"`, {
    code: "work_queue_not_found",
  });
}

function checkInput(name: string, input: WorkQueueInput): void {
  if (input.priority !== undefined && !(Number.isInteger(input.priority) && input.priority >= 1)) {
    throw new InvalidArgumentError(
      `Work queue "${name}": priority must be a whole number of 1 or more, got ${input.priority}`,
    );
  }
  const limit = input.concurrencyLimit;
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit >= 0)) {
    throw new InvalidArgumentError(
      `Work queue "${name}": concurrency limit must be a whole number of 0 or more, got ${limit}`,
    );
  }
}

/**
 * Adds the queue `name` to the pool's document unless it has it (inside a
 * transaction), at the lowest priority; returns the pool as written.
 */
export function ensureWorkQueue(
  docs: DocumentAccess,
  pool: WorkPool,
  name: string,
  now: number,
  input: WorkQueueInput = {},
): WorkPool {
  const queues = queuesOf(pool);
  if (queues.some((q) => q.name === name)) return pool;
  const lowest = Math.max(...queues.map((q) => q.priority));
  const queue: WorkQueue = {
    name,
    priority: input.priority ?? lowest + 1,
    concurrencyLimit: input.concurrencyLimit ?? null,
    paused: input.paused ?? false,
    description: input.description ?? null,
  };
  const next: WorkPool = { ...pool, queues: [...queues, queue], updatedAt: now };
  write(docs, C.workPool, pool.name, next, { now });
  return next;
}

/** The queues of a pool, highest priority first. */
export function listWorkQueues(engine: Engine, poolName: string): WorkQueue[] {
  const pool = read<WorkPool>(engine.reader, C.workPool, poolName);
  if (!pool && poolName !== DEFAULT_WORK_POOL) throw queueNotFoundPool(poolName);
  return pool ? queuesOf(pool) : [defaultQueue()];
}

function queueNotFoundPool(name: string): NotFoundError {
  return new NotFoundError(`Work pool "${name}" does not exist`, { code: "work_pool_not_found" });
}

/** Creates a queue in a pool; `ConflictError` if the pool has one of that name. */
export async function createWorkQueue(
  engine: Engine,
  poolName: string,
  name: string,
  input: WorkQueueInput = {},
): Promise<WorkQueue> {
  if (!NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `Invalid work queue name "${name}": use 1 to 200 letters, digits, _ . : or -`,
    );
  }
  checkInput(name, input);
  const now = engine.clock.now();
  return await engine.transact((tx) => {
    const pool = poolOrDefault(tx, poolName, now);
    if (queuesOf(pool).some((q) => q.name === name)) {
      throw new ConflictError(`Work queue "${name}" already exists in work pool "${poolName}"`, {
        code: "work_queue_exists",
      });
    }
    const next = ensureWorkQueue(tx, pool, name, now, input);
    return queuesOf(next).find((q) => q.name === name)!;
  });
}

/** Changes a queue's priority, limit, paused flag or description. */
export async function updateWorkQueue(
  engine: Engine,
  poolName: string,
  name: string,
  patch: WorkQueueInput,
): Promise<WorkQueue> {
  checkInput(name, patch);
  const now = engine.clock.now();
  return await engine.transact((tx) => {
    const pool = poolOrDefault(tx, poolName, now);
    const queues = queuesOf(pool);
    const current = queues.find((q) => q.name === name);
    if (!current) throw queueNotFound(poolName, name);
    const next: WorkQueue = {
      ...current,
      ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
      ...(patch.concurrencyLimit !== undefined ? { concurrencyLimit: patch.concurrencyLimit } : {}),
      ...(patch.paused !== undefined ? { paused: patch.paused } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
    };
    const written: WorkPool = {
      ...pool,
      queues: queues.map((q) => q.name === name ? next : q),
      updatedAt: now,
    };
    write(tx, C.workPool, pool.name, written, { now });
    return next;
  });
}

/** Deletes a queue; the default queue cannot go, nor a queue live deployments use. */
export async function deleteWorkQueue(
  engine: Engine,
  poolName: string,
  name: string,
): Promise<void> {
  if (name === DEFAULT_WORK_QUEUE) {
    throw new ConflictError(`Cannot delete work queue "default" of work pool "${poolName}"`, {
      code: "work_queue_in_use",
    });
  }
  const now = engine.clock.now();
  await engine.transact((tx) => {
    const pool = poolOrDefault(tx, poolName, now);
    const queues = queuesOf(pool);
    if (!queues.some((q) => q.name === name)) throw queueNotFound(poolName, name);
    for (const doc of allDocuments(tx, C.deployment, poolName)) {
      const deployment = doc.data as unknown as Deployment;
      if (deployment.deletedAt === null && queueOfDeployment(deployment) === name) {
        throw new ConflictError(
          `Cannot delete work queue "${name}": deployment "${deployment.name}" uses it`,
          { code: "work_queue_in_use" },
        );
      }
    }
    write(tx, C.workPool, pool.name, {
      ...pool,
      queues: queues.filter((q) => q.name !== name),
      updatedAt: now,
    }, { now });
  });
}

// The pool named, the default pool made on first use.
function poolOrDefault(docs: DocumentAccess, name: string, now: number): WorkPool {
  const pool = read<WorkPool>(docs, C.workPool, name);
  if (pool) return pool;
  if (name !== DEFAULT_WORK_POOL) throw queueNotFoundPool(name);
  const made: WorkPool = {
    name,
    type: "process",
    description: null,
    paused: false,
    createdAt: now,
    updatedAt: now,
  };
  write(docs, C.workPool, name, made, { now });
  return made;
}
