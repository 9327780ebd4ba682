/**
 * Time-ordered UUIDs (version 7) with a monotonic counter: new rows land at
 * the right edge of SQLite's B-trees instead of at random pages, which keeps
 * batched commits small.
 *
 * @module
 */

let lastMs = 0;
let sequence = 0;
// Random bytes are drawn a page at a time: one call per 512 ids, not one per id.
const randomPool = new Uint8Array(4096);
let randomOffset = randomPool.length;
// The 36 ASCII characters of the id being written; decoded into one flat string.
const chars = new Uint8Array(36);
const HEX_DIGITS = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
const DASH = 0x2d;
const ascii = new TextDecoder();

function writeByte(at: number, byte: number): number {
  chars[at] = HEX_DIGITS[byte >> 4]!;
  chars[at + 1] = HEX_DIGITS[byte & 0x0f]!;
  return at + 2;
}

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
  if (randomOffset + 8 > randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomOffset = 0;
  }
  const random = randomOffset;
  randomOffset += 8;
  return formatUuidv7(lastMs, sequence, randomPool, random);
}

/**
 * The UUIDv7 of time `ms` whose other 74 bits come from the first 10 of
 * `bytes` (their version and variant bits are overwritten): deterministic
 * ids, e.g. from a hash.
 */
export function uuidv7From(ms: number, bytes: ArrayLike<number>): string {
  return formatUuidv7(ms, ((bytes[0]! & 0x0f) << 8) | bytes[1]!, bytes, 2);
}

// `randA` (12 bits) follows the version, the 8 bytes of `randB` from `offset`
// the variant (its first byte keeps 6 bits).
function formatUuidv7(
  ms: number,
  randA: number,
  randB: ArrayLike<number>,
  offset: number,
): string {
  // Built as bytes and decoded once: a string glued from 20 pieces would be a
  // rope that every map lookup and SQLite bind has to flatten first.
  let at = writeByte(0, Math.floor(ms / 2 ** 40) & 0xff);
  at = writeByte(at, Math.floor(ms / 2 ** 32) & 0xff);
  at = writeByte(at, (ms >>> 24) & 0xff);
  at = writeByte(at, (ms >>> 16) & 0xff);
  chars[at++] = DASH;
  at = writeByte(at, (ms >>> 8) & 0xff);
  at = writeByte(at, ms & 0xff);
  chars[at++] = DASH;
  at = writeByte(at, 0x70 | ((randA >>> 8) & 0x0f));
  at = writeByte(at, randA & 0xff);
  chars[at++] = DASH;
  at = writeByte(at, 0x80 | (randB[offset]! & 0x3f));
  at = writeByte(at, randB[offset + 1]!);
  chars[at++] = DASH;
  for (let i = 2; i < 8; i++) at = writeByte(at, randB[offset + i]!);
  return ascii.decode(chars);
}
