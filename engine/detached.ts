/**
 * Code run outside the caller's async context: for the first `import()` of a
 * module loaded on demand. Deno carries the async context of the code that
 * first imports a module on to later, unrelated code (under `deno test`, the
 * next test runs with it), so a flow's run context would leak out of the run
 * that happened to load the module: a later flow would become its subflow.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

// The context this module was evaluated in: the process's top level, where
// no run (and no AsyncLocalStorage value) is set.
const atTopLevel = AsyncLocalStorage.snapshot();

/** Runs `fn` in the top-level async context, whatever context the caller is in. */
export function detached<T>(fn: () => T): T {
  return atTopLevel(fn);
}
