/**
 * The thread behind `_sqlite_checkpointer.ts`: its own connection to the
 * database, on which it runs a PASSIVE checkpoint whenever it is asked, so
 * the copy of the write-ahead log into the database and its flushes to the
 * disk happen beside the writer instead of in one of its commits. It answers
 * in shared memory (see there).
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { type MessagePort, workerData } from "node:worker_threads";
import { type CheckpointRequest, Reply } from "./_sqlite_checkpointer.ts";

const { port, path, reply } = workerData as {
  port: MessagePort;
  path: string;
  reply: Int32Array;
};

function answer(state: number): void {
  Atomics.store(reply, Reply.State, state);
  Atomics.notify(reply, Reply.State);
}

let db: DatabaseSync | undefined;

port.on("message", (request: CheckpointRequest) => {
  if (request === "close") {
    db?.close();
    db = undefined;
    answer(Reply.Closed);
    port.close();
    return;
  }
  try {
    if (!db) {
      db = new DatabaseSync(path);
      // A PASSIVE checkpoint never waits for locks; this covers reading the schema.
      db.exec("PRAGMA busy_timeout = 1000");
      db.exec("PRAGMA wal_autocheckpoint = 0");
    }
    // all(), not get(): a statement left unfinished would hold a read of the
    // log open, and the writer could never start the log over.
    const [row] = db.prepare("PRAGMA wal_checkpoint(PASSIVE)").all() as { log: number }[];
    Atomics.store(reply, Reply.Log, row?.log ?? 0);
    answer(Reply.Done);
  } catch {
    answer(Reply.Failed);
  }
});
