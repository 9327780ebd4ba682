/**
 * Friendly run names (`brave-otter`), derived from the run id so they are
 * stable and need no randomness.
 *
 * @module
 */
const ADJECTIVES = [
  "amber",
  "bold",
  "brave",
  "calm",
  "clever",
  "crisp",
  "eager",
  "fast",
  "gentle",
  "golden",
  "happy",
  "jolly",
  "keen",
  "lively",
  "lucky",
  "merry",
  "nimble",
  "proud",
  "quick",
  "quiet",
  "rapid",
  "silver",
  "steady",
  "sunny",
  "swift",
  "tidy",
  "vivid",
  "warm",
  "wise",
  "witty",
];
const ANIMALS = [
  "badger",
  "beaver",
  "bison",
  "crane",
  "dolphin",
  "eagle",
  "falcon",
  "ferret",
  "fox",
  "gecko",
  "heron",
  "ibex",
  "jackal",
  "koala",
  "lemur",
  "lynx",
  "marten",
  "moose",
  "otter",
  "owl",
  "panda",
  "puffin",
  "quail",
  "raven",
  "seal",
  "stoat",
  "tapir",
  "tiger",
  "walrus",
  "wombat",
];

/** A stable friendly name for a run id. */
export function friendlyRunName(id: string): string {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `${ADJECTIVES[hash % ADJECTIVES.length]}-${ANIMALS[(hash >>> 8) % ANIMALS.length]}`;
}

/** A run name: a template over the parameters (`"{region}-{date}"`) or a function of them. */
export type RunNameOption = string | ((parameters: Record<string, unknown>) => string);

/**
 * The run name `option` gives for these named parameters. A template names
 * parameters in braces (`{name}`, `{config.region}` for a field); a name that
 * is not a parameter is an error naming it and the parameters there are.
 */
export function renderRunName(
  option: RunNameOption,
  parameters: Record<string, unknown>,
  owner: string,
): string {
  const name = typeof option === "function"
    ? option(parameters)
    : option.replace(/\{([^{}]+)\}/g, (_, path: string) => {
      let value: unknown = parameters;
      for (const part of path.trim().split(".")) {
        if (value === null || typeof value !== "object" || !(part in value)) {
          const known = Object.keys(parameters).map((k) => `"${k}"`).join(", ") || "none";
          throw new TypeError(
            `Run name template of ${owner} names "{${path}}", which is not a parameter (parameters: ${known})`,
          );
        }
        value = (value as Record<string, unknown>)[part];
      }
      return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    });
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`Run name of ${owner} must be a non-empty string, got ${String(name)}`);
  }
  return name.slice(0, 200);
}

/** Named parameters as a record; positional ones by their index. */
export function asRecord(parameters: unknown): Record<string, unknown> {
  return parameters !== null && typeof parameters === "object"
    ? { ...parameters as Record<string, unknown> }
    : {};
}
