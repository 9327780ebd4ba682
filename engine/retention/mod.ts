/**
 * Run retention: the sweep that purges old terminal runs with their task runs,
 * events and logs, and the collection of result files no surviving run
 * references.
 *
 * @module
 */
export {
  type AfterPurge,
  type PurgeCounts,
  purgeHistory,
  type PurgeRecord,
  RETENTION_COLLECTIONS,
  type RetentionPort,
  type SweepOptions,
  type SweepResult,
  sweepRetention,
} from "./retention.ts";
export {
  collectResults,
  type CollectResultsOptions,
  type CollectResultsResult,
  type ResultFile,
  type ResultFiles,
} from "./result_collection.ts";
