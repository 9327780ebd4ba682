/**
 * The flow catalog: stable flow ids, renames with aliases, archive and
 * restore, delete (refused while deployed or live), and flow listings.
 * Retention of old runs lives in `engine/retention/`.
 *
 * @example Rename a flow and find it by its old name
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * import { findFlow, renameFlow } from "./mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * await engine.createFlowRun({ name: "etl" });
 * const flow = await renameFlow(engine, clock, "etl", "etl-v2");
 * console.log(findFlow(engine.reader, "etl")?.id === flow.id); // true
 * ```
 *
 * @module
 */
export {
  archiveFlow,
  deleteFlow,
  findFlow,
  FLOW_COLLECTIONS,
  type FlowRecord,
  getFlow,
  isDeleted,
  renameFlow,
  restoreFlow,
  setRetention,
} from "./catalog.ts";
export {
  type FlowListing,
  flowNames,
  flowRunCounts,
  listFlows,
  type ListFlowsOptions,
  pageFlowRuns,
  recentFlowRuns,
} from "./listing.ts";
