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

/** Whether results are persisted when no option says: `IRONFLOW_PERSIST_RESULTS`. */
export function defaultPersistResult(): boolean {
  persistByDefault ??= /^(1|true|yes)$/i.test(readEnv("IRONFLOW_PERSIST_RESULTS") ?? "");
  return persistByDefault;
}

// Read once: the environment does not change under a running process.
let persistByDefault: boolean | undefined;

/** `persistResult`, or true when a result serializer or storage is set, else `undefined`. */
export function impliedPersist(
  options: { persistResult?: boolean; resultSerializer?: string; resultStorage?: string },
): boolean | undefined {
  if (options.persistResult !== undefined) return options.persistResult;
  return options.resultSerializer !== undefined || options.resultStorage !== undefined
    ? true
    : undefined;
}
