/**
 * Cache policies (Prefect 3 style): which parts of a task call make up its
 * cache key. Policies combine with `.add()`; `NONE` disables caching.
 *
 * @module
 */
import { fnv1a64 } from "../engine/mod.ts";

type Part = "INPUTS" | "TASK_SOURCE" | "FLOW_PARAMETERS" | "RUN_ID";

/** Options of {@linkcode CachePolicy.configure}. */
export interface CachePolicySettings {
  /**
   * A cache namespace: keys of policies with another `keyStorage` never
   * match (Prefect's `key_storage`, here a name rather than a location).
   */
  keyStorage?: string;
  /**
   * `SERIALIZABLE`: calls with the same key run one at a time in this
   * process, so the second finds the first's result. @default "READ_COMMITTED"
   */
  isolationLevel?: "READ_COMMITTED" | "SERIALIZABLE";
}

/** A set of key parts; combine with `add`, narrow `INPUTS` with `exclude`, tune with `configure`. */
export class CachePolicy {
  readonly parts: ReadonlySet<Part>;
  /** Parameter names `INPUTS` leaves out. */
  readonly excluded: ReadonlySet<string>;
  readonly keyStorage: string | undefined;
  readonly isolationLevel: "READ_COMMITTED" | "SERIALIZABLE";
  constructor(
    parts: Iterable<Part>,
    excluded: Iterable<string> = [],
    settings: CachePolicySettings = {},
  ) {
    this.parts = new Set(parts);
    this.excluded = new Set(excluded);
    this.keyStorage = settings.keyStorage;
    this.isolationLevel = settings.isolationLevel ?? "READ_COMMITTED";
  }
  #settings(): CachePolicySettings {
    return {
      ...(this.keyStorage !== undefined ? { keyStorage: this.keyStorage } : {}),
      isolationLevel: this.isolationLevel,
    };
  }
  /** A policy keyed on the parts of both. */
  add(other: CachePolicy): CachePolicy {
    return new CachePolicy(
      [...this.parts, ...other.parts],
      [...this.excluded, ...other.excluded],
      this.#settings(),
    );
  }
  /** `INPUTS` without these parameters (Prefect's `INPUTS - "name"`), e.g. a client or a logger. */
  exclude(...names: string[]): CachePolicy {
    if (!names.every((name) => typeof name === "string" && name !== "")) {
      throw new TypeError("exclude() needs parameter names");
    }
    return new CachePolicy(this.parts, [...this.excluded, ...names], this.#settings());
  }
  /** The same policy with other settings (Prefect's `.configure()`). */
  configure(settings: CachePolicySettings): CachePolicy {
    const known = ["keyStorage", "isolationLevel"];
    const unknown = Object.keys(settings).find((key) => !known.includes(key));
    if (unknown !== undefined) {
      throw new TypeError(
        `Unknown cache policy setting "${unknown}": expected ${known.join(" or ")}`,
      );
    }
    const level = settings.isolationLevel;
    if (level !== undefined && level !== "READ_COMMITTED" && level !== "SERIALIZABLE") {
      throw new TypeError(
        `isolationLevel must be "READ_COMMITTED" or "SERIALIZABLE", got "${level}"`,
      );
    }
    return new CachePolicy(this.parts, this.excluded, { ...this.#settings(), ...settings });
  }
  toString(): string {
    const parts = this.parts.size === 0 ? "NONE" : [...this.parts].join("+");
    return this.excluded.size === 0 ? parts : `${parts}-${[...this.excluded].join("-")}`;
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
  /** The arguments by parameter name (for `exclude`); positional ones stay a list. */
  readonly namedArgs?: () => unknown;
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
          const json = JSON.stringify(inputsOf(policy, context));
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
  const key = `${context.taskName}-${fnv1a64(parts.join("\u0000"))}`;
  return policy.keyStorage === undefined ? key : `${policy.keyStorage}:${key}`;
}

function inputsOf(policy: CachePolicy, context: CacheKeyContext): unknown {
  if (policy.excluded.size === 0 || context.namedArgs === undefined) return context.args;
  const named = context.namedArgs();
  if (named === null || typeof named !== "object" || Array.isArray(named)) return named;
  return Object.fromEntries(Object.entries(named).filter(([name]) => !policy.excluded.has(name)));
}
