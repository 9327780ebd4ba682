/**
 * The flow catalog: stable flow ids, renames with aliases, archive and
 * restore, delete (refused while deployed or live) and run retention.
 *
 * @example Rename a flow and find it by its old name
 * ```ts
 * import { createEngine, createMemoryStore, FakeClock, SequentialIds } from "../mod.ts";
 * import { findFlow, renameFlow } from "./mod.ts";
 * const clock = new FakeClock();
 * const engine = createEngine({ store: createMemoryStore(), clock, ids: new SequentialIds("run") });
 * await engine.createFlowRun({ name: "etl" });
 * const flow = renameFlow(engine.store, clock, "etl", "etl-v2");
 * console.log(findFlow(engine.store, "etl")?.id === flow.id); // true
 * ```
 *
 * @module
 */
export {
  archiveFlow,
  deleteFlow,
  expiredRuns,
  findFlow,
  FLOW_COLLECTIONS,
  type FlowRecord,
  getFlow,
  isDeleted,
  renameFlow,
  restoreFlow,
  setRetention,
  type SweepResult,
  sweepRetention,
} from "./catalog.ts";
export { type FlowListing, listFlows, type ListFlowsOptions } from "./listing.ts";
