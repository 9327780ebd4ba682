/**
 * Plans of flow modules kept on disk between run processes.
 *
 * Planning a flow parses its module's source, which loads a parser that costs
 * a run process more CPU than the rest of its start-up work. A worker gives
 * its run processes a directory (`IRONFLOW_PLAN_CACHE`) that lives as long as
 * the worker: the first run of a flow plans it and writes the plan there; the
 * next runs of the same source read it back and never load the parser.
 *
 * An entry is found by a hash of the flow's name, module URL and source, and
 * names all three again inside, so a changed source is a new entry and a hash
 * collision reads as a miss. Nothing here fails a run: a directory that cannot
 * be read or written only means the plan is made again.
 *
 * @module
 */
import { fnv1a64 } from "../engine/planner/fingerprint.ts";
import type { FlowPlan } from "../engine/planner/mod.ts";

/** Bumped whenever a planner change makes older entries wrong. */
const FORMAT = 1;

/** What planning a flow module gave: a plan, or why there is none. */
export interface PlanOutcome {
  plan?: FlowPlan;
  problem?: string;
}

interface Entry extends PlanOutcome {
  format: number;
  flowName: string;
  moduleUrl: string;
  sourceHash: string;
}

/** Where the plan of `flowName` in `moduleUrl` with `source` is kept under `dir`. */
export function planCachePath(
  dir: string,
  flowName: string,
  moduleUrl: string,
  source: string,
): string {
  return `${dir}/${fnv1a64(`${FORMAT}\n${flowName}\n${moduleUrl}\n${source}`)}.json`;
}

/** The kept outcome of planning, when `dir` has one for exactly this source. */
export async function readCachedPlan(
  dir: string,
  flowName: string,
  moduleUrl: string,
  source: string,
): Promise<PlanOutcome | undefined> {
  let entry: Entry;
  try {
    entry = JSON.parse(await Deno.readTextFile(planCachePath(dir, flowName, moduleUrl, source)));
  } catch {
    return undefined;
  }
  const matches = entry.format === FORMAT && entry.flowName === flowName &&
    entry.moduleUrl === moduleUrl && entry.sourceHash === fnv1a64(source);
  if (!matches) return undefined;
  return entry.plan ? { plan: entry.plan } : { problem: String(entry.problem) };
}

/**
 * Keeps `outcome` for the next process. Written to a file of its own and then
 * renamed, so a process reading at the same time sees all of it or nothing.
 */
export async function writeCachedPlan(
  dir: string,
  flowName: string,
  moduleUrl: string,
  source: string,
  outcome: PlanOutcome,
): Promise<void> {
  const path = planCachePath(dir, flowName, moduleUrl, source);
  const entry: Entry = {
    format: FORMAT,
    flowName,
    moduleUrl,
    sourceHash: fnv1a64(source),
    ...(outcome.plan ? { plan: outcome.plan } : { problem: outcome.problem ?? "no plan" }),
  };
  const partial = `${path}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(partial, JSON.stringify(entry));
    await Deno.rename(partial, path);
  } catch {
    await Deno.remove(partial).catch(() => {});
  }
}
