/**
 * Checks of a deployment before it is applied: its entrypoint's module
 * exists and imports, the export is a flow, and the manifest's parameters
 * bind to it (names, and the flow's parameter schema). Without them a bad
 * entrypoint deploys fine and every scheduled run fails on a worker.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import type { DeploymentSpec } from "../wire/mod.ts";
import { loadFlow, parseReference } from "./load_flow.ts";

/** The problems of `specs`, one line each (empty when all are fine). */
export async function deploymentProblems(
  specs: readonly DeploymentSpec[],
  cwd: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const spec of specs) {
    const problem = await entrypointProblem(spec, cwd);
    if (problem) problems.push(`deployment "${spec.name}": ${problem}`);
  }
  return problems;
}

/** The local module of a deployment's entrypoint (relative to its working directory). */
export function entrypointPath(spec: DeploymentSpec, cwd: string): string | undefined {
  const { module } = parseReference(spec.entrypoint);
  // Remote modules are fetched by the worker; only local ones are checked here.
  if (/^https?:/.test(module)) return undefined;
  const base = spec.working_directory ? resolve(cwd, spec.working_directory) : cwd;
  return module.startsWith("file:")
    ? new URL(module).pathname
    : isAbsolute(module)
    ? module
    : resolve(base, module);
}

async function entrypointProblem(spec: DeploymentSpec, cwd: string): Promise<string | undefined> {
  const path = entrypointPath(spec, cwd);
  if (path === undefined) return undefined;
  const { name } = parseReference(spec.entrypoint);
  const base = spec.working_directory ? resolve(cwd, spec.working_directory) : cwd;
  try {
    await Deno.stat(path);
  } catch {
    return `entrypoint "${spec.entrypoint}": module ${path} does not exist`;
  }
  let loaded;
  try {
    loaded = await loadFlow(name ? `${path}:${name}` : path, base);
  } catch (error) {
    return `entrypoint "${spec.entrypoint}": ${(error as Error).message}`;
  }
  try {
    await loaded.flow.bindParameters(spec.parameters ?? {});
  } catch (error) {
    const list = (error as { problems?: unknown }).problems;
    const more = Array.isArray(list) && list.length > 0 ? ` (${list.join("; ")})` : "";
    return `parameters: ${(error as Error).message}${more}`;
  }
  return undefined;
}
