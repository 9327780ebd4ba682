/**
 * Tasks by module and name, so a Web Worker that imports a module can find
 * the task body to run.
 *
 * @module
 */

const tasks = new Map<string, (...args: unknown[]) => unknown>();

/** Records that `moduleUrl` defines task `name`. */
export function registerTask(
  moduleUrl: string | undefined,
  name: string,
  fn: (...args: unknown[]) => unknown,
): void {
  if (moduleUrl) tasks.set(`${moduleUrl}#${name}`, fn);
}

/** The body of task `name` defined in `moduleUrl`. */
export function lookupTask(
  moduleUrl: string,
  name: string,
): ((...args: unknown[]) => unknown) | undefined {
  return tasks.get(`${moduleUrl}#${name}`);
}

const flows = new Map<string, unknown>();

/** Records the flow named `name` (the latest definition wins). */
export function registerFlow(name: string, flow: unknown): void {
  flows.set(name, flow);
}

/** The flow named `name` defined in this process, if any. */
export function lookupFlow(name: string): unknown {
  return flows.get(name);
}
