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
  // One full chunk of values, allocated once and refilled: pushing into an
  // array emptied after every chunk would grow a new backing store each time.
  readonly #values: SQLInputValue[];
  #used = 0;

  /** `head` is `INSERT INTO table (a, b, c)`; rows then carry one value per column. */
  constructor(db: DatabaseSync, head: string, width: number) {
    this.#db = db;
    this.#head = head;
    this.#width = width;
    this.#row = `(${new Array(width).fill("?").join(", ")})`;
    this.#values = new Array<SQLInputValue>(FULL_CHUNK * width).fill(null);
  }

  /** Rows waiting to be written. */
  get size(): number {
    return this.#used / this.#width;
  }

  /** Queues one row (its values in column order); writes a full chunk when one is ready. */
  add(row: readonly SQLInputValue[]): void {
    if (row.length !== this.#width) {
      throw new RangeError(`A row needs ${this.#width} values, got ${row.length}`);
    }
    const values = this.#values;
    let used = this.#used;
    for (let i = 0; i < row.length; i++) values[used++] = row[i]!;
    if (used === values.length) {
      this.#statement(FULL_CHUNK).run(...values);
      used = 0;
    }
    this.#used = used;
  }

  /** Writes every queued row. */
  flush(): void {
    const values = this.#values;
    const used = this.#used;
    if (used === 0) return;
    let offset = 0;
    for (const rows of CHUNKS) {
      const size = rows * this.#width;
      while (used - offset >= size) {
        this.#statement(rows).run(...values.slice(offset, offset + size));
        offset += size;
      }
    }
    this.clear();
  }

  /** Drops queued rows (the transaction rolled back). */
  clear(): void {
    // Let go of the values (strings of whole events) until the next rows come.
    this.#values.fill(null);
    this.#used = 0;
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
