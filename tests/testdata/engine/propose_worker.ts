/**
 * A second process for `tests/engine/multiprocess_test.ts`: opens the same
 * SQLite file (or PostgreSQL schema) with its own engine and proposes the
 * tokens it is given.
 *
 * Usage: `deno run -A propose_worker.ts <db path> <run id>=<token>...`, or
 * `deno run -A propose_worker.ts postgres://… <schema> <run id>=<token>...`
 *
 * Prints `ready` once the store is open, waits for `go` on stdin (so both
 * processes start proposing together), proposes in small concurrent chunks,
 * then prints one JSON line: `{ "accepted": [...], "duplicate": [...], "other": [...] }`.
 *
 * @module
 */
import {
  createEngine,
  createIdSource,
  createPostgresStore,
  createSqliteStore,
  isPostgresUrl,
  systemClock,
} from "../../../engine/mod.ts";

const CHUNK = 8;
// Never outlive a test that forgot us.
Deno.unrefTimer(setTimeout(() => Deno.exit(3), 60_000));

const [dbPath, ...rest] = Deno.args;
if (dbPath === undefined) {
  console.error("usage: propose_worker.ts <db path> <run id>=<token>...");
  Deno.exit(2);
}
const postgres = isPostgresUrl(dbPath);
const pairs = postgres ? rest.slice(1) : rest;
const plan = pairs.map((pair) => {
  const at = pair.indexOf("=");
  return { runId: pair.slice(0, at), token: pair.slice(at + 1) };
});

const engine = createEngine({
  store: postgres ? createPostgresStore(dbPath, { schema: rest[0]! }) : createSqliteStore(dbPath),
  clock: systemClock,
  ids: createIdSource(),
});
console.log("ready");

const decoder = new TextDecoder();
let input = "";
for await (const chunk of Deno.stdin.readable) {
  input += decoder.decode(chunk, { stream: true });
  if (input.includes("\n")) break;
}
if (input.trim() !== "go") {
  await engine.close();
  Deno.exit(4);
}

const outcome: Record<"accepted" | "duplicate" | "other", string[]> = {
  accepted: [],
  duplicate: [],
  other: [],
};
for (let i = 0; i < plan.length; i += CHUNK) {
  const chunk = plan.slice(i, i + CHUNK);
  const results = await Promise.all(
    chunk.map(({ runId, token }) =>
      engine.propose(runId, { to: "SCHEDULED", name: "Late", token, kind: `worker:${Deno.pid}` })
    ),
  );
  for (const [j, result] of results.entries()) {
    const token = chunk[j]!.token;
    if (result.status === "accepted") outcome.accepted.push(token);
    else if (result.status === "duplicate") outcome.duplicate.push(token);
    else outcome.other.push(`${token}: ${result.status} ${result.reason ?? ""}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
}
await engine.close();
console.log(JSON.stringify(outcome));
