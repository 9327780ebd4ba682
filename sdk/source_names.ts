/**
 * Names of flows and tasks defined as `const extract = task(async () => ...)`:
 * arrow functions passed as arguments have no name of their own, so the
 * variable name is read from the defining line of the caller's source (as the
 * static planner does). Falls back quietly when the source cannot be read.
 *
 * @module
 */

const SDK_FOLDER = new URL(".", import.meta.url).href;
const sourceCache = new Map<string, string[] | null>();

/** Where the code that called into the SDK was defined: module URL and line. */
export function callerLocation(): { url: string; line: number } | undefined {
  const stack = new Error().stack ?? "";
  for (const frame of stack.split("\n").slice(1)) {
    const match = frame.match(/((?:file|https?):\/\/[^\s)]+?):(\d+):\d+/);
    if (match && !match[1]!.startsWith(SDK_FOLDER)) {
      return { url: match[1]!, line: Number(match[2]) };
    }
  }
  return undefined;
}

/** The variable a `task(...)`/`flow(...)` call at `location` is assigned to, if any. */
export function assignedName(
  location: { url: string; line: number } | undefined,
): string | undefined {
  if (!location || !location.url.startsWith("file:")) return undefined;
  let lines = sourceCache.get(location.url);
  if (lines === undefined) {
    try {
      // User source, not the project's own files: reading it is optional.
      lines = Deno.readTextFileSync(new URL(location.url)).split("\n"); // allowed: user source
    } catch {
      lines = null;
    }
    sourceCache.set(location.url, lines);
  }
  const line = lines?.[location.line - 1];
  if (!line) return undefined;
  // Any callee: `task(`, an alias `t(`, or `sdk.task(`, as the planner names them.
  return line.match(ASSIGNMENT)?.[1];
}

const ASSIGNMENT = /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*[\w$.]+\s*[(<]/;
