/**
 * Time-ordered UUIDs (version 7) with a monotonic counter: new rows land at
 * the right edge of SQLite's B-trees instead of at random pages, which keeps
 * batched commits small.
 *
 * @module
 */

let lastMs = 0;
let sequence = 0;
const random = new Uint8Array(8);
const hex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A new UUIDv7 string; ids made in this process sort in creation order. */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      // More than 4096 ids in one millisecond: borrow from the next one.
      lastMs += 1;
      sequence = 0;
    }
  }
  crypto.getRandomValues(random);
  const ms = lastMs;
  const b0 = Math.floor(ms / 2 ** 40) & 0xff;
  const b1 = Math.floor(ms / 2 ** 32) & 0xff;
  const b2 = (ms >>> 24) & 0xff;
  const b3 = (ms >>> 16) & 0xff;
  const b4 = (ms >>> 8) & 0xff;
  const b5 = ms & 0xff;
  const b6 = 0x70 | (sequence >>> 8);
  const b7 = sequence & 0xff;
  const b8 = 0x80 | (random[0]! & 0x3f);
  return hex[b0]! + hex[b1]! + hex[b2]! + hex[b3]! + "-" + hex[b4]! + hex[b5]! + "-" + hex[b6]! +
    hex[b7]! + "-" + hex[b8]! + hex[random[1]!]! + "-" + hex[random[2]!]! + hex[random[3]!]! +
    hex[random[4]!]! + hex[random[5]!]! + hex[random[6]!]! + hex[random[7]!]!;
}
