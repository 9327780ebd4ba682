/**
 * A WHERE clause built from optional filters, with its parameters in the
 * order SQLite binds them.
 *
 * @module
 */
import type { SQLInputValue } from "node:sqlite";

/** Clauses joined by AND, and the values of their `?`s. */
export class SqlWhere {
  readonly clauses: string[] = [];
  readonly params: SQLInputValue[] = [];

  /** Adds `clause` with the values of its `?`s. */
  add(clause: string, ...values: SQLInputValue[]): this {
    this.clauses.push(clause);
    this.params.push(...values);
    return this;
  }

  /** Adds `clause` with `value` unless the filter is absent (`value` undefined). */
  addIf(clause: string, value: SQLInputValue | undefined): this {
    return value === undefined ? this : this.add(clause, value);
  }

  /** `WHERE a AND b`, or nothing without clauses. */
  sql(): string {
    return whereSql(this.clauses);
  }
}

/** `WHERE a AND b`, or nothing without clauses. */
export function whereSql(clauses: readonly string[]): string {
  return clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
}

/** `text` with LIKE's wildcards and its escape character escaped by `\`. */
export function escapeLike(text: string): string {
  return text.replaceAll(/[\\%_]/g, (c) => `\\${c}`);
}
