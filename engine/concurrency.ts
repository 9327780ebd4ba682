/**
 * Global concurrency limits: named limits with `limit` slots, held through
 * leases that expire and are reclaimed, and rate limits whose slots decay
 * over time. Acquisition over several names is all-or-nothing.
 *
 * Active slots are derived, never counted twice: a limit's holders are its
 * live leases; a limit with `slotDecayPerSecond` keeps a decaying level.
 *
 * @module
 */
import {
  type Clock,
  type ConcurrencyLimit,
  ConflictError,
  type DocumentAccess,
  type DocumentReader,
  InvalidArgumentError,
  type Json,
  NotFoundError,
  planSlotReset,
  type Transactor,
} from "./core/mod.ts";
import { uuidv7 } from "./uuid7.ts";

const LEASE = "concurrency_lease";
const LEVEL = "concurrency_level";
const RESET = "concurrency_reset";

/** What to acquire. */
export interface SlotRequest {
  names: readonly string[];
  /** Slots taken on each limit. @default 1 */
  occupy?: number;
  /** Fail when a named limit does not exist (instead of passing). @default false */
  strict?: boolean;
  /** Lease duration; the slots are reclaimed when it expires unrenewed. @default 300_000 */
  leaseMs?: number;
  /** The run holding the slots, released with it. */
  holder?: string | null;
}

/** The outcome of one acquisition attempt. */
export type SlotGrant =
  | { acquired: true; leaseId: string | null; names: string[] }
  | { acquired: false; retryAfterMs: number; reason: string };

/** A limit 0 or a strict missing limit: waiting will not help. */
export class ConcurrencyDeniedError extends ConflictError {
  override name = "ConcurrencyDeniedError";
  constructor(message: string) {
    super(message, { code: "concurrency_denied" });
  }
}

interface LeaseData {
  names: string[];
  occupy: number;
  holder: string | null;
  expiresAt: number;
}

/** Reads limits and leases: the store, or a store inside a write transaction. */
export interface SlotStore extends DocumentAccess {
  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined;
}

function* leaseDocuments(
  documents: DocumentReader,
): Generator<{ key: string; data: LeaseData }> {
  let afterKey: string | undefined;
  while (true) {
    const page = documents.listDocuments({
      collection: LEASE,
      limit: 1000,
      ...(afterKey ? { afterKey } : {}),
    });
    for (const document of page) {
      yield { key: document.key, data: document.data as unknown as LeaseData };
    }
    if (page.length < 1000) return;
    afterKey = page.at(-1)!.key;
  }
}

function liveLeases(
  documents: DocumentAccess,
  now: number,
): Array<{ key: string; data: LeaseData }> {
  const out: Array<{ key: string; data: LeaseData }> = [];
  for (const lease of [...leaseDocuments(documents)]) {
    if (lease.data.expiresAt > now) out.push(lease);
    else documents.deleteDocument(LEASE, lease.key); // expired: reclaimed
  }
  return out;
}

function decayedLevel(documents: DocumentReader, limit: ConcurrencyLimit, now: number): number {
  const level = documents.getDocument(LEVEL, limit.name)?.data as
    | { level: number; at: number }
    | undefined;
  if (!level) return 0;
  return Math.max(0, level.level - (limit.slotDecayPerSecond * (now - level.at)) / 1000);
}

/** Slots in use on `limit` at `now` (inside a transaction: expired leases are reclaimed). */
export function activeSlotsOf(slots: SlotStore, limit: ConcurrencyLimit, now: number): number {
  if (limit.slotDecayPerSecond > 0) return decayedLevel(slots, limit, now);
  return liveLeases(slots, now)
    .filter((lease) => lease.data.names.includes(limit.name))
    .reduce((sum, lease) => sum + lease.data.occupy, 0);
}

/** Slots in use on `limit` at `now`, read without writing: for pages and listings. */
export function heldSlotsOf(
  documents: DocumentReader,
  limit: ConcurrencyLimit,
  now: number,
): number {
  if (limit.slotDecayPerSecond > 0) return decayedLevel(documents, limit, now);
  let held = 0;
  for (const lease of leaseDocuments(documents)) {
    if (lease.data.expiresAt > now && lease.data.names.includes(limit.name)) {
      held += lease.data.occupy;
    }
  }
  return held;
}

/**
 * Tries to take `occupy` slots on every named limit at once. Must run inside a
 * write transaction (all-or-nothing with the other writes).
 */
export function tryAcquireSlots(slots: SlotStore, now: number, request: SlotRequest): SlotGrant {
  const occupy = request.occupy ?? 1;
  if (!Number.isInteger(occupy) || occupy < 1) {
    throw new InvalidArgumentError(`occupy must be a whole number of 1 or more, got ${occupy}`);
  }
  const limits: ConcurrencyLimit[] = [];
  for (const name of new Set(request.names)) {
    const limit = slots.getConcurrencyLimit(name);
    if (!limit) {
      if (request.strict) throw new NotFoundError(`Concurrency limit "${name}" does not exist`);
      continue;
    }
    if (limit.limit === 0) {
      throw new ConcurrencyDeniedError(`Concurrency limit "${name}" is 0: it admits nothing`);
    }
    if (occupy > limit.limit) {
      throw new ConcurrencyDeniedError(
        `Cannot occupy ${occupy} slots of concurrency limit "${name}", which has ${limit.limit}`,
      );
    }
    limits.push(limit);
  }
  if (limits.length === 0) return { acquired: true, leaseId: null, names: [] };
  const leases = liveLeases(slots, now);
  let retryAfterMs = 0;
  for (const limit of limits) {
    const active = limit.slotDecayPerSecond > 0
      ? decayedLevel(slots, limit, now)
      : leases.filter((l) => l.data.names.includes(limit.name)).reduce(
        (s, l) => s + l.data.occupy,
        0,
      );
    if (active + occupy > limit.limit) {
      const wait = limit.slotDecayPerSecond > 0
        ? Math.ceil(((active + occupy - limit.limit) / limit.slotDecayPerSecond) * 1000)
        : 250;
      retryAfterMs = Math.max(retryAfterMs, wait);
    }
  }
  if (retryAfterMs > 0) {
    return {
      acquired: false,
      retryAfterMs,
      reason: `no free slot on ${limits.map((l) => `"${l.name}"`).join(", ")}`,
    };
  }
  const names = limits.map((l) => l.name);
  const leased = limits.filter((l) => l.slotDecayPerSecond <= 0).map((l) => l.name);
  for (const limit of limits.filter((l) => l.slotDecayPerSecond > 0)) {
    const level = decayedLevel(slots, limit, now) + occupy;
    slots.putDocument({
      collection: LEVEL,
      key: limit.name,
      ref: null,
      data: { level, at: now },
      createdAt: now,
      updatedAt: now,
      expiresAt: null,
    });
  }
  if (leased.length === 0) return { acquired: true, leaseId: null, names };
  const leaseId = uuidv7(now);
  const data: LeaseData = {
    names: leased,
    occupy,
    holder: request.holder ?? null,
    expiresAt: now + (request.leaseMs ?? 300_000),
  };
  slots.putDocument({
    collection: LEASE,
    key: leaseId,
    ref: data.holder,
    data: data as unknown as Json,
    createdAt: now,
    updatedAt: now,
    expiresAt: data.expiresAt,
  });
  return { acquired: true, leaseId, names };
}

/** Releases a lease; idempotent (releasing twice is not an error). */
export function releaseLease(documents: DocumentAccess, leaseId: string): boolean {
  return documents.deleteDocument(LEASE, leaseId);
}

/** Releases every lease held by a run (when it stops running). */
export function releaseHolder(documents: DocumentAccess, holder: string): number {
  const leases = documents.listDocuments({ collection: LEASE, ref: holder });
  for (const lease of leases) documents.deleteDocument(LEASE, lease.key);
  return leases.length;
}

/** Extends a live lease; returns false when it already expired or was released. */
export function renewLease(
  documents: DocumentAccess,
  leaseId: string,
  now: number,
  leaseMs: number,
): boolean {
  const document = documents.getDocument(LEASE, leaseId);
  if (!document) return false;
  const data = document.data as unknown as LeaseData;
  if (data.expiresAt <= now) {
    documents.deleteDocument(LEASE, leaseId);
    return false;
  }
  const renewed = { ...data, expiresAt: now + leaseMs };
  documents.putDocument({
    ...document,
    data: renewed as unknown as Json,
    updatedAt: now,
    expiresAt: renewed.expiresAt,
  });
  return true;
}

/** Acquires slots in an engine transaction (the SDK's `concurrency()` helper). */
export function acquireSlots(
  engine: Transactor,
  clock: Clock,
  request: SlotRequest,
): Promise<SlotGrant> {
  return engine.transact((tx) => tryAcquireSlots(tx, clock.now(), request));
}

/** Releases a lease in an engine transaction. */
export function releaseSlots(engine: Transactor, leaseId: string): Promise<boolean> {
  return engine.transact((tx) => releaseLease(tx, leaseId));
}

/** What a reset freed, as recorded on the limit. */
export interface SlotReset {
  name: string;
  /** Slots that were in use and are now free. */
  freed: number;
  /** Leases released outright; their holders' later release or renewal is a no-op. */
  released: string[];
  /** Leases that keep their other limits. */
  narrowed: string[];
  at: number;
}

/**
 * Frees every slot of limit `name` at `now`: leases holding only this limit
 * are released, leases over several limits lose this one, a rate limit's
 * level drops to 0. Holders that release or renew a freed lease later find
 * it gone (an idempotent no-op), so the count can neither go below 0 nor
 * above the limit. The reset is recorded (`lastSlotReset`). Must run inside a
 * write transaction.
 */
export function resetSlots(slots: SlotStore, name: string, now: number): SlotReset {
  const limit = slots.getConcurrencyLimit(name);
  if (!limit) {
    throw new NotFoundError(`Concurrency limit "${name}" does not exist`, {
      code: "concurrency_limit_not_found",
    });
  }
  const leases = liveLeases(slots, now);
  const plan = planSlotReset(
    name,
    leases.map((l) => ({ key: l.key, names: l.data.names, occupy: l.data.occupy })),
  );
  for (const key of plan.release) slots.deleteDocument(LEASE, key);
  for (const { key, names } of plan.narrow) {
    const document = slots.getDocument(LEASE, key)!;
    const data = { ...(document.data as unknown as LeaseData), names };
    slots.putDocument({ ...document, data: data as unknown as Json, updatedAt: now });
  }
  let freed = plan.freed;
  if (limit.slotDecayPerSecond > 0) {
    freed += decayedLevel(slots, limit, now);
    slots.deleteDocument(LEVEL, name);
  }
  const reset: SlotReset = {
    name,
    freed,
    released: plan.release,
    narrowed: plan.narrow.map((n) => n.key),
    at: now,
  };
  slots.putDocument({
    collection: RESET,
    key: name,
    ref: null,
    data: reset as unknown as Json,
    createdAt: now,
    updatedAt: now,
    expiresAt: null,
  });
  return reset;
}

/** The last reset of limit `name`, if it was ever reset. */
export function lastSlotReset(documents: DocumentReader, name: string): SlotReset | undefined {
  return documents.getDocument(RESET, name)?.data as unknown as SlotReset | undefined;
}
