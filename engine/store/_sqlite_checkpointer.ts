/**
 * Checkpoints of the SQLite write-ahead log, beside the writer.
 *
 * With SQLite's automatic checkpoints, the commit that crosses the limit
 * copies the log into the database and waits for two flushes to the disk:
 * tens of milliseconds in which this thread — a flow's tasks, the server's
 * requests — does nothing. A process that keeps writing (a long flow, a
 * server) hands them to a thread of its own instead: after
 * `SUSTAINED_AFTER_COMMITS` commits it starts the thread and turns SQLite's
 * automatic checkpoints off; from then on, every `COMMITS_PER_CHECKPOINT`
 * commits the thread runs a PASSIVE checkpoint, which does not stop writers.
 * A short script keeps SQLite's own checkpoints: starting the thread holds
 * this one for tens of milliseconds (measured 77 ms here), more than the
 * checkpoints it would save.
 *
 * A checkpoint that runs beside a busy writer never catches up with it, and
 * the log only starts over once a checkpoint copied all of it. So when the
 * log has grown past `RESTART_AFTER_FRAMES`, the writer's thread copies
 * what is left itself after the background checkpoint (the frames written
 * meanwhile: a pause of a few milliseconds instead of tens), and the next
 * commit starts the log over.
 *
 * The thread answers in shared memory, read at the next commit: the
 * writer's thread may not return to its event loop for a long time (a
 * flow's tasks chain on microtasks). Without the thread (a program bundled
 * or compiled without its module, or a thread that keeps failing) SQLite's
 * automatic checkpoints stay on or come back.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";

/** Commits after which a process counts as writing for good and starts the thread. */
export const SUSTAINED_AFTER_COMMITS = 5000;
/** Commits between two checkpoints of the thread (SQLite's own default is 1,000 pages). */
export const COMMITS_PER_CHECKPOINT = 1000;
/** Frames of log past which the writer finishes a checkpoint itself (32 MiB of 4 KiB pages). */
export const RESTART_AFTER_FRAMES = 8192;
/** Pages of log of SQLite's automatic checkpoints, while (or when) there is no thread. */
export const AUTOCHECKPOINT_PAGES = 8192;
/** Failed checkpoints in a row after which SQLite's automatic checkpoints come back. */
const FAILURES_BEFORE_FALLBACK = 3;
/**
 * Milliseconds after which a checkpoint not answered counts as lost (the
 * thread died); SQLite's own checkpoints then come back, which is safe if it
 * was only slow.
 */
const ANSWER_WAIT_MS = 10_000;
/** Milliseconds `close()` waits for the thread to close its connection. */
const CLOSE_WAIT_MS = 5000;

/** What the checkpoint thread is sent. */
export type CheckpointRequest = "checkpoint" | "close";

/** Slots and states of the checkpoint thread's answer, in shared memory. */
export const Reply = {
  /** Slot: one of the states below. */
  State: 0,
  /** Slot: frames in the log when the last checkpoint started. */
  Log: 1,
  Running: 1,
  Done: 2,
  Failed: 3,
  Closing: 4,
  Closed: 5,
} as const;

/** Options of {@linkcode SqliteCheckpointer}. */
export interface SqliteCheckpointerOptions {
  /** Commits before the thread starts. @default SUSTAINED_AFTER_COMMITS */
  sustainedAfter?: number;
  /** Commits between two checkpoints of the thread. @default COMMITS_PER_CHECKPOINT */
  commitsPerCheckpoint?: number;
  /** Frames of log past which the writer finishes a checkpoint itself. @default RESTART_AFTER_FRAMES */
  restartAfterFrames?: number;
  /** `wal_autocheckpoint` to restore when the thread cannot run. @default AUTOCHECKPOINT_PAGES */
  autocheckpointPages?: number;
  /** The checkpoint thread's module. */
  workerModule?: URL;
}

/** Checkpoints done so far beside SQLite's own. */
export interface CheckpointCounts {
  /** By the thread. */
  background: number;
  /** By the writer, copying what was written during one of the thread's. */
  finished: number;
}

/** The checkpoints of one SQLite store's database file. */
export class SqliteCheckpointer {
  readonly #db: DatabaseSync;
  readonly #path: string;
  readonly #sustainedAfter: number;
  readonly #every: number;
  readonly #restartAfter: number;
  readonly #autocheckpoint: number;
  readonly #module: URL;
  readonly #reply = new Int32Array(new SharedArrayBuffer(2 * 4));
  #commits = 0;
  /** When the running checkpoint was asked for (`performance.now()`). */
  #askedAt = 0;
  #failures = 0;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  /** Checkpoints run on the thread (SQLite's automatic ones are off). */
  #background = false;
  /** The thread could not run: SQLite's automatic checkpoints stay. */
  #gaveUp = false;
  #running = false;
  #closed = false;
  readonly counts: CheckpointCounts = { background: 0, finished: 0 };

  constructor(db: DatabaseSync, path: string, options: SqliteCheckpointerOptions = {}) {
    this.#db = db;
    this.#path = path;
    this.#sustainedAfter = options.sustainedAfter ?? SUSTAINED_AFTER_COMMITS;
    this.#every = options.commitsPerCheckpoint ?? COMMITS_PER_CHECKPOINT;
    this.#restartAfter = options.restartAfterFrames ?? RESTART_AFTER_FRAMES;
    this.#autocheckpoint = options.autocheckpointPages ?? AUTOCHECKPOINT_PAGES;
    this.#module = options.workerModule ??
      new URL("./_sqlite_checkpoint_worker.ts", import.meta.url);
  }

  /** Whether checkpoints run on the thread now. */
  get background(): boolean {
    return this.#background;
  }

  /** Called after each commit of the store's connection, outside any transaction. */
  committed(): void {
    if (!this.#background) {
      if (!this.#gaveUp && ++this.#commits >= this.#sustainedAfter) this.#start();
      return;
    }
    if (this.#running) this.#poll();
    if (++this.#commits < this.#every || !this.#background || this.#running) return;
    // One at a time: commits made meanwhile are copied by the next one.
    this.#commits = 0;
    this.#running = true;
    this.#askedAt = performance.now();
    Atomics.store(this.#reply, Reply.State, Reply.Running);
    this.#port!.postMessage("checkpoint" satisfies CheckpointRequest);
  }

  /**
   * Stops the thread once it closed its connection, so that the store's own
   * close is the database's last: SQLite then copies the whole log into the
   * database and removes it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#background = false;
    const worker = this.#worker;
    if (!worker) return;
    Atomics.store(this.#reply, Reply.State, Reply.Closing);
    this.#port!.postMessage("close" satisfies CheckpointRequest);
    const deadline = performance.now() + CLOSE_WAIT_MS;
    for (;;) {
      const state = Atomics.load(this.#reply, Reply.State);
      const left = deadline - performance.now();
      if (state === Reply.Closed || left <= 0) break;
      Atomics.wait(this.#reply, Reply.State, state, left);
    }
    this.#port!.close();
    void worker.terminate();
  }

  // Starts the thread and turns SQLite's automatic checkpoints off.
  #start(): void {
    this.#commits = 0;
    if (this.#closed) return;
    if (this.#module.protocol === "file:") {
      try {
        Deno.statSync(this.#module);
      } catch {
        this.#gaveUp = true;
        return;
      }
    }
    try {
      const { port1, port2 } = new MessageChannel();
      this.#worker = new Worker(this.#module, {
        workerData: { port: port2, path: this.#path, reply: this.#reply },
        transferList: [port2],
      });
      this.#port = port1;
      // An open store must not keep the process alive.
      this.#worker.unref();
      this.#port.unref();
      this.#worker.on("error", () => this.#fallBack());
      this.#db.exec("PRAGMA wal_autocheckpoint = 0");
      this.#background = true;
    } catch {
      this.#fallBack();
    }
  }

  // Reads the thread's answer, if it came.
  #poll(): void {
    const state = Atomics.load(this.#reply, Reply.State);
    if (state === Reply.Running) {
      // A thread that stopped answering (it died) must not leave the log to grow.
      if (performance.now() - this.#askedAt > ANSWER_WAIT_MS) this.#fallBack();
      return;
    }
    this.#running = false;
    if (state === Reply.Failed) {
      if (++this.#failures >= FAILURES_BEFORE_FALLBACK) this.#fallBack();
      return;
    }
    this.#failures = 0;
    this.counts.background += 1;
    // `Log` counts the frames when it started: those written while it ran are
    // left. Past the limit, copy them now, between this thread's transactions,
    // so that the next commit starts the log over.
    if (Atomics.load(this.#reply, Reply.Log) >= this.#restartAfter) this.#finish();
  }

  #finish(): void {
    if (this.#db.isTransaction || !this.#db.isOpen) return;
    try {
      this.#db.exec("PRAGMA wal_checkpoint(PASSIVE)");
      this.counts.finished += 1;
    } catch {
      // A busy or failing checkpoint is tried again after the thread's next one.
    }
  }

  // SQLite's automatic checkpoints come back for good.
  #fallBack(): void {
    this.#gaveUp = true;
    this.#background = false;
    this.#running = false;
    if (this.#db.isOpen) this.#db.exec(`PRAGMA wal_autocheckpoint = ${this.#autocheckpoint}`);
    void this.#worker?.terminate();
  }
}
