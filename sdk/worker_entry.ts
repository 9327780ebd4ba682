/**
 * Entry point of a task-runner Web Worker: imports the task's module, finds
 * the task body in the registry and runs it.
 *
 * @module
 */
import { lookupTask } from "./registry.ts";

// The worker's global scope, typed here rather than with the `deno.worker`
// lib, which would change the globals of every module checked with this one.
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown): void;
};

interface Job {
  id: number;
  moduleUrl: string;
  taskName: string;
  args: unknown[];
}

scope.onmessage = async (event: MessageEvent<Job>) => {
  const { id, moduleUrl, taskName, args } = event.data;
  try {
    await import(moduleUrl);
    const fn = lookupTask(moduleUrl, taskName);
    if (!fn) throw new Error(`Module "${moduleUrl}" defines no task named "${taskName}"`);
    const value = await fn(...args);
    scope.postMessage({ id, ok: true, value });
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    scope.postMessage({
      id,
      ok: false,
      error: { name: error.name, message: error.message, stack: error.stack },
    });
  }
};
