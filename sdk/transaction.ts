/**
 * Transactions, as Prefect 3's `transaction()`: the task runs completed
 * inside the block are one unit. When the block succeeds the transaction
 * commits (the tasks' `onCommit` hooks run, in order); when it throws, the
 * completed tasks are rolled back (their `onRollback` hooks run, newest
 * first) and the error is rethrown. A committed transaction with a `key` is
 * idempotent: a later transaction with that key — in this run, another run or
 * another process — skips its block and returns the recorded result.
 * A callback rather than `using`, because a disposer cannot see the block's error.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { type Json, LogLevel } from "../engine/mod.ts";
import { currentContext } from "./context.ts";
import { type ControlPlane, getControlPlane } from "./control_plane.ts";
import { asError } from "./errors.ts";
import { writeLog } from "./logger.ts";
import type { TaskFuture } from "./future.ts";
import { checkOptionNames } from "./option_names.ts";
import { type CommittedRecord, TransactionOwner, TransactionRecord } from "./transaction_record.ts";
import { lockKey } from "./_key_lock.ts";
import type {
  IsolationLevel,
  TransactionHook,
  TransactionMember,
  TransactionMembership,
} from "./transaction_hooks.ts";

export type {
  IsolationLevel,
  TransactionHook,
  TransactionHookContext,
  TransactionValues,
} from "./transaction_hooks.ts";
export { hookList } from "./transaction_hooks.ts";

type Member = TransactionMember;

/** Where committed keys are kept instead of the control plane (Prefect's `store`). */
export interface TransactionStore {
  read(key: string): Promise<Json | undefined> | Json | undefined;
  write(key: string, record: Json): Promise<void> | void;
}

/** Options of `transaction()`. */
export interface TransactionOptions {
  /** Makes a committed transaction idempotent: a later one with this key skips its block. */
  key?: string;
  /**
   * `SERIALIZABLE` lets one transaction of a key run at a time in this
   * process, so the second sees the first's commit. @default "READ_COMMITTED"
   */
  isolation?: IsolationLevel;
  /** Keeps committed records here. @default the control plane (the engine's cache entries) */
  store?: TransactionStore;
  /**
   * The control plane of a transaction outside a flow, and of the tasks
   * called in its block; inside a flow the flow run's is used.
   * @default the default control plane
   */
  plane?: ControlPlane;
}

const OPTION_NAMES = ["key", "isolation", "store", "plane"];
const storage = new AsyncLocalStorage<Transaction>();

/** An open transaction: values shared by its block and tasks, and what it will commit. */
export class Transaction implements TransactionMembership {
  readonly key: string | undefined;
  readonly isolation: IsolationLevel;
  readonly parent: Transaction | undefined;
  /** @internal The control plane of a transaction outside a flow (its tasks' too). */
  readonly _plane: ControlPlane | undefined;
  readonly #values = new Map<string, unknown>();
  readonly #members: Member[] = [];
  readonly #pending: TaskFuture<unknown>[] = [];
  /** Records of nested transactions that commit with this one. */
  readonly #nested: Array<{ record: TransactionRecord; committed: CommittedRecord }> = [];

  /** @internal Made by {@linkcode transaction}. */
  constructor(
    options: TransactionOptions,
    parent: Transaction | undefined,
    plane?: ControlPlane,
  ) {
    this.key = options.key;
    this.isolation = options.isolation ?? "READ_COMMITTED";
    this.parent = parent;
    this._plane = plane ?? parent?._plane;
  }

  /** Stores a value for the block and its tasks; recorded with the commit. */
  set(name: string, value: unknown): void {
    this.#values.set(name, value);
  }

  /** A value set here or in an enclosing transaction; `fallback` when none. */
  get<T = unknown>(name: string, fallback?: T): T {
    if (this.#values.has(name)) return this.#values.get(name) as T;
    if (this.parent) return this.parent.get(name, fallback);
    return fallback as T;
  }

  /** @internal A task run submitted inside: the commit waits for it. */
  _track(future: TaskFuture<unknown>): void {
    this.#pending.push(future);
  }

  /** @internal A task run completed inside. */
  _completed(member: Member): void {
    this.#members.push(member);
  }

  /** @internal */
  _values(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }

  /** @internal */
  _restore(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) this.#values.set(name, value);
  }

  /** @internal Waits for the tasks submitted inside; throws the first failure. */
  async _settle(): Promise<void> {
    for (let seen = 0; seen < this.#pending.length; seen++) {
      const outcome = await this.#pending[seen]!._outcome();
      if (outcome.error) throw outcome.error;
    }
  }

  /** @internal A nested transaction committed into this one. */
  _adopt(child: Transaction, record: TransactionRecord, committed: CommittedRecord): void {
    this.#members.push(...child.#members);
    this.#nested.push(...child.#nested, { record, committed });
  }

  /** @internal Runs the onCommit hooks in order, then finishes nested records. */
  async _commit(warn: (message: string) => void): Promise<string[]> {
    for (const member of this.#members) await callHooks(this, member, member.onCommit, warn);
    for (const { record, committed } of this.#nested) {
      await record.committed(committed, []);
    }
    return this.#members.map((m) => m.taskRunId);
  }

  /** @internal Runs the onRollback hooks newest first; ends nested records rolled back. */
  async _rollback(error: Error, warn: (message: string) => void): Promise<string[]> {
    const members = [...this.#members].reverse();
    for (const member of members) await callHooks(this, member, member.onRollback, warn);
    for (const { record } of this.#nested) await record.rolledBack(error, []);
    return members.map((m) => m.taskRunId);
  }
}

async function callHooks(
  transaction: Transaction,
  member: Member,
  hooks: readonly TransactionHook[],
  warn: (message: string) => void,
): Promise<void> {
  const context = {
    transaction,
    taskName: member.taskName,
    taskRunId: member.taskRunId,
    result: member.result,
  };
  for (const hook of hooks) {
    try {
      await hook(context);
    } catch (error) {
      warn(`Transaction hook of task "${member.taskName}" failed: ${asError(error).message}`);
    }
  }
}

/** The transaction this code runs in, or `undefined` (Prefect's `get_transaction()`). */
export function getTransaction(): Transaction | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` as a transaction of the current flow run or, in a plain script,
 * of the tasks called directly in the block (as Prefect 3 allows): it is then
 * recorded as a root task run `transaction` of the control plane.
 *
 * @example
 * ```ts
 * import { flow, task, transaction } from "./mod.ts";
 * const write = task({
 *   name: "write",
 *   onRollback: [({ result }) => console.log(`delete ${result}`)],
 * }, async (path: string) => path);
 * const check = task(async (path: string) => { if (!path) throw new Error("empty"); });
 * export const pipeline = flow(async () =>
 *   await transaction({ key: "daily-2024-05-01" }, async (txn) => {
 *     const path = await write("out.csv");
 *     await check(path); // a failure here rolls back write (its onRollback runs)
 *     txn.set("rows", 10);
 *     return path;
 *   })
 * );
 * ```
 */
export async function transaction<T>(
  options: TransactionOptions,
  fn: (txn: Transaction) => T | Promise<T>,
): Promise<T> {
  if (options === null || typeof options !== "object") {
    throw new TypeError('transaction() needs options, e.g. transaction({ key: "x" }, fn)');
  }
  checkOptionNames("transaction()", options, OPTION_NAMES);
  if (typeof fn !== "function") throw new TypeError("transaction() needs a function");
  const { key, isolation = "READ_COMMITTED", store } = options;
  if (key !== undefined && (typeof key !== "string" || key === "")) {
    throw new TypeError(`transaction() key must be a non-empty string, got ${String(key)}`);
  }
  if (isolation !== "READ_COMMITTED" && isolation !== "SERIALIZABLE") {
    throw new TypeError(`isolation must be "READ_COMMITTED" or "SERIALIZABLE", got "${isolation}"`);
  }
  const parent = getTransaction();
  const owner = ownerOf(options.plane ?? parent?._plane);
  const release = isolation === "SERIALIZABLE" && key !== undefined
    ? await lockKey(key)
    : undefined;
  try {
    const txn = new Transaction(options, parent, owner.flowRun ? undefined : owner.plane);
    return await runTransaction(txn, store, fn, owner);
  } finally {
    release?.();
  }
}

// Inside a flow run: its run; outside: the given (or default) control plane alone.
function ownerOf(plane: ControlPlane | undefined): TransactionOwner & { index: object } {
  const context = currentContext();
  if (context) {
    const { execution } = context;
    return {
      plane: context.plane,
      signal: execution.signal,
      flowRun: execution.standalone ? undefined : execution.mirror.run,
      warn: (message, runId) => execution.warn(message, runId),
      index: execution,
    };
  }
  const standalone = plane ?? getControlPlane();
  return {
    plane: standalone,
    signal: new AbortController().signal,
    flowRun: undefined,
    warn: (message, runId) => {
      if (runId === undefined) return writeLog(undefined, LogLevel.WARNING, message);
      standalone.log([{
        flowRunId: runId,
        taskRunId: runId,
        level: LogLevel.WARNING,
        message,
        at: standalone.timer.now(),
        name: "ironflow",
      }]);
    },
    index: standalone,
  };
}

async function runTransaction<T>(
  txn: Transaction,
  store: TransactionStore | undefined,
  fn: (txn: Transaction) => T | Promise<T>,
  owner: TransactionOwner & { index: object },
): Promise<T> {
  const record = new TransactionRecord(owner, txn.key, store === undefined);
  // Hook failures go to the flow run's log, or (outside a flow) to the transaction run's.
  const warn = (message: string) =>
    owner.flowRun ? owner.warn(message) : owner.warn(message, record.runId);
  const index = transactionIndex(owner.index);
  let committed = await record.open(txn.isolation, index);
  if (!committed && store && txn.key !== undefined) {
    const found = await store.read(txn.key);
    if (found !== undefined) {
      committed = found as unknown as CommittedRecord;
      await record.skipped(committed);
    }
  }
  if (committed) {
    // Already committed under this key: the block is skipped, its record restored.
    txn._restore(committed.values ?? {});
    return committed.result as T;
  }
  let value: T;
  try {
    value = await storage.run(txn, () => fn(txn));
    await txn._settle();
  } catch (thrown) {
    const error = asError(thrown);
    const rolledBack = await txn._rollback(error, warn);
    await record.rolledBack(error, rolledBack);
    throw thrown;
  }
  const done: CommittedRecord = { result: value, values: txn._values() };
  if (txn.parent) {
    // A nested transaction commits with the outermost one.
    txn.parent._adopt(txn, record, done);
    return value;
  }
  const members = await txn._commit(warn);
  await record.committed(done, members);
  if (store && txn.key !== undefined) await store.write(txn.key, done as unknown as Json);
  return value;
}

const indexes = new WeakMap<object, number>();

// Unkeyed transactions are numbered per flow run attempt (or control plane), for their run names.
function transactionIndex(execution: object): number {
  const next = indexes.get(execution) ?? 0;
  indexes.set(execution, next + 1);
  return next;
}
