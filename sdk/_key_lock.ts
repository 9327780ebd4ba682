/**
 * One holder per key at a time in this process: SERIALIZABLE transactions
 * and cache policies queue here, so a second caller sees the first's commit.
 *
 * @module
 */

const serialized = new Map<string, Promise<void>>();

/** Waits for the key's current holder in this process, then holds it; returns the release. */
export async function lockKey(key: string): Promise<() => void> {
  const previous = serialized.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => release = resolve);
  const chained = previous.then(() => mine);
  serialized.set(key, chained);
  await previous;
  return () => {
    release();
    if (serialized.get(key) === chained) serialized.delete(key);
  };
}
