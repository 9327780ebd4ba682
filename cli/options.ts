/**
 * The message for an option a command does not know: which option, the
 * nearest one it does know (from its `--help`), and how to pass a value that
 * starts with "-".
 *
 * @module
 */
import { findCommand } from "./commands.ts";

/** The one-line message for node:util's ERR_PARSE_ARGS_UNKNOWN_OPTION. */
export async function unknownOptionMessage(error: Error, args: readonly string[]): Promise<string> {
  const option = error.message.match(/^Unknown option '([^']+)'/)?.[1] ?? "";
  const entry = args[0] ? findCommand(args[0]) : undefined;
  const known = entry ? optionsOf(await entry.help()) : [];
  const nearest = nearestOption(option, known);
  const command = entry ? `ironflow ${entry.name}` : "ironflow";
  return `Unknown option "${option}" for "${command}".` +
    (nearest ? ` Did you mean "${nearest}"?` : "") +
    ` To pass a value that starts with "-", put it after "--", as in: -- "${option}"`;
}

/** The `--long` options a help text names. */
export function optionsOf(help: string): string[] {
  return [...new Set([...help.matchAll(/(?<![\w-])--[a-z][a-z0-9-]*/g)].map((m) => m[0]))];
}

/** The known option closest to `option`, when it is close enough to be a typo. */
export function nearestOption(option: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(option, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const prefix = known.find((name) => name.startsWith(option) && option.length > 2);
  if (prefix) return prefix;
  return best.distance <= Math.max(2, Math.floor(option.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
