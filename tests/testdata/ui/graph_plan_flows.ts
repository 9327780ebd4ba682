// Flows whose source the planner reads at run time (run graph tests of the
// dashboard). Each flow has an explicit name: its recorded plan is found by
// the run's flow name.
import { flow, task } from "../../../sdk/mod.ts";

const extract = task((n: number) => n + 1, { name: "extract" });
const transform = task((_x: number): number => {
  throw new Error("transform failed");
}, { name: "transform" });
const load = task((x: number) => x * 2, { name: "load" });
// Takes the futures of a map (or plain values) and counts them.
const publish = task((xs: unknown[]) => xs.length, { name: "publish" });
const audit = task(() => "audited", { name: "audit" });

let release: () => void = () => {};
let released = Promise.resolve();
/** Makes the next `hold` task wait until {@linkcode openHold} is called. */
export function armHold(): void {
  released = new Promise<void>((resolve) => release = resolve);
}
/** Lets a waiting `hold` task finish. */
export function openHold(): void {
  release();
}
const hold = task(async (x: number) => {
  await released;
  return x;
}, { name: "hold" });

/** A subflow. */
export const notify = flow(async (n: number) => await extract(n), { name: "ui-notify" });

/**
 * extract -> transform (fails) -> load.map -> publish -> notify (subflow);
 * audit comes after, depending on nothing.
 */
export const failsMidway = flow(async () => {
  const a = await extract(1);
  const b = await transform(a);
  const rows = await load.map([b, b]);
  const total = await publish(rows);
  await notify(total);
  return await audit();
}, { name: "ui-fails-midway" });

/** extract -> load.map -> publish -> notify (subflow), all of which work. */
export const completes = flow(async () => {
  const a = await extract(1);
  const rows = await load.map([a, a, a]);
  const total = await publish(rows);
  return await notify(total);
}, { name: "ui-completes" });

/** extract -> notify (subflow) -> hold (waits for the test) -> load -> publish. */
export const waits = flow(async () => {
  const a = await extract(1);
  const b = await notify(a);
  const c = await hold(b);
  const d = await load(c);
  return await publish([d]);
}, { name: "ui-waits" });
