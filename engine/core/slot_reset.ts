/**
 * Resetting a global concurrency limit, decided without I/O: which live
 * leases are released outright and which keep their other limits.
 *
 * @module
 */

/** A live lease as the reset sees it. */
export interface LeaseView {
  key: string;
  names: readonly string[];
  occupy: number;
}

/** What resetting one limit does to the live leases. */
export interface SlotResetPlan {
  /** Leases that held only this limit: deleted. */
  release: string[];
  /** Leases that also hold other limits: kept with this limit removed. */
  narrow: Array<{ key: string; names: string[] }>;
  /** Slots of this limit freed (the sum of `occupy` over both lists). */
  freed: number;
}

/**
 * Plans the reset of limit `name` over `leases`. A lease over several limits
 * keeps the others: a reset of one limit never frees another's slots.
 *
 * @example Reset "db" where one lease also holds "api"
 * ```ts
 * import { planSlotReset } from "./slot_reset.ts";
 * const plan = planSlotReset("db", [
 *   { key: "a", names: ["db"], occupy: 2 },
 *   { key: "b", names: ["db", "api"], occupy: 1 },
 *   { key: "c", names: ["api"], occupy: 1 },
 * ]);
 * console.log(plan.release, plan.narrow, plan.freed); // ["a"] [{ key: "b", names: ["api"] }] 3
 * ```
 */
export function planSlotReset(name: string, leases: readonly LeaseView[]): SlotResetPlan {
  const plan: SlotResetPlan = { release: [], narrow: [], freed: 0 };
  for (const lease of leases) {
    if (!lease.names.includes(name)) continue;
    plan.freed += lease.occupy;
    const rest = lease.names.filter((n) => n !== name);
    if (rest.length === 0) plan.release.push(lease.key);
    else plan.narrow.push({ key: lease.key, names: rest });
  }
  return plan;
}
