/**
 * Reading the SDK's environment settings (`IRONFLOW_*`).
 *
 * @module
 */

/**
 * Reads an environment variable, or `undefined` without env permission.
 *
 * @example Reading a setting that may be unset
 * ```ts
 * import { readEnv } from "./env.ts";
 * const home = readEnv("IRONFLOW_HOME") ?? "./.ironflow";
 * ```
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
