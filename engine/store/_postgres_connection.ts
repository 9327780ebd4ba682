/**
 * One PostgreSQL connection shared by the sides of the PostgreSQL store.
 * Statements that answer nothing the caller needs are queued and sent with
 * the next statement that does (or the commit): a write transaction costs a
 * round trip at its start, one per read it makes, and one at its commit.
 *
 * @module
 */
import { type BridgeStatement, PostgresBridge } from "./_postgres_bridge.ts";

/** The connection of a PostgreSQL store and what every side does with it. */
export class PostgresConnection {
  readonly bridge: PostgresBridge;
  readonly #queued: BridgeStatement[] = [];
  #inTransaction = false;

  constructor(url: string, schema: string | null) {
    this.bridge = new PostgresBridge(url, schema);
  }

  /** Whether a transaction is open on the connection. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /** Queues a statement whose answer nobody reads; it runs before the next query. */
  queue(text: string, params: readonly unknown[] = []): void {
    this.#queued.push({ text, params });
  }

  /** Runs what is queued, then `text`; returns its rows. */
  query<T = Record<string, unknown>>(text: string, params: readonly unknown[] = []): T[] {
    return this.#send({ text, params }).rows as T[];
  }

  /** Runs what is queued, then `statements`; returns the rows of each. */
  queryEach(statements: readonly BridgeStatement[]): unknown[][] {
    const skipped = this.#queued.length;
    const all = [...this.#queued, ...statements];
    this.#queued.length = 0;
    const results = this.bridge.batch(all);
    return results.slice(skipped).map((result) => result.rows);
  }

  /** Runs what is queued, then `text`; returns how many rows it changed. */
  execute(text: string, params: readonly unknown[] = []): number {
    return this.#send({ text, params }).count;
  }

  /** Runs what is queued. */
  flush(): void {
    if (this.#queued.length > 0) this.#send(null);
  }

  /**
   * Runs `fn` in one transaction and commits; `begin` statements are sent
   * with the transaction's first round trip. When `fn` or the commit fails,
   * `discard` drops what the caller kept for it and the transaction is
   * rolled back.
   */
  transaction<T>(fn: () => T, discard?: () => void): T {
    this.#queued.length = 0;
    this.queue("BEGIN");
    this.#inTransaction = true;
    try {
      const result = fn();
      this.queue("COMMIT");
      this.flush();
      return result;
    } catch (error) {
      discard?.();
      this.#queued.length = 0;
      try {
        this.bridge.batch([{ text: "ROLLBACK", params: [] }]);
      } catch {
        // The connection is gone; the server rolled back for us.
      }
      throw error;
    } finally {
      this.#inTransaction = false;
    }
  }

  /** Closes the connection. */
  close(): void {
    this.bridge.close();
  }

  #send(last: BridgeStatement | null): { rows: unknown[]; count: number } {
    const statements = last ? [...this.#queued, last] : [...this.#queued];
    this.#queued.length = 0;
    const results = this.bridge.batch(statements);
    return results.at(-1) ?? { rows: [], count: 0 };
  }
}
