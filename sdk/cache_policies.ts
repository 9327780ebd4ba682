/**
 * Cache policies (Prefect 3 style): which parts of a task call make up its
 * cache key. Policies combine with `.add()`; `NONE` disables caching.
 *
 * @module
 */
import { fnv1a64 } from "../engine/mod.ts";

type Part = "INPUTS" | "TASK_SOURCE" | "FLOW_PARAMETERS" | "RUN_ID";

/** A set of key parts; combine with `add`. */
export class CachePolicy {
  readonly parts: ReadonlySet<Part>;
  constructor(parts: Iterable<Part>) {
    this.parts = new Set(parts);
  }
  /** A policy keyed on the parts of both. */
  add(other: CachePolicy): CachePolicy {
    return new CachePolicy([...this.parts, ...other.parts]);
  }
  toString(): string {
    return this.parts.size === 0 ? "NONE" : [...this.parts].join("+");
  }
}

/** The task's resolved arguments. */
export const INPUTS: CachePolicy = new CachePolicy(["INPUTS"]);
/** The task function's source text: editing the task invalidates its cache. */
export const TASK_SOURCE: CachePolicy = new CachePolicy(["TASK_SOURCE"]);
/** The parameters of the flow run the task runs in. */
export const FLOW_PARAMETERS: CachePolicy = new CachePolicy(["FLOW_PARAMETERS"]);
/** The flow run id: caches only within one run. */
export const RUN_ID: CachePolicy = new CachePolicy(["RUN_ID"]);
/** No caching. */
export const NONE: CachePolicy = new CachePolicy([]);

/** What a cache key may depend on. */
export interface CacheKeyContext {
  readonly taskName: string;
  readonly args: readonly unknown[];
  readonly source: string;
  readonly flowParameters: unknown;
  readonly flowRunId: string;
}

/**
 * The cache key of one call, or `undefined` when the policy has no parts or
 * an input cannot be fingerprinted (then the task simply runs).
 */
export function cacheKeyOf(policy: CachePolicy, context: CacheKeyContext): string | undefined {
  if (policy.parts.size === 0) return undefined;
  const parts: string[] = [context.taskName];
  try {
    for (const part of [...policy.parts].sort()) {
      switch (part) {
        case "INPUTS": {
          const json = JSON.stringify(context.args);
          if (json === undefined) return undefined;
          parts.push(`inputs=${json}`);
          break;
        }
        case "TASK_SOURCE":
          parts.push(`source=${context.source}`);
          break;
        case "FLOW_PARAMETERS":
          parts.push(`params=${JSON.stringify(context.flowParameters) ?? ""}`);
          break;
        case "RUN_ID":
          parts.push(`run=${context.flowRunId}`);
          break;
      }
    }
  } catch {
    return undefined;
  }
  return `${context.taskName}-${fnv1a64(parts.join("\u0000"))}`;
}
