/**
 * Holds a row lock in another process, as any other session might: opens a
 * transaction, locks the run-queue entry of run `runId` in `schema` with
 * `SELECT … FOR UPDATE`, prints "locked", and commits when its stdin closes
 * (or after 20 s, so a test that never closes it cannot hang).
 *
 * Usage: deno run -A pg_row_lock_holder.ts <database url> <schema> <run id>
 */
import postgres from "postgres";

const [url, schema, runId] = Deno.args;
const sql = postgres(url!, { max: 1, onnotice: () => {} });
try {
  await sql.begin(async (tx) => {
    const rows = await tx.unsafe(
      `SELECT key FROM ${schema}.documents WHERE collection = 'run_queue' AND key LIKE $1 FOR UPDATE`,
      [`%|${runId}`],
    );
    if (rows.length !== 1) throw new Error(`no queue entry of run ${runId}`);
    console.log("locked");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Deno.stdin.readable.pipeTo(new WritableStream()),
      new Promise((resolve) => timer = setTimeout(resolve, 20_000)),
    ]);
    clearTimeout(timer);
  });
} finally {
  await sql.end();
}
