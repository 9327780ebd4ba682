/**
 * No option is silently ignored: every options object the SDK takes is
 * checked against the names it knows, and an unknown one is an immediate
 * `InvalidOptionError` naming it and the nearest valid name (Prefect's
 * snake_case spellings find their camelCase twin).
 *
 * @module
 */
import { InvalidOptionError } from "./errors.ts";

/** Options of `flow()` and `task()` both. */
export const RUN_OPTION_NAMES = [
  "name",
  "description",
  "tags",
  "retries",
  "retryDelaySeconds",
  "retryJitterFactor",
  "retryCondition",
  "timeoutSeconds",
  "transitionHooks",
  "onCompletion",
  "onFailure",
  "onCancellation",
  "onCrashed",
  "onRunning",
  "logPrints",
  "persistResult",
  "resultSerializer",
  "resultStorage",
] as const;

/** Options only `task()` takes. */
export const TASK_OPTION_NAMES = [
  ...RUN_OPTION_NAMES,
  "cachePolicy",
  "cacheKeyFn",
  "cacheExpiration",
  "refreshCache",
  "module",
  "onCommit",
  "onRollback",
  "taskRunName",
] as const;

/** Options only `flow()` takes. */
export const FLOW_OPTION_NAMES = [
  ...RUN_OPTION_NAMES,
  "taskRunner",
  "graphMode",
  "finalState",
  "parameters",
  "flowRunName",
  "version",
] as const;

/**
 * Prefect 3 options IronFlow knows of but does not offer (yet): naming them
 * says so plainly instead of proposing an unrelated nearest name.
 */
const NOT_SUPPORTED: Readonly<Record<string, string>> = {
  validateParameters: "give a JSON Schema as `parameters` to validate parameters",
  resultStorageKey: "results go to a content-addressed result store",
  cacheResultInMemory: "results are kept in memory for the run's lifetime",
  vizReturnValue: "the static planner (ironflow plan) draws graphs without running",
  assets: "assets are not supported",
};

/** `name` spelled as one of `candidates` up to case, `_` and `-` (`wait_for` → `waitFor`). */
export function sameNameFolded(name: string, candidates: readonly string[]): string | undefined {
  const folded = fold(name);
  return candidates.find((candidate) => fold(candidate) === folded);
}

function fold(text: string): string {
  return text.toLowerCase().replace(/[_\-\s]/g, "");
}

/** The candidate closest to `name`, or undefined when none is close. */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const same = sameNameFolded(name, candidates);
  if (same !== undefined) return same;
  const folded = fold(name);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(folded.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(folded, fold(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** "did you mean" text for an unknown `name`, or the list of valid names. */
export function unknownNameHint(name: string, known: readonly string[]): string {
  const nearest = nearestName(name, known);
  return nearest !== undefined
    ? `did you mean "${nearest}"?`
    : `valid options are ${known.map((k) => `"${k}"`).join(", ")}`;
}

/**
 * Throws `InvalidOptionError` for the first key of `options` not in `known`,
 * e.g. `Unknown option "cache_policy" of task "inc": did you mean "cachePolicy"?`.
 * `owner` names what the options belong to (`task "inc"`, `serve()`).
 * `elsewhere` maps names that belong to another options object to where they go.
 */
export function checkOptionNames(
  owner: string,
  options: object,
  known: readonly string[],
  elsewhere: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const place = elsewhere[key];
    if (place !== undefined) {
      throw new InvalidOptionError(`Option "${key}" does not belong to ${owner}: ${place}`);
    }
    // An exact Prefect name IronFlow lacks says so; a typo of one only when no valid name is near.
    const exact = sameNameFolded(key, Object.keys(NOT_SUPPORTED));
    const nearest = exact ??
      (nearestName(key, known) ? undefined : nearestName(key, Object.keys(NOT_SUPPORTED)));
    const unsupported = NOT_SUPPORTED[nearest ?? ""];
    if (unsupported !== undefined) {
      throw new InvalidOptionError(
        `Option "${key}" of ${owner} is not supported by IronFlow: ${unsupported}`,
      );
    }
    throw new InvalidOptionError(
      `Unknown option "${key}" of ${owner}: ${unknownNameHint(key, known)}`,
    );
  }
}
