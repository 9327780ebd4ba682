/**
 * Rows for one table collected during a write transaction and inserted many
 * per statement: each `run()` of `node:sqlite` costs a native call and a
 * statement step, so 64 rows in one call cost much less than 64 calls.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";

/** Rows per statement while the batch fills; the rest go in chunks of 16, 4 and 1. */
const FULL_CHUNK = 64;
const CHUNKS = [16, 4, 1] as const;

/** Collects rows of `INSERT INTO table (columns)` and writes them in multi-row statements. */
export class RowBatch {
  readonly #db: DatabaseSync;
  readonly #head: string;
  readonly #row: string;
  readonly #width: number;
  readonly #statements = new Map<number, StatementSync>();
  #values: SQLInputValue[] = [];

  /** `head` is `INSERT INTO table (a, b, c)`; rows then carry one value per column. */
  constructor(db: DatabaseSync, head: string, width: number) {
    this.#db = db;
    this.#head = head;
    this.#width = width;
    this.#row = `(${new Array(width).fill("?").join(", ")})`;
  }

  /** Rows waiting to be written. */
  get size(): number {
    return this.#values.length / this.#width;
  }

  /** Queues one row (its values in column order); writes a full chunk when one is ready. */
  add(row: readonly SQLInputValue[]): void {
    if (row.length !== this.#width) {
      throw new RangeError(`A row needs ${this.#width} values, got ${row.length}`);
    }
    const values = this.#values;
    for (let i = 0; i < row.length; i++) values.push(row[i]!);
    if (values.length === FULL_CHUNK * this.#width) {
      this.#statement(FULL_CHUNK).run(...values);
      values.length = 0;
    }
  }

  /** Writes every queued row. */
  flush(): void {
    const values = this.#values;
    if (values.length === 0) return;
    let offset = 0;
    for (const rows of CHUNKS) {
      const size = rows * this.#width;
      while (values.length - offset >= size) {
        this.#statement(rows).run(...values.slice(offset, offset + size));
        offset += size;
      }
    }
    values.length = 0;
  }

  /** Drops queued rows (the transaction rolled back). */
  clear(): void {
    this.#values.length = 0;
  }

  #statement(rows: number): StatementSync {
    let statement = this.#statements.get(rows);
    if (!statement) {
      statement = this.#db.prepare(
        `${this.#head} VALUES ${new Array(rows).fill(this.#row).join(", ")}`,
      );
      this.#statements.set(rows, statement);
    }
    return statement;
  }
}
