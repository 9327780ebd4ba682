/**
 * Scoped tags, as Prefect's `with tags(...)`: every flow run and task run
 * created inside `withTags()` gets its tags, besides its own.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

const storage = new AsyncLocalStorage<readonly string[]>();
const NONE: readonly string[] = [];

/**
 * Runs `fn` with `tags` added to the runs it creates (nested scopes add up).
 *
 * @example
 * ```ts
 * import { flow, task, withTags } from "./mod.ts";
 * const fetchRows = task(async () => [1, 2]);
 * export const etl = flow(async () => await withTags(["nightly", "eu"], () => fetchRows()));
 * // the "fetchRows" task run is tagged nightly and eu
 * ```
 */
export function withTags<T>(tags: readonly string[], fn: () => T): T {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === "string" && tag !== "")) {
    throw new TypeError("withTags() needs a list of non-empty strings");
  }
  if (typeof fn !== "function") throw new TypeError("withTags() needs a function");
  return storage.run([...new Set([...currentTags(), ...tags])], fn);
}

/** The tags of the enclosing `withTags()` scopes. */
export function currentTags(): readonly string[] {
  return storage.getStore() ?? NONE;
}

/** `own` tags with the scope's added, without repeats. */
export function withScopeTags(own: readonly string[]): readonly string[] {
  const scoped = storage.getStore();
  return scoped === undefined ? own : [...new Set([...own, ...scoped])];
}
