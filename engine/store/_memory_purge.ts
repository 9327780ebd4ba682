/**
 * Purging of terminal flow runs from the memory store: the same decisions as
 * the SQLite store's purge, taken over the records in memory.
 *
 * @module
 */
import {
  emptyPurgeResult,
  type PurgeKeptReason,
  type PurgeOptions,
  type PurgeResult,
  type RunRecord,
  TERMINAL_STATES,
} from "../core/mod.ts";
import type { MemoryData } from "./_memory_data.ts";
import { MemoryDocuments } from "./_memory_documents.ts";

/** Deletes the trees of `rootIds` that may go (see `Store.purgeRuns`). */
export function purgeMemoryRuns(
  data: MemoryData,
  rootIds: readonly string[],
  options: PurgeOptions,
): PurgeResult {
  const result = emptyPurgeResult();
  const doomed = markTrees(data, rootIds, options, result);
  // Count first and ask for the audit record before changing anything, so a
  // throwing `record` leaves the store as it was (like a rolled-back transaction).
  const documents: string[] = [];
  for (const [id, document] of data.documents) {
    const byRef = document.ref !== null && doomed.has(document.ref) &&
      options.documentsByRef?.includes(document.collection);
    const byKey = doomed.has(document.key) &&
      options.documentsByKey?.includes(document.collection);
    if (byRef || byKey) documents.push(id);
  }
  for (const run of doomed.values()) {
    if (run.kind === "flow") result.flowRuns += 1;
    else result.taskRuns += 1;
    result.events += data.eventsByRun.get(run.id)?.length ?? 0;
  }
  const logs = data.logs.filter((log) => !doomed.has(log.flowRunId));
  result.logs = data.logs.length - logs.length;
  result.documents = documents.length;
  const audit = options.record?.(structuredClone(result));
  if (doomed.size > 0) {
    data.events = data.events.filter((event) => !doomed.has(event.runId));
    data.logs = logs;
    for (const id of documents) data.documents.delete(id);
    for (const id of doomed.keys()) {
      data.runs.delete(id);
      data.eventsByRun.delete(id);
      data.tokens.delete(id);
    }
    data.purged = true;
  }
  if (audit) new MemoryDocuments(data).putDocument(audit);
  return result;
}

// The runs of the roots that may go, by id; `result` gets the purged and kept roots.
function markTrees(
  data: MemoryData,
  rootIds: readonly string[],
  options: PurgeOptions,
  result: PurgeResult,
): Map<string, RunRecord> {
  const children = new Map<string, RunRecord[]>();
  const lineages = new Map<string, RunRecord[]>();
  for (const run of data.runs.values()) {
    if (run.parentId !== null) push(children, run.parentId, run);
    if (run.kind === "flow") push(lineages, run.lineageId, run);
  }
  // The runs of the newest event and log line stay, so seqs and log ids are never reused.
  const newest = new Set<string>();
  const lastEvent = data.events.at(-1);
  if (lastEvent) newest.add(lastEvent.runId);
  const lastLog = data.logs.at(-1);
  if (lastLog) newest.add(lastLog.flowRunId);
  const endedBefore = options.endedBefore ?? Number.MAX_SAFE_INTEGER;
  const doomed = new Map<string, RunRecord>();
  const keep = (rootId: string): PurgeKeptReason | null => {
    const root = data.runs.get(rootId);
    if (!root || root.kind !== "flow") return "not_found";
    if (root.parentId !== null) return "not_root";
    const attempts = lineages.get(root.lineageId) ?? [];
    if (attempts.some((run) => !TERMINAL_STATES.has(run.state))) return "live";
    if (attempts.some((run) => (run.endTime ?? run.updatedAt) >= endedBefore)) return "recent";
    const tree = [root];
    for (let i = 0; i < tree.length; i++) tree.push(...children.get(tree[i]!.id) ?? []);
    if (tree.some((run) => !TERMINAL_STATES.has(run.state))) return "live";
    if (tree.some((run) => newest.has(run.id))) return "newest";
    for (const run of tree) doomed.set(run.id, run);
    return null;
  };
  for (const rootId of new Set(rootIds)) {
    const reason = keep(rootId);
    if (reason === null) result.purged.push(rootId);
    else result.kept.push({ runId: rootId, reason });
  }
  return doomed;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
