/**
 * The domain error hierarchy. Only `server/` maps these to HTTP statuses.
 *
 * @module
 */

/** Base class of every IronFlow domain error. */
export class IronFlowError extends Error {
  override name = "IronFlowError";
  /** A stable machine-readable code, e.g. `run_not_found`. */
  readonly code: string;
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, options);
    this.code = options?.code ?? "ironflow_error";
  }
}

/** A run, flow, deployment or other record that does not exist. */
export class NotFoundError extends IronFlowError {
  override name = "NotFoundError";
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "not_found" });
  }
}

/** A run id that names no run; `message` may say what needed the run. */
export class RunNotFoundError extends NotFoundError {
  override name = "RunNotFoundError";
  /** The id that names no run. */
  readonly runId: string;
  constructor(runId: string, options?: ErrorOptions & { message?: string }) {
    const { message = `Run "${runId}" does not exist`, ...rest } = options ?? {};
    super(message, { ...rest, code: "run_not_found" });
    this.runId = runId;
  }
}

/**
 * An argument the caller got wrong: an unknown sort, a page size out of
 * range, a malformed artifact. Refused where it is detected, as a domain
 * error (code `bad_request`), so a built-in `TypeError` or `RangeError`
 * always means a bug.
 */
export class InvalidArgumentError extends IronFlowError {
  override name = "InvalidArgumentError";
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "bad_request" });
  }
}

/** A transition the matrix or the policy refused. */
export class InvalidTransitionError extends IronFlowError {
  override name = "InvalidTransitionError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "invalid_transition" });
  }
}

/** A write that conflicts with the current state (stale version, live runs...). */
export class ConflictError extends IronFlowError {
  override name = "ConflictError";
  constructor(message: string, options?: ErrorOptions & { code?: string }) {
    super(message, { ...options, code: options?.code ?? "conflict" });
  }
}

/** Codes of {@linkcode StorageError}. */
export const StorageErrorCode = {
  /** The disk (or the database's size limit) is full: writes fail until space returns. */
  FULL: "storage_full",
  /** The operating system reported an I/O error on the database files. */
  IO: "storage_io_error",
  /** The database file is damaged (integrity check failed, malformed pages). */
  CORRUPT: "storage_corrupt",
} as const;

/** One of the {@linkcode StorageErrorCode}s. */
export type StorageErrorCode = typeof StorageErrorCode[keyof typeof StorageErrorCode];

/**
 * The store could not read or write its files: a full disk, an I/O error or
 * a damaged database. Not a fault of the request: retrying later may succeed
 * (full disk, I/O) or an operator must act (corrupt).
 */
export class StorageError extends IronFlowError {
  override name = "StorageError";
  declare readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: ErrorOptions) {
    super(message, { ...options, code });
  }
}

// SQLite's primary result codes and their messages (sqlite3_errstr): node:sqlite
// reports `errcode` under Node and only the message in Deno
const SQLITE_FAULTS: ReadonlyArray<[number, string, StorageErrorCode]> = [
  [13, "database or disk is full", StorageErrorCode.FULL],
  [10, "disk I/O error", StorageErrorCode.IO],
  [11, "database disk image is malformed", StorageErrorCode.CORRUPT],
  [26, "file is not a database", StorageErrorCode.CORRUPT],
];

/**
 * The {@linkcode StorageError} a store failure stands for, or `undefined`
 * when `error` is no storage fault (a constraint, a bug). A `StorageError`
 * is returned as is; a SQLite error for a full disk, an I/O error or a
 * malformed database is wrapped (it becomes the `cause`).
 *
 * @example Classifying a SQLite error
 * ```ts
 * import { storageErrorOf } from "./errors.ts";
 * const raw = Object.assign(new Error("database or disk is full"), { code: "ERR_SQLITE_ERROR" });
 * console.assert(storageErrorOf(raw)?.code === "storage_full");
 * console.assert(storageErrorOf(new Error("boom")) === undefined);
 * ```
 */
export function storageErrorOf(error: unknown): StorageError | undefined {
  if (error instanceof StorageError) return error;
  if (!(error instanceof Error)) return undefined;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code !== "ERR_SQLITE_ERROR") return undefined;
  const primary = typeof errcode === "number" ? errcode & 0xff : undefined;
  for (const [number, text, storageCode] of SQLITE_FAULTS) {
    if (primary === number || error.message.startsWith(text)) {
      const what = storageCode === StorageErrorCode.FULL
        ? "Storage is full"
        : storageCode === StorageErrorCode.IO
        ? "Storage I/O error"
        : "Storage is corrupt";
      return new StorageError(storageCode, `${what}: ${error.message}`, { cause: error });
    }
  }
  return undefined;
}

/** A paging cursor that is malformed or was made for another listing or order. */
export class InvalidCursorError extends IronFlowError {
  override name = "InvalidCursorError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, { ...options, code: "invalid_cursor" });
  }
}
