/**
 * Run ids of schedule slots derived from the slot itself, so creating a
 * slot's run is idempotent without a reservation document.
 *
 * @module
 */
import { sha256 } from "../sha256.ts";
import { uuidv7From } from "../uuid7.ts";

/**
 * The run id of the slot at `slot` (epoch ms) of the schedule `scheduleKey`
 * of a deployment: a UUIDv7 whose time is the slot's and whose other 74 bits
 * come from a SHA-256 of the three. A restart or a second scheduler computes
 * the same id, and the engine's create with a given id returns the run made
 * before instead of a second one.
 */
export function slotRunId(deploymentId: string, scheduleKey: string, slot: number): string {
  const h = sha256(`${deploymentId}|${scheduleKey}|${slot}`);
  return uuidv7From(Math.max(0, Math.floor(slot)), h);
}
