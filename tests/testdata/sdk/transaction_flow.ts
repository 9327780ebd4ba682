/**
 * A flow with a keyed transaction, run twice as separate processes against one
 * IRONFLOW_HOME by tests/sdk/transaction_test.ts: the second finds the key committed.
 * Prints one JSON line: the flow's result and how often the block ran.
 *
 * @module
 */
import { flow, task, transaction } from "../../../sdk/mod.ts";

let ran = 0;
const stage = task({ name: "stage" }, async (day: string) => await Promise.resolve(`rows-${day}`));

export const load = flow(
  { name: "load-day" },
  async (day: string) =>
    await transaction({ key: `load-${day}` }, async (txn) => {
      ran++;
      txn.set("rows", 3);
      return `${await stage(day)}:${txn.get("rows")}`;
    }),
);

if (import.meta.main) {
  const result = await load(Deno.args[0] ?? "2024-05-01");
  console.log(JSON.stringify({ result, ran }));
}
