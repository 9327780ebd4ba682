/**
 * Entry point of a task-runner Web Worker: imports the task's module, finds
 * the task body in the registry and runs it.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { lookupTask } from "./registry.ts";

interface Job {
  id: number;
  moduleUrl: string;
  taskName: string;
  args: unknown[];
}

self.onmessage = async (event: MessageEvent<Job>) => {
  const { id, moduleUrl, taskName, args } = event.data;
  try {
    await import(moduleUrl);
    const fn = lookupTask(moduleUrl, taskName);
    if (!fn) throw new Error(`Module "${moduleUrl}" defines no task named "${taskName}"`);
    const value = await fn(...args);
    self.postMessage({ id, ok: true, value });
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    self.postMessage({
      id,
      ok: false,
      error: { name: error.name, message: error.message, stack: error.stack },
    });
  }
};
