// Checkpoints of the SQLite write-ahead log run on a thread of their own
// (engine/store/_sqlite_checkpointer.ts): the writer keeps committing while
// the log is copied into the database, the log still starts over, and
// without the thread the writer checkpoints itself as SQLite would.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { createSqliteControlPlane, flow, task } from "../../sdk/mod.ts";
import { SqliteCheckpointer } from "../../engine/store/_sqlite_checkpointer.ts";

function sizeOf(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

// A database in WAL mode with the store's automatic checkpoints, and an index
// on random keys so that each commit writes several pages.
async function walDatabase(): Promise<{ db: DatabaseSync; path: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ironflow.db`;
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA wal_autocheckpoint = 8192");
  db.exec("CREATE TABLE rows (id INTEGER PRIMARY KEY, key TEXT, body TEXT)");
  db.exec("CREATE INDEX rows_by_key ON rows (key)");
  return { db, path, dir };
}

function autocheckpointOf(db: DatabaseSync): number {
  const [row] = db.prepare("PRAGMA wal_autocheckpoint").all() as { wal_autocheckpoint: number }[];
  return row!.wal_autocheckpoint;
}

// One small transaction, then the checkpointer's turn, as SqliteConnection does.
function commitOne(db: DatabaseSync, checkpointer: SqliteCheckpointer): void {
  db.exec("BEGIN IMMEDIATE");
  db.prepare("INSERT INTO rows (key, body) VALUES (?, ?)").run(
    crypto.randomUUID(),
    "x".repeat(200),
  );
  db.exec("COMMIT");
  checkpointer.committed();
}

Deno.test("a writer that never yields to its event loop still gets its log checkpointed on the thread and started over", async () => {
  const { db, path, dir } = await walDatabase();
  const checkpointer = new SqliteCheckpointer(db, path, {
    commitsPerCheckpoint: 50,
    restartAfterFrames: 400,
    sustainedAfter: 10,
  });
  try {
    // Synchronous commits only: the thread's answers must be read without a turn of the loop.
    let commits = 0;
    const commit = () => {
      commitOne(db, checkpointer);
      commits += 1;
    };
    while (commits < 40_000 && checkpointer.counts.finished < 3) commit();
    assert.ok(checkpointer.background, "checkpoints ran on the thread");
    assert.ok(checkpointer.counts.background >= 3, JSON.stringify(checkpointer.counts));
    assert.equal(autocheckpointOf(db), 0, "SQLite's automatic checkpoints are off");
    // The log file keeps the size it reached while the thread started. From now
    // on it starts over again and again: 10,000 more commits (each at least two
    // 4 KiB pages, ~80 MB) do not make it grow by more than a few restarts' worth.
    const reached = sizeOf(`${path}-wal`);
    const finishedBefore = checkpointer.counts.finished;
    for (let i = 0; i < 10_000; i++) commit();
    assert.ok(checkpointer.counts.finished > finishedBefore, JSON.stringify(checkpointer.counts));
    const grown = sizeOf(`${path}-wal`) - reached;
    assert.ok(grown < 16 * 2 ** 20, `the log grew by ${grown} bytes`);
    assert.ok(sizeOf(path) > 1024 * 1024, "the database file received the checkpointed pages");
    const { n } = db.prepare("SELECT COUNT(*) AS n FROM rows").get() as { n: number };
    assert.equal(n, commits);
  } finally {
    checkpointer.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a short writer, or one without the thread's module, keeps SQLite's own checkpoints", async () => {
  const { db, path, dir } = await walDatabase();
  const short = new SqliteCheckpointer(db, path, { sustainedAfter: 5000 });
  const lacking = new SqliteCheckpointer(db, path, {
    sustainedAfter: 10,
    workerModule: new URL("./no_such_checkpoint_worker.ts", import.meta.url),
  });
  try {
    for (let i = 0; i < 4000; i++) {
      commitOne(db, short);
      lacking.committed();
    }
    assert.equal(short.background, false);
    assert.equal(lacking.background, false);
    assert.deepEqual(short.counts, { background: 0, finished: 0 });
    assert.equal(autocheckpointOf(db), 8192);
    // SQLite's automatic checkpoints started the log over: 4,000 commits of at
    // least two pages would be over 32 MiB without them.
    assert.ok(sizeOf(`${path}-wal`) < 40 * 2 ** 20, `log of ${sizeOf(`${path}-wal`)} bytes`);
  } finally {
    short.close();
    lacking.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a thread whose checkpoints keep failing gives them back to SQLite", async () => {
  const { db, path, dir } = await walDatabase();
  const checkpointer = new SqliteCheckpointer(db, path, {
    commitsPerCheckpoint: 10,
    sustainedAfter: 10,
    workerModule: new URL("../testdata/engine/failing_checkpoint_worker.ts", import.meta.url),
  });
  try {
    commitOne(db, checkpointer);
    for (let i = 0; i < 9; i++) commitOne(db, checkpointer);
    assert.equal(checkpointer.background, true, "the thread started");
    assert.equal(autocheckpointOf(db), 0);
    let commits = 0;
    while (commits < 20_000 && checkpointer.background) {
      commitOne(db, checkpointer);
      commits += 1;
    }
    assert.equal(checkpointer.background, false, "given up after failures");
    assert.equal(checkpointer.counts.background, 0);
    assert.equal(autocheckpointOf(db), 8192, "SQLite's automatic checkpoints are back");
  } finally {
    checkpointer.close();
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

const step = task({ name: "step" }, (x: number) => x + 1);
const steps = flow({ name: "checkpointed-steps" }, async (n: number) => {
  let x = 0;
  for (let i = 0; i < n; i++) x = await step(x);
  return x;
});

Deno.test("a store whose checkpoints ran on the thread leaves no log behind when it closes", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ironflow.db`;
  try {
    const plane = createSqliteControlPlane(path);
    // Two commits per task: past the commits that start the thread.
    const outcome = await steps.runWith({ plane }, 3_000);
    assert.equal(outcome.state.type, "COMPLETED");
    assert.equal(outcome.result, 3_000);
    assert.ok(sizeOf(`${path}-wal`) > 0, "the log is in use while the store is open");
    await plane.close();
    // The thread closed its connection first: the store's close was the last
    // one, so SQLite copied the log into the database and removed it.
    assert.equal(sizeOf(`${path}-wal`), 0, "no log left after a clean close");
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      const { n } = db.prepare("SELECT COUNT(*) AS n FROM task_runs WHERE state = 'COMPLETED'")
        .get() as { n: number };
      assert.equal(n, 3_000);
    } finally {
      db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const COUNTER = new URL("../testdata/engine/checkpoint_threads.ts", import.meta.url).pathname;

// Runs the counting script with `env`; its JSON line, or the failure.
async function countThreads(env: Record<string, string>) {
  const home = await Deno.makeTempDir();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", COUNTER],
      env: { ...env, IRONFLOW_HOME: home },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr), stdout };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test({
  name:
    "IRONFLOW_SQLITE_CHECKPOINT_THREAD=off keeps a process that keeps writing on one thread; by default it starts one",
  ignore: Deno.build.os !== "linux", // counts threads in /proc
  async fn() {
    const on = await countThreads({});
    assert.equal(on.code, 0, on.stderr);
    const started = JSON.parse(on.stdout.split("\n").at(-1)!);
    assert.equal(started.state, "COMPLETED");
    assert.equal(started.after, started.before + 1, on.stdout);
    const off = await countThreads({ IRONFLOW_SQLITE_CHECKPOINT_THREAD: "off" });
    assert.equal(off.code, 0, off.stderr);
    const kept = JSON.parse(off.stdout.split("\n").at(-1)!);
    assert.equal(kept.state, "COMPLETED");
    assert.equal(kept.after, kept.before, off.stdout);
    const bad = await countThreads({ IRONFLOW_SQLITE_CHECKPOINT_THREAD: "sometimes" });
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.stderr,
      /IRONFLOW_SQLITE_CHECKPOINT_THREAD must be "on" or "off", got "sometimes"/,
    );
  },
});
