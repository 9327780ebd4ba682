/**
 * Run ids of schedule slots derived from the slot itself, so creating a
 * slot's run is idempotent without a reservation document.
 *
 * @module
 */
import { createHash } from "node:crypto";

const hex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * The run id of the slot at `slot` (epoch ms) of the schedule `scheduleKey`
 * of a deployment: a UUIDv7 whose time is the slot's and whose other 74 bits
 * come from a SHA-256 of the three. A restart or a second scheduler computes
 * the same id, and the engine's create with a given id returns the run made
 * before instead of a second one.
 */
export function slotRunId(deploymentId: string, scheduleKey: string, slot: number): string {
  const h = createHash("sha256").update(`${deploymentId}|${scheduleKey}|${slot}`).digest();
  const ms = Math.max(0, Math.floor(slot));
  const b0 = Math.floor(ms / 2 ** 40) & 0xff;
  const b1 = Math.floor(ms / 2 ** 32) & 0xff;
  const b2 = (ms >>> 24) & 0xff;
  const b3 = (ms >>> 16) & 0xff;
  const b4 = (ms >>> 8) & 0xff;
  const b5 = ms & 0xff;
  const b6 = 0x70 | (h[0]! & 0x0f);
  const b8 = 0x80 | (h[2]! & 0x3f);
  return hex[b0]! + hex[b1]! + hex[b2]! + hex[b3]! + "-" + hex[b4]! + hex[b5]! + "-" + hex[b6]! +
    hex[h[1]!]! + "-" + hex[b8]! + hex[h[3]!]! + "-" + hex[h[4]!]! + hex[h[5]!]! + hex[h[6]!]! +
    hex[h[7]!]! + hex[h[8]!]! + hex[h[9]!]!;
}
