/**
 * The flow `tests/e2e/automation_chain_test.ts` deploys: it fails when its
 * `fail` parameter says so, which a run-state automation then reports.
 *
 * @module
 */
import { flow } from "../../../sdk/mod.ts";

/** Ingests `file`; throws when `fail` is true. */
export const ingest = flow({ name: "ingest" }, async (file: string, fail = false) => {
  await Promise.resolve();
  if (fail) throw new Error(`cannot ingest ${file}`);
  return `ingested ${file}`;
});
