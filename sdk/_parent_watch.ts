/**
 * A worker's run process ends with its worker: a module of its own, loaded
 * before any SDK (see cli/run_process.ts).
 *
 * @module
 */

/** How often a worker's run process looks for its worker. */
export const PARENT_CHECK_MS = 500;

/**
 * Exits this process as soon as its parent is gone: a worker's run process
 * must not outlive the worker (Deno starts no process groups, so nothing
 * else would stop it and a retry could run the same work twice at once). An
 * orphan is re-parented, so a changed `Deno.ppid` means the worker died.
 * Returns a function that stops watching.
 */
export function exitWithParent(
  onGone: (parent: number) => void = (parent) => {
    console.error(`The worker (process ${parent}) is gone: stopping this flow run's process`);
    Deno.exit(70);
  },
  periodMs = PARENT_CHECK_MS,
): () => void {
  if (Deno.build.os === "windows") return () => {};
  const parent = Deno.ppid;
  const id = setInterval(() => {
    if (Deno.ppid === parent) return;
    clearInterval(id);
    onGone(parent);
  }, periodMs);
  Deno.unrefTimer(id);
  return () => clearInterval(id);
}
