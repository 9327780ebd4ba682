/**
 * The graph contract (`graphMode` flow option): the flow's static plan,
 * computed once per flow definition from its module's source, and what the
 * run promises about it.
 *
 * - `dynamic`: no plan is needed; any task may run.
 * - `auto` (default): static when the plan needed no fallback; the run records
 *   the plan's fingerprint, and a task run with no planned node is logged.
 * - `static`: the run refuses to start (`StaticGraphDeclarationError`) when
 *   the plan needs a fallback or cannot be made, and a task run with no
 *   planned node raises `StaticGraphContractViolation`.
 *
 * @module
 */
import { detached } from "../engine/detached.ts";
import { IronFlowError } from "../engine/mod.ts";
import type { FlowPlan } from "../engine/planner/mod.ts";
import { type PlanOutcome, readCachedPlan, writeCachedPlan } from "./_plan_cache.ts";
import { readEnv } from "./env.ts";

/** How strictly a flow run follows its static plan. */
export type GraphMode = "auto" | "static" | "dynamic";

/** A `static` flow whose plan needs a fallback (or cannot be made). */
export class StaticGraphDeclarationError extends IronFlowError {
  override name = "StaticGraphDeclarationError";
  constructor(message: string) {
    super(message, { code: "static_graph_declaration" });
  }
}

/** A `static` flow ran a task call its plan does not have. */
export class StaticGraphContractViolation extends IronFlowError {
  override name = "StaticGraphContractViolation";
  constructor(message: string) {
    super(message, { code: "static_graph_violation" });
  }
}

/** What a run promises about its graph. */
export interface GraphContract {
  readonly declared: GraphMode;
  readonly effective: "static" | "dynamic";
  readonly plan: FlowPlan | undefined;
  /** Planned node ids, for runtime checks. */
  readonly nodeIds: ReadonlySet<string>;
  /** Why the plan could not be used, when it could not. */
  readonly problem: string | undefined;
}

const plans = new Map<string, Promise<PlanOutcome>>();

/** The plan cache a worker gives its run processes (see `_plan_cache.ts`). */
const PLAN_CACHE_VARIABLE = "IRONFLOW_PLAN_CACHE";

function planOf(moduleUrl: string, flowName: string): Promise<PlanOutcome> {
  const key = `${moduleUrl}#${flowName}`;
  let pending = plans.get(key);
  if (!pending) {
    pending = planFromSource(moduleUrl, flowName, readEnv(PLAN_CACHE_VARIABLE));
    plans.set(key, pending);
  }
  return pending;
}

/**
 * Plans `flowName` from its module's source, or reads the plan a process
 * before this one made of the same source when `cacheDir` is given.
 */
export async function planFromSource(
  moduleUrl: string,
  flowName: string,
  cacheDir?: string,
): Promise<PlanOutcome> {
  let source: string;
  try {
    // The user's flow module, not the project's files: reading it is optional.
    source = moduleUrl.startsWith("file:")
      ? await Deno.readTextFile(new URL(moduleUrl)) // allowed: user flow source
      : await (await fetch(moduleUrl)).text();
  } catch (error) {
    return { problem: `cannot read "${moduleUrl}": ${(error as Error).message}` };
  }
  if (cacheDir) {
    const cached = await readCachedPlan(cacheDir, flowName, moduleUrl, source);
    if (cached) return cached;
  }
  let planFlow: typeof import("../engine/planner/mod.ts").planFlow;
  try {
    // Maybe inside a parent run: its context must not ride along (see detached()).
    ({ planFlow } = await detached(() => import("../engine/planner/mod.ts")));
  } catch (error) {
    // Not kept: the next process may load it.
    return { problem: `the planner could not be loaded: ${(error as Error).message}` };
  }
  const plan = planFlow(source, { flowName, fileName: moduleUrl });
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  const outcome = errors.length > 0
    ? { problem: errors.map((d) => d.message).join("; ") }
    : { plan };
  if (cacheDir) await writeCachedPlan(cacheDir, flowName, moduleUrl, source, outcome);
  return outcome;
}

/**
 * Loads the planner and runs it once on a small module, so that the first
 * flow call of a warm run process does not pay for it. Not when the process
 * has a plan cache: its runs read their plans there, and the planner is loaded
 * only by a process that meets a flow source first.
 */
export async function warmUp(): Promise<void> {
  if (readEnv(PLAN_CACHE_VARIABLE)) return;
  try {
    const { planFlow } = await import("../engine/planner/mod.ts");
    planFlow(WARM_UP_SOURCE, { flowName: "warm", fileName: "file:///warm.ts" });
  } catch {
    // The first flow call loads it (and reports a failure) as usual.
  }
}

const WARM_UP_SOURCE = `import { flow, task } from "ironflow";
const add = task(async (a: number, b: number) => a + b);
export const warm = flow({ name: "warm" }, async () => await add(1, 2));
`;

/** The contract of a run of the flow `flowName` defined in `moduleUrl`. */
export async function graphContract(
  declared: GraphMode,
  moduleUrl: string | undefined,
  flowName: string,
): Promise<GraphContract> {
  if (declared === "dynamic") {
    return {
      declared,
      effective: "dynamic",
      plan: undefined,
      nodeIds: new Set(),
      problem: undefined,
    };
  }
  const { plan, problem } = moduleUrl
    ? await planOf(moduleUrl, flowName)
    : { plan: undefined, problem: "the flow's module is unknown" };
  const why = problem ??
    (plan?.dynamic
      ? `the plan needs a runtime fallback: ${
        plan.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message).join("; ")
      }`
      : undefined);
  if (declared === "static" && why !== undefined) {
    throw new StaticGraphDeclarationError(`Flow "${flowName}" is declared static, but ${why}`);
  }
  return {
    declared,
    effective: why === undefined ? "static" : "dynamic",
    plan,
    nodeIds: new Set(plan?.nodes.map((node) => node.id) ?? []),
    problem: why,
  };
}
