/**
 * Static plans of flows as recorded by runs: the latest plan per flow name,
 * so the API and dashboard can show a flow's graph (and planned nodes a run
 * has not reached yet).
 *
 * @module
 */
import type { DocumentReader, Json } from "./core/mod.ts";
import type { EngineStorePort } from "./engine.ts";

const PLAN = "flow_plan";

/** Records `plan` as the latest plan of `flowName`. */
export function savePlan(
  engine: EngineStorePort,
  now: number,
  flowName: string,
  plan: unknown,
): Promise<void> {
  return engine.transact((tx) => {
    const previous = tx.getDocument(PLAN, flowName);
    tx.putDocument({
      collection: PLAN,
      key: flowName,
      ref: null,
      data: plan as Json,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      expiresAt: null,
    });
  });
}

/** The latest recorded plan of `flowName`, if any. */
export function latestPlan(store: DocumentReader, flowName: string): unknown {
  return store.getDocument(PLAN, flowName)?.data;
}
