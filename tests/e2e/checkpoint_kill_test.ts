// A process SIGKILLed while its checkpoints run on their own thread
// (engine/store/_sqlite_checkpointer.ts) loses no committed transition, and
// the database it leaves is whole.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createEngine, createSqliteStore, FakeClock, SequentialIds } from "../../engine/mod.ts";
import { assertStoreWhole, kill, until } from "./_kill.ts";

const WRITER = new URL("../testdata/engine/checkpointed_writer.ts", import.meta.url).pathname;

// Completed task runs, as a reader in this process sees them (committed ones only).
function completedTasks(path: string): number {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const row = db.prepare("SELECT COUNT(*) AS n FROM task_runs WHERE state = 'COMPLETED'")
        .get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

Deno.test("SIGKILL while checkpoints run beside the writer: every committed task run survives", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ironflow.db`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", WRITER, path, `${dir}/pid`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    // 4,000 tasks are 8,000 commits: the thread has started and checkpointed.
    const seen = await until(() => {
      const n = completedTasks(path);
      return n >= 4_000 ? n : undefined;
    }, "4,000 completed task runs");
    kill(child);
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    const engine = createEngine({
      store: createSqliteStore(path),
      clock: new FakeClock(0),
      ids: new SequentialIds(),
    });
    try {
      assert.ok(completedTasks(path) >= seen, "no committed task run was lost");
      assertStoreWhole(path, engine);
    } finally {
      await engine.close();
    }
  } finally {
    kill(child);
    await child.stderr.cancel().catch(() => {});
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
