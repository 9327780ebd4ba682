/**
 * Hot-path guard: the SDK's mapped flow of 10,000 tasks on SQLite, timed for
 * two checkouts of the project in the same run, alternating, each round in a
 * fresh process (best of three flow runs), so a shared machine's load falls on
 * both alike.
 *
 * Run with `deno run -A bench/mapped_ratio.ts --base ../main --head . [--rounds 7]`.
 * Prints each round and the ratio of the medians, base ms / head ms: 1.0 is
 * as fast, below 1.0 is slower (the bar for a change is 0.95).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROUND_SCRIPT = (workloads: string) => `
import { measureFlow, sqlitePlane } from ${JSON.stringify(workloads)};
const warm = await sqlitePlane();
await measureFlow(warm.plane, "mapped", 500);
await warm.dispose();
let best = Infinity;
for (let i = 0; i < 3; i++) {
  const bench = await sqlitePlane();
  best = Math.min(best, (await measureFlow(bench.plane, "mapped", 10_000)).ms);
  await bench.dispose();
}
console.log(best.toFixed(1));
`;

async function timeOnce(checkout: string): Promise<number> {
  const workloads = pathToFileURL(resolve(checkout, "bench/sdk_workloads.ts")).href;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", ROUND_SCRIPT(workloads)],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`The round in ${checkout} failed`);
  return Number(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      base: { type: "string" },
      head: { type: "string", default: "." },
      rounds: { type: "string", default: "7" },
    },
  });
  if (!values.base) throw new TypeError("Pass --base <checkout> (the previous commit)");
  const base: number[] = [];
  const head: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    base.push(await timeOnce(values.base));
    head.push(await timeOnce(values.head));
    console.log(`round ${round + 1}: base ${base.at(-1)} ms, head ${head.at(-1)} ms`);
  }
  const ratio = median(base) / median(head);
  console.log(
    `mapped 10,000 on SQLite: base ${median(base)} ms, head ${median(head)} ms, ratio ${
      ratio.toFixed(3)
    }`,
  );
}
