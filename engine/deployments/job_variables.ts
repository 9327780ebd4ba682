/**
 * Job variables, as Prefect 3's base job template merges them: what a run's
 * process gets — environment variables, working directory, a command prefix
 * — is the work pool's base, overridden by the deployment's, overridden by
 * the run's own. `env` merges name by name; the other keys replace.
 *
 * @example Merge the three layers
 * ```ts
 * import { mergeJobVariables, parseJobVariables } from "./job_variables.ts";
 * import { buildDeployment } from "./validate.ts";
 * const deployment = buildDeployment(
 *   { name: "etl", entrypoint: "./etl.ts:etl", env: { MODE: "batch" } },
 *   { id: "d1", now: 0 },
 * );
 * const pool = {
 *   name: "default", type: "process", description: null, paused: false,
 *   baseJobVariables: { env: { TIER: "gold" } }, createdAt: 0, updatedAt: 0,
 * } as const;
 * const run = parseJobVariables({ working_directory: "/srv/etl" }, "job_variables");
 * console.log(mergeJobVariables(pool, deployment, run));
 * // { env: { TIER: "gold", MODE: "batch" }, working_directory: "/srv/etl", command_prefix: [] }
 * ```
 *
 * @module
 */
import { InvalidArgumentError, type Json } from "../core/mod.ts";
import type { Deployment, JobVariables, WorkPool } from "./model.ts";

export type { JobVariables };

/** What a run's process gets once the layers are merged. */
export interface EffectiveJobVariables {
  env: { [name: string]: string };
  /** `null`: the worker's working directory. */
  working_directory: string | null;
  command_prefix: string[];
}

/** The job variable names a layer may set. */
export const JOB_VARIABLE_NAMES: readonly string[] = ["env", "working_directory", "command_prefix"];

/**
 * Checks one layer of job variables as a caller gave them and returns it
 * typed; an unknown name or a value of the wrong shape is an
 * `InvalidArgumentError` that names it.
 */
export function parseJobVariables(value: unknown, where: string): JobVariables {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidArgumentError(
      `${where}: job variables must be an object such as { "env": { "MODE": "fast" } }, got ${
        JSON.stringify(value)
      }`,
    );
  }
  const out: JobVariables = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    switch (name) {
      case "env":
        if (
          item === null || typeof item !== "object" || Array.isArray(item) ||
          Object.values(item).some((v) => typeof v !== "string")
        ) {
          throw new InvalidArgumentError(
            `${where}: job variable "env" must map names to strings, got ${JSON.stringify(item)}`,
          );
        }
        out.env = { ...(item as Record<string, string>) };
        break;
      case "working_directory":
        if (typeof item !== "string" || item.trim() === "") {
          throw new InvalidArgumentError(
            `${where}: job variable "working_directory" must be a path, got ${
              JSON.stringify(item)
            }`,
          );
        }
        out.working_directory = item;
        break;
      case "command_prefix":
        if (
          !Array.isArray(item) || item.some((word) => typeof word !== "string" || word === "")
        ) {
          throw new InvalidArgumentError(
            `${where}: job variable "command_prefix" must be a list of words such as ["nice", "-n", "10"], got ${
              JSON.stringify(item)
            }`,
          );
        }
        out.command_prefix = [...item];
        break;
      default:
        throw new InvalidArgumentError(
          `${where}: unknown job variable "${name}"; use ${
            JOB_VARIABLE_NAMES.map((n) => `"${n}"`).join(", ")
          }`,
        );
    }
  }
  return out;
}

/** The deployment's layer: its `env`, `workingDirectory` and `commandPrefix`. */
export function deploymentJobVariables(deployment: Deployment): JobVariables {
  return {
    env: deployment.env,
    ...(deployment.workingDirectory !== null
      ? { working_directory: deployment.workingDirectory }
      : {}),
    ...(deployment.commandPrefix ? { command_prefix: deployment.commandPrefix } : {}),
  };
}

/** Merges pool base → deployment → run (later layers win; `env` name by name). */
export function mergeJobVariables(
  pool: WorkPool | undefined,
  deployment: Deployment,
  run: JobVariables | undefined,
): EffectiveJobVariables {
  const layers = [pool?.baseJobVariables ?? {}, deploymentJobVariables(deployment), run ?? {}];
  const merged: EffectiveJobVariables = { env: {}, working_directory: null, command_prefix: [] };
  for (const layer of layers) {
    Object.assign(merged.env, layer.env ?? {});
    if (layer.working_directory !== undefined) merged.working_directory = layer.working_directory;
    if (layer.command_prefix !== undefined) merged.command_prefix = [...layer.command_prefix];
  }
  return merged;
}

/** The run layer recorded on a run's creation event, if any. */
export function runJobVariables(creationData: { readonly [key: string]: Json } | null | undefined) {
  const value = creationData?.["jobVariables"];
  return value && typeof value === "object" && !Array.isArray(value)
    ? value as unknown as JobVariables
    : undefined;
}
