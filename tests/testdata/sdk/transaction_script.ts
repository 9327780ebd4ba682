/**
 * A plain script (no flow) that runs a keyed transaction of directly called
 * tasks, as tests/sdk/transaction_standalone_test.ts runs it twice.
 */
import { task, transaction } from "../../../sdk/mod.ts";

let ran = 0;
const count = task({ name: "count" }, (day: string) => `rows-${day}:3`);
const day = Deno.args[0] ?? "2024-05-01";
const result = await transaction({ key: `script-${day}` }, async () => {
  ran++;
  return await count(day);
});
console.log(JSON.stringify({ result, ran }));
