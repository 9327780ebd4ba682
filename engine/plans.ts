/**
 * Static plans of flows as recorded by runs: the latest plan per flow name,
 * so the API and dashboard can show a flow's graph (and planned nodes a run
 * has not reached yet).
 *
 * @module
 */
import type { Json, Store } from "./core/mod.ts";

const PLAN = "flow_plan";

/** Records `plan` as the latest plan of `flowName`. */
export function savePlan(store: Store, now: number, flowName: string, plan: unknown): void {
  const previous = store.getDocument(PLAN, flowName);
  store.putDocument({
    collection: PLAN,
    key: flowName,
    ref: null,
    data: plan as Json,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    expiresAt: null,
  });
}

/** The latest recorded plan of `flowName`, if any. */
export function latestPlan(store: Store, flowName: string): unknown {
  return store.getDocument(PLAN, flowName)?.data;
}
