/**
 * What tasks and the task engine see of a transaction: the hooks a task
 * registers (`onCommit` / `onRollback`), the values they read, and the two
 * reports a task run makes to the transaction it runs in. The transaction
 * itself (`transaction.ts`) implements these; options and run contexts name
 * only this module, so they do not depend on the transaction machinery.
 *
 * @module
 */
import type { TaskFuture } from "./future.ts";

/** Isolation of a keyed transaction. */
export type IsolationLevel = "READ_COMMITTED" | "SERIALIZABLE";

/** The values of an open transaction, shared by its block, its tasks and their hooks. */
export interface TransactionValues {
  readonly key: string | undefined;
  readonly isolation: IsolationLevel;
  /** Stores a value for the block and its tasks; recorded with the commit. */
  set(name: string, value: unknown): void;
  /** A value set here or in an enclosing transaction; `fallback` when none. */
  get<T = unknown>(name: string, fallback?: T): T;
}

/** What a task's `onCommit` / `onRollback` hook receives. */
export interface TransactionHookContext {
  readonly transaction: TransactionValues;
  readonly taskName: string;
  readonly taskRunId: string;
  /** The task run's result. */
  readonly result: unknown;
}

/** A task's transaction hook. */
export type TransactionHook = (context: TransactionHookContext) => void | Promise<void>;

/** A task run that completed inside a transaction, with the hooks it registered. */
export interface TransactionMember {
  taskName: string;
  taskRunId: string;
  result: unknown;
  onCommit: readonly TransactionHook[];
  onRollback: readonly TransactionHook[];
}

/** What a task run reports to the transaction it was called in. */
export interface TransactionMembership extends TransactionValues {
  /** @internal A task run submitted inside: the commit waits for it. */
  _track(future: TaskFuture<unknown>): void;
  /** @internal A task run completed inside. */
  _completed(member: TransactionMember): void;
}

/** A task's `onCommit`/`onRollback` option as a list. */
export function hookList(
  hooks: TransactionHook | readonly TransactionHook[] | undefined,
): readonly TransactionHook[] {
  return hooks === undefined ? [] : typeof hooks === "function" ? [hooks] : hooks;
}
