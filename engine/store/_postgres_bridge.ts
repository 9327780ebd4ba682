/**
 * A synchronous face on an asynchronous PostgreSQL driver. The `Store` port
 * is synchronous (the engine's group commit runs a batch in one call), so a
 * worker thread owns the connection and this thread waits on a shared flag
 * while the worker runs a batch of statements. A batch is one round trip:
 * its statements are pipelined on the connection.
 *
 * @module
 */
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import { StorageError, StorageErrorCode } from "../core/mod.ts";

/** One statement of a batch: SQL with `$n` parameters and their values. */
export interface BridgeStatement {
  text: string;
  params: readonly unknown[];
}

/** What the worker is asked: statements to run, or to close the connection. */
export interface BridgeRequest {
  statements: readonly BridgeStatement[];
  close?: boolean;
}

/** What the worker answers: one result per statement that ran, and the first error. */
export interface BridgeReply {
  results: { rows: Record<string, unknown>[]; count: number }[];
  error?: { message: string; code: string | null };
}

/** A failed statement: PostgreSQL's message and SQLSTATE code. */
export class PostgresError extends Error {
  readonly code: string | null;
  constructor(message: string, code: string | null) {
    super(message);
    this.name = "PostgresError";
    this.code = code;
  }
}

/** SQLSTATE of a unique constraint violation. */
export const UNIQUE_VIOLATION = "23505";

/** How long a batch may take before the store gives up on the database. */
const BATCH_TIMEOUT_MS = 120_000;

/** One PostgreSQL connection, driven synchronously. */
export class PostgresBridge {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #flag = new Int32Array(new SharedArrayBuffer(4));
  readonly #url: string;
  #closed = false;

  constructor(url: string, schema: string | null) {
    this.#url = redact(url);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const workerModule = new URL("./_postgres_bridge_worker.ts", import.meta.url);
    checkWorkerModule(workerModule);
    this.#worker = new Worker(workerModule, {
      workerData: { port: port2, flag: this.#flag, url, schema },
      transferList: [port2],
    });
    // A store left open must not keep the process alive.
    this.#worker.unref();
    this.#port.unref();
  }

  /** Runs `statements` in one round trip; returns each one's rows, or throws the first error. */
  batch(statements: readonly BridgeStatement[]): BridgeReply["results"] {
    if (statements.length === 0) return [];
    const reply = this.#call({ statements });
    if (reply.error) throw postgresErrorOf(reply.error.message, reply.error.code, this.#url);
    return reply.results;
  }

  /** The rows of one statement. */
  query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): T[] {
    return this.batch([{ text, params }])[0]!.rows as T[];
  }

  /** Closes the connection and stops the worker. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#call({ statements: [], close: true });
    } finally {
      this.#port.close();
      void this.#worker.terminate();
    }
  }

  #call(request: BridgeRequest): BridgeReply {
    Atomics.store(this.#flag, 0, 0);
    this.#port.postMessage(request);
    const waited = Atomics.wait(this.#flag, 0, 0, BATCH_TIMEOUT_MS);
    const message = receiveMessageOnPort(this.#port);
    if (waited === "timed-out" || !message) {
      throw new StorageError(
        StorageErrorCode.IO,
        `PostgreSQL at "${this.#url}" did not answer within ${BATCH_TIMEOUT_MS / 1000} s`,
      );
    }
    return message.message as BridgeReply;
  }
}

// Lost connections and a full disk are storage faults (retry later or act);
// anything else is the statement's own failure.
function postgresErrorOf(message: string, code: string | null, url: string): Error {
  if (code === "53100") return new StorageError(StorageErrorCode.FULL, message);
  const lost = code !== null &&
    (code.startsWith("08") || code.startsWith("57P") || /^E?CONN|^CONNECT/.test(code));
  if (lost) {
    return new StorageError(StorageErrorCode.IO, `PostgreSQL at "${url}": ${message} (${code})`);
  }
  return new PostgresError(message, code);
}

/**
 * A thread whose module is missing never answers, and this thread would wait
 * out the batch timeout before saying so: a program built without the
 * connection's module (a bundle, or a binary compiled without `--include`
 * of it) is told at once.
 */
function checkWorkerModule(module: URL): void {
  if (module.protocol !== "file:") return;
  try {
    Deno.statSync(module);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return;
    throw new StorageError(
      StorageErrorCode.IO,
      `Cannot open PostgreSQL: this program lacks its connection module ${module.pathname} ` +
        `(compile with --include engine/store/_postgres_bridge_worker.ts, or place it there)`,
    );
  }
}

/** `url` without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
