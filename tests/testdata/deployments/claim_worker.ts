/**
 * A second process for `tests/engine/deployments/claims_test.ts`: opens the SQLite
 * file with its own engine, waits for `go` on stdin, then claims runs of the
 * default pool until the queue is empty and prints the claimed run ids as one
 * JSON line.
 *
 * Usage: `deno run -A claim_worker.ts <db path> <worker id>`
 *
 * @module
 */
import {
  createEngine,
  createIdSource,
  createSqliteStore,
  systemClock,
} from "../../../engine/mod.ts";
import { claimRuns } from "../../../engine/deployments/mod.ts";

Deno.unrefTimer(setTimeout(() => Deno.exit(3), 60_000));
const [path, workerId] = Deno.args;
if (!path || !workerId) {
  console.error("usage: claim_worker.ts <db path> <worker id>");
  Deno.exit(2);
}
const engine = createEngine({
  store: createSqliteStore(path, { busyTimeoutMs: 30_000 }),
  clock: systemClock,
  ids: createIdSource(),
});
console.log("ready");
const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
let input = "";
while (!input.includes("go")) {
  const { value, done } = await reader.read();
  if (done) break;
  input += value;
}
const claimed: string[] = [];
let empty = 0;
while (empty < 3) {
  const won = await claimRuns(engine, "default", { workerId, limit: 1 });
  if (won.length === 0) empty += 1;
  else {
    empty = 0;
    claimed.push(...won.map((c) => c.run.id));
  }
}
await engine.close();
console.log(JSON.stringify({ claimed }));
