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
