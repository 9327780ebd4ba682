/**
 * A result store in the PostgreSQL database (its `results` table): large
 * and binary results by content address, reachable from every server that
 * shares the database. The SQLite store keeps them in files beside it
 * instead (`createFileResultStore`).
 *
 * @module
 */
import type postgres from "postgres";
import { detached } from "../engine/detached.ts";
import { resultRef, type ResultStore } from "./results.ts";

// Same content stored again: only the time it was last used moves, which
// keeps the retention sweep from collecting a result a new run references.
const PUT_SQL = `INSERT INTO results (ref, bytes, modified_at) VALUES ($1, $2, $3)
  ON CONFLICT (ref) DO UPDATE SET modified_at = excluded.modified_at`;
const GET_SQL = "SELECT bytes FROM results WHERE ref = $1";
const LIST_SQL = `SELECT ref, modified_at FROM results WHERE ref > $1 ORDER BY ref LIMIT 1000`;
const DELETE_SQL = "DELETE FROM results WHERE ref = $1 AND modified_at < $2";

/** A {@linkcode ResultStore} with a `close()` for its connections. */
export interface PostgresResultStore extends ResultStore {
  /** Closes the store's connections. */
  close(): Promise<void>;
}

/**
 * The result store of the PostgreSQL database at `url` (migrated by the
 * store: `createPostgresStore` first). `now` dates writes.
 */
export function createPostgresResultStore(
  url: string,
  now: () => number = Date.now,
): PostgresResultStore {
  // The driver loads on first use: a flow module that imports the SDK
  // without IronFlow's import map (or a bundle) never needs it. It loads and
  // connects outside the task run that first needs it: the connections serve
  // every run after it, and must not carry that run's context (see detached()).
  let client: Promise<postgres.Sql> | undefined;
  const connect = () =>
    client ??= detached(() =>
      import("npm:postgres@^3.4.9").then(({ default: open }) =>
        open(url, { max: 4, onnotice: () => {}, idle_timeout: 30 })
      )
    );
  const sql = {
    unsafe: async (text: string, params: postgres.ParameterOrJSON<never>[]) =>
      await (await connect()).unsafe(text, params),
  };
  return {
    async put(bytes) {
      const ref = await resultRef(bytes);
      await sql.unsafe(PUT_SQL, [ref, bytes as never, now()]);
      return ref;
    },
    async get(ref) {
      const [row] = await sql.unsafe(GET_SQL, [ref]);
      return row ? new Uint8Array(row.bytes as Uint8Array) : undefined;
    },
    files: {
      async *list() {
        for (let after = "";;) {
          const rows = await sql.unsafe(LIST_SQL, [after]);
          for (const row of rows) {
            yield { ref: row.ref as string, modifiedAt: Number(row.modified_at) };
          }
          if (rows.length < 1000) return;
          after = rows.at(-1)!.ref as string;
        }
      },
      async delete(ref, { unusedSince }) {
        const result = await sql.unsafe(DELETE_SQL, [ref, unusedSince]);
        return result.count > 0;
      },
    },
    close: async () => await (await client)?.end({ timeout: 5 }),
  };
}
