/**
 * The flow catalog: a document per flow (stable id, name, former names,
 * archive flag, run retention) over the store's documents. Flows are known by
 * name from their runs; a flow's document is created on its first catalog
 * operation.
 *
 * Run history is immutable: renaming a flow does not rewrite the flow name its
 * runs recorded. Look-ups by a former name resolve to the renamed flow, so old
 * runs and new runs started under the old name are attributed to it.
 *
 * @module
 */
import {
  allDocuments,
  type Clock,
  ConflictError,
  type DocumentAccess,
  type DocumentReader,
  InvalidArgumentError,
  type Json,
  NotFoundError,
  StateType,
  type StoreReader,
  TERMINAL_STATES,
} from "../core/mod.ts";
import type { EngineStorePort } from "../engine.ts";
import { uuidv7 } from "../uuid7.ts";

/** Document collections of the catalog. */
export const FLOW_COLLECTIONS = {
  /** key: flow id; ref: current name. */
  flow: "flow",
  /** key: a name or former name; data: `{ id, alias }`; ref: flow id. */
  flowName: "flow_name",
  /** key: a deleted flow's name; data: `{ id, deletedAt }`. */
  deleted: "flow_deleted",
  /**
   * key: run id; ref: flow id. Written by the earlier sweep, which only
   * marked runs past retention; the purge (retention.ts) drops these.
   */
  expired: "flow_run_expired",
} as const;

/** The deployments' collection: read to refuse deleting a deployed flow. */
const DEPLOYMENT_COLLECTION = "deployment";

const LIVE_STATES: readonly StateType[] = Object.values(StateType).filter((s) =>
  !TERMINAL_STATES.has(s)
);

/** A flow as the catalog stores it. */
export interface FlowRecord {
  id: string;
  name: string;
  /** Earlier names that still resolve to this flow. */
  formerly: string[];
  archived: boolean;
  archivedAt: number | null;
  /** Terminal runs older than this many days are purged by the sweep; `null`: kept. */
  retentionDays: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The catalogued flow with this id, name or former name, if any. */
export function findFlow(docs: DocumentReader, ref: string): FlowRecord | undefined {
  const byId = docs.getDocument(FLOW_COLLECTIONS.flow, ref)?.data as FlowRecord | undefined;
  if (byId) return byId;
  const entry = docs.getDocument(FLOW_COLLECTIONS.flowName, ref)?.data as
    | { id: string }
    | undefined;
  if (!entry) return undefined;
  return docs.getDocument(FLOW_COLLECTIONS.flow, entry.id)?.data as FlowRecord | undefined;
}

/**
 * The flow named (or formerly named) `name`, creating its catalog document
 * when runs of that name exist; `NotFoundError` otherwise.
 */
export async function getFlow(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
): Promise<FlowRecord> {
  return await engine.transact((tx) => ensure(engine.reader, tx, clock.now(), name));
}

/**
 * Renames a flow: its id stays, the old name becomes an alias. Refused with
 * `ConflictError` when `newName` belongs to another flow (catalogued, or
 * recorded by runs, even of a deleted flow).
 */
export async function renameFlow(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
  newName: string,
): Promise<FlowRecord> {
  checkName(newName);
  return await engine.transact((tx) => {
    const now = clock.now();
    const flow = ensure(engine.reader, tx, now, name);
    if (newName === flow.name) return flow;
    const owner = findFlow(tx, newName);
    const ownsByAlias = owner?.id === flow.id;
    if ((owner && !ownsByAlias) || (!owner && hasRuns(engine.reader, newName))) {
      throw new ConflictError(`Cannot rename flow "${name}": name "${newName}" is taken`, {
        code: "flow_name_taken",
      });
    }
    const next: FlowRecord = {
      ...flow,
      name: newName,
      formerly: [...flow.formerly.filter((old) => old !== newName), flow.name],
      updatedAt: now,
    };
    tx.deleteDocument(FLOW_COLLECTIONS.deleted, newName);
    save(tx, next, now);
    return next;
  });
}

/** Hides a flow from flow listings (its runs are untouched). */
export async function archiveFlow(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
): Promise<FlowRecord> {
  return await update(engine, clock, name, (flow, now) => ({
    ...flow,
    archived: true,
    archivedAt: flow.archivedAt ?? now,
  }));
}

/** Lists an archived flow again. */
export async function restoreFlow(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
): Promise<FlowRecord> {
  return await update(
    engine,
    clock,
    name,
    (flow) => ({ ...flow, archived: false, archivedAt: null }),
  );
}

/** Sets (or, with `null`, clears) how many days terminal runs of a flow are kept. */
export async function setRetention(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
  days: number | null,
): Promise<FlowRecord> {
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > 36_500)) {
    throw new InvalidArgumentError(
      `Retention must be a whole number of days from 1 to 36500, got "${days}"`,
    );
  }
  return await update(engine, clock, name, (flow) => ({ ...flow, retentionDays: days }));
}

/**
 * Deletes a flow from the catalog. Refused with `ConflictError` while live
 * deployments of the flow exist or while runs of it are live. Its runs stay
 * (history is immutable) but the flow leaves the listings until a new run of
 * its name arrives.
 */
export async function deleteFlow(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
): Promise<FlowRecord> {
  return await engine.transact((tx) => {
    const now = clock.now();
    const flow = ensure(engine.reader, tx, now, name);
    const names = [flow.name, ...flow.formerly];
    const deployed = deploymentsOf(tx, names);
    if (deployed.length > 0) {
      throw new ConflictError(
        `Cannot delete flow "${flow.name}": deployments ${
          deployed.map((d) => `"${d}"`).join(", ")
        } still run it`,
        { code: "flow_has_deployments" },
      );
    }
    const live = names.reduce((sum, n) => sum + count(engine.reader, n, LIVE_STATES), 0);
    if (live > 0) {
      throw new ConflictError(`Cannot delete flow "${flow.name}": ${live} of its runs are live`, {
        code: "flow_has_live_runs",
      });
    }
    for (const n of names) {
      tx.deleteDocument(FLOW_COLLECTIONS.flowName, n);
      put(tx, FLOW_COLLECTIONS.deleted, n, { id: flow.id, deletedAt: now }, now, flow.id);
    }
    // Every mark, not a first page: a flow can hold more than one page of them.
    const marks = [...allDocuments(tx, FLOW_COLLECTIONS.expired, flow.id)];
    for (const mark of marks) tx.deleteDocument(FLOW_COLLECTIONS.expired, mark.key);
    tx.deleteDocument(FLOW_COLLECTIONS.flow, flow.id);
    return flow;
  });
}

/** Whether a deleted flow's tombstone still hides runs created up to `lastRunAt`. */
export function isDeleted(docs: DocumentReader, name: string, lastRunAt: number): boolean {
  const tomb = docs.getDocument(FLOW_COLLECTIONS.deleted, name)?.data as
    | { deletedAt: number }
    | undefined;
  return tomb !== undefined && lastRunAt <= tomb.deletedAt;
}

function checkName(name: string): void {
  if (typeof name !== "string" || name.trim() === "" || name.length > 200) {
    throw new InvalidArgumentError(`Flow name must be 1 to 200 characters, got "${name}"`);
  }
}

function update(
  engine: EngineStorePort,
  clock: Clock,
  name: string,
  change: (flow: FlowRecord, now: number) => FlowRecord,
): Promise<FlowRecord> {
  return engine.transact((tx) => {
    const now = clock.now();
    const next = { ...change(ensure(engine.reader, tx, now, name), now), updatedAt: now };
    save(tx, next, now);
    return next;
  });
}

function ensure(
  store: StoreReader,
  tx: DocumentAccess,
  now: number,
  name: string,
): FlowRecord {
  const found = findFlow(tx, name);
  if (found) return found;
  const last = store.listRuns({ kind: "flow", flowName: name, limit: 1 }).items[0];
  if (!last || isDeleted(tx, name, last.createdAt)) {
    throw new NotFoundError(`Flow "${name}" does not exist`, { code: "flow_not_found" });
  }
  const flow: FlowRecord = {
    id: uuidv7(now),
    name,
    formerly: [],
    archived: false,
    archivedAt: null,
    retentionDays: null,
    createdAt: now,
    updatedAt: now,
  };
  tx.deleteDocument(FLOW_COLLECTIONS.deleted, name);
  save(tx, flow, now);
  return flow;
}

function save(tx: DocumentAccess, flow: FlowRecord, now: number): void {
  put(tx, FLOW_COLLECTIONS.flow, flow.id, flow, now, flow.name);
  put(tx, FLOW_COLLECTIONS.flowName, flow.name, { id: flow.id, alias: false }, now, flow.id);
  for (const old of flow.formerly) {
    put(tx, FLOW_COLLECTIONS.flowName, old, { id: flow.id, alias: true }, now, flow.id);
  }
}

function put(
  docs: DocumentAccess,
  collection: string,
  key: string,
  data: unknown,
  now: number,
  ref: string | null,
): void {
  const existing = docs.getDocument(collection, key);
  docs.putDocument({
    collection,
    key,
    ref,
    data: data as Json,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    expiresAt: null,
  });
}

// Runs recorded under a name belong to its flow's history, even a deleted
// flow's: taking the name would attribute them to the renamed flow.
function hasRuns(store: StoreReader, name: string): boolean {
  return store.listRuns({ kind: "flow", flowName: name, limit: 1 }).items.length > 0;
}

function count(store: StoreReader, name: string, states: readonly StateType[]): number {
  const counts = store.countRuns({ kind: "flow", flowName: name, states });
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function deploymentsOf(docs: DocumentReader, names: readonly string[]): string[] {
  const found: string[] = [];
  for (const doc of allDocuments(docs, DEPLOYMENT_COLLECTION)) {
    const d = doc.data as { name: string; flowName: string; deletedAt: number | null };
    if (d.deletedAt === null && names.includes(d.flowName)) found.push(d.name);
  }
  return found;
}
