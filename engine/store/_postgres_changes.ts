/**
 * What other servers changed since this one's last write, told at the start
 * of each write transaction in the round trip that takes the writers' turn:
 * the runs of the events committed since (from the log), and the documents
 * put or deleted since (from `document_changes`, which every write of a
 * document appends to). A cache then forgets only those. A purge, import or
 * rebuild elsewhere, or a gap longer than the change log keeps, makes
 * everything suspect.
 *
 * @module
 */
import type { PostgresConnection } from "./_postgres_connection.ts";

/** Takes the writers' turn (held to commit) and counts the write. */
export const OPEN_WRITE_SQL =
  "UPDATE store_state SET writes = writes + 1 WHERE id = 1 RETURNING writes, resets";
/** Takes the turn for a purge, import or rebuild: other servers' caches start over. */
export const RESET_WRITE_SQL =
  "UPDATE store_state SET writes = writes + 1, resets = resets + 1 WHERE id = 1";
const LAST_IDS_SQL = `SELECT (SELECT COALESCE(MAX(seq), 0) FROM events) AS seq,
  (SELECT COALESCE(MAX(id), 0) FROM logs) AS log`;
const CHANGED_RUNS_SQL = "SELECT DISTINCT run_id FROM events WHERE seq > $1";
const CHANGED_DOCUMENTS_SQL = "SELECT collection, key FROM document_changes WHERE writes > $1";
/** Records the documents a write changed: `[collection, key]` rows. */
export const RECORD_DOCUMENT_CHANGES_JSON = `INSERT INTO document_changes (writes, collection, key)
  SELECT $1, r->>0, r->>1 FROM jsonb_array_elements($2::jsonb) AS r`;
/** A write outside a transaction: counted, and its document recorded as changed. */
export const WRITE_ALONE_SQL = `WITH turn AS (
    UPDATE store_state SET writes = writes + 1 WHERE id = 1 RETURNING writes
  ) INSERT INTO document_changes (writes, collection, key) SELECT writes, $1, $2 FROM turn`;
const TRIM_CHANGES_SQL = "DELETE FROM document_changes WHERE writes < $1";

/** Writes whose changes the log keeps; a server further behind forgets everything. */
const KEPT_WRITES = 10_000;
/** How often (in writes) the change log is trimmed. */
const TRIM_EVERY = 1_000;

/** What a write transaction learns when it opens. */
export interface Opened {
  /** The writers' counter of this transaction. */
  writes: number;
  nextSeq: number;
  nextLogId: number;
  /** Whether another server wrote since this one's last write. */
  external: boolean;
  /** The runs and documents (`collection\u0000key`) it changed; undefined: anything may have. */
  runs: ReadonlySet<string> | undefined;
  documents: ReadonlySet<string> | undefined;
}

/** This server's place in the writers' history. */
export class ChangeTracker {
  #lastWrites = -1;
  #lastResets = -1;
  #lastSeq = 0;

  /** Opens a write transaction's turn and reads what changed since ours (one round trip). */
  open(conn: PostgresConnection): Opened {
    const known = this.#lastWrites >= 0;
    const [turn, ids, runs, documents] = conn.queryEach([
      { text: OPEN_WRITE_SQL, params: [] },
      { text: LAST_IDS_SQL, params: [] },
      ...(known
        ? [
          { text: CHANGED_RUNS_SQL, params: [this.#lastSeq] },
          { text: CHANGED_DOCUMENTS_SQL, params: [this.#lastWrites] },
        ]
        : []),
    ]);
    const { writes, resets } = turn![0] as { writes: number; resets: number };
    const last = ids![0] as { seq: number; log: number };
    const external = writes !== this.#lastWrites + 1;
    const whole = known && resets === this.#lastResets &&
      writes - this.#lastWrites < KEPT_WRITES / 2;
    this.#lastWrites = writes;
    this.#lastResets = resets;
    if (writes % TRIM_EVERY === 0) conn.queue(TRIM_CHANGES_SQL, [writes - KEPT_WRITES]);
    return {
      writes,
      nextSeq: last.seq + 1,
      nextLogId: last.log + 1,
      external,
      runs: whole ? new Set((runs as { run_id: string }[]).map((row) => row.run_id)) : undefined,
      documents: whole
        ? new Set(
          (documents as { collection: string; key: string }[]).map((row) =>
            `${row.collection}\u0000${row.key}`
          ),
        )
        : undefined,
    };
  }

  /** The transaction committed; `lastSeq` is the last event this server knows of. */
  committed(lastSeq: number): void {
    this.#lastSeq = lastSeq;
  }

  /** Something this server did made its view uncertain: the next write starts over. */
  forget(): void {
    this.#lastWrites = -1;
  }
}
