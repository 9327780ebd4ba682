/**
 * The flow name of a deployment: the flow's own `name` option (or the
 * variable it is assigned to), read statically from its module, so a
 * deployment's runs are recorded under the same flow as direct calls of it.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import type { DeploymentSpec } from "../wire/mod.ts";
import { planFlow } from "../engine/planner/mod.ts";
import { parseReference } from "./load_flow.ts";

/**
 * Fills in `flow_name` of specs that do not set it, from the source of their
 * local entrypoint module. Specs whose module is remote or unreadable, or
 * whose flow the planner cannot find, keep the server's default (the export
 * name).
 */
export async function withFlowNames(specs: readonly DeploymentSpec[]): Promise<DeploymentSpec[]> {
  return await Promise.all(specs.map(async (spec) => {
    if (spec.flow_name !== undefined) return spec;
    const name = await flowNameOf(spec.entrypoint, spec.working_directory ?? undefined);
    return name === undefined ? spec : { ...spec, flow_name: name };
  }));
}

/** The name of the flow `entrypoint` refers to, read from its local source. */
export async function flowNameOf(
  entrypoint: string,
  workingDirectory: string | undefined,
): Promise<string | undefined> {
  const { module, name } = parseReference(entrypoint);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(module) && !module.startsWith("file:")) return undefined;
  const path = module.startsWith("file:")
    ? new URL(module)
    : isAbsolute(module)
    ? module
    : resolve(workingDirectory ?? Deno.cwd(), module);
  let source: string;
  try {
    source = await Deno.readTextFile(path); // allowed: the user's flow module
  } catch {
    return undefined;
  }
  const plan = planFlow(source, {
    ...(name !== undefined ? { flowName: name } : {}),
    fileName: String(path),
  });
  if (plan.diagnostics.some((d) => d.severity === "error") || plan.flowName === "") {
    return undefined;
  }
  return plan.flowName;
}
