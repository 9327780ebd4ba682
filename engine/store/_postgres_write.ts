/**
 * The write side of the PostgreSQL store: the group-commit transaction
 * behind `write()`. A batch costs one round trip to open (lock the writer
 * row, read the log's last seq and log id), one per read the engine makes,
 * and one to commit: its events, runs, log lines and counts go as a few
 * multi-row statements pipelined with the COMMIT.
 *
 * @module
 */
import {
  checkImportedSeq,
  type EngineEvent,
  type LogRecord,
  type PendingEvent,
  type PurgeOptions,
  type PurgeResult,
  type RunKind,
  type RunRecord,
  type StateType,
  type StoreTx,
  type StoreWrites,
} from "../core/mod.ts";
import { ChangeTracker, type Opened, RESET_WRITE_SQL } from "./_postgres_changes.ts";
import { CountChanges } from "./_sqlite_counts.ts";
import type { PostgresConnection } from "./_postgres_connection.ts";
import type { PostgresDocuments, PostgresLimits } from "./_postgres_documents.ts";
import { PostgresPurge } from "./_postgres_purge.ts";
import type { PostgresQueries } from "./_postgres_queries.ts";
import {
  INSERT_EVENTS_JSON,
  INSERT_LOGS_JSON,
  insertRunsJson,
  queueCounts,
  queueRows,
  ROWS_PER_STATEMENT,
  updateRunsJson,
} from "./_postgres_rows_sql.ts";
import { eventToRow, logToRow, type Row, rowToEvent, runToRow } from "./_sqlite_rows.ts";
import { PG_RECOUNT_RUNS_SQL } from "./postgres_schema.ts";

const RUN_TOKENS_SQL = "SELECT token, version FROM events WHERE run_id = $1";
const RUN_STATE_SQL = {
  flow: "SELECT state FROM flow_runs WHERE id = $1",
  task: "SELECT state FROM task_runs WHERE id = $1",
};
const EXISTING_IDS_SQL = `SELECT id FROM flow_runs WHERE id = ANY($1::text[])
  UNION ALL SELECT id FROM task_runs WHERE id = ANY($1::text[])`;
const EVENTS_BY_RUN_SQL = "SELECT * FROM events ORDER BY run_id, seq LIMIT $1 OFFSET $2";

/** What the writer reads and writes beside runs and events. */
export interface PostgresWriterParts {
  conn: PostgresConnection;
  queries: PostgresQueries;
  documents: PostgresDocuments;
  limits: PostgresLimits;
}

/** Writes of the PostgreSQL store; the store checks that it is open before each. */
export class PostgresWriter implements StoreWrites {
  readonly #conn: PostgresConnection;
  readonly #queries: PostgresQueries;
  readonly #documents: PostgresDocuments;
  readonly #limits: PostgresLimits;
  readonly #purge: PostgresPurge;
  readonly #tracker = new ChangeTracker();
  /** What the open transaction learnt when it opened. */
  #opened: Opened | undefined;
  #externalChanges = false;
  #nextSeq = 0;
  #nextLogId = 0;
  /** What the open transaction wrote, sent at its commit (or before a read). */
  #events: unknown[][] = [];
  #logs: unknown[][] = [];
  readonly #inserted = new Map<string, RunRecord>();
  readonly #updated = new Map<string, RunRecord>();
  #changes = new CountChanges();

  constructor({ conn, queries, documents, limits }: PostgresWriterParts) {
    this.#conn = conn;
    this.#queries = queries;
    this.#documents = documents;
    this.#limits = limits;
    this.#purge = new PostgresPurge(conn);
  }

  /** Runs `fn` in one transaction: the engine's group commit. */
  write<T>(fn: (tx: StoreTx) => T): T {
    let committed = false;
    try {
      const result = this.#conn.transaction(() => {
        this.#open();
        const result = fn(this.#transaction());
        this.flushPending();
        return result;
      }, () => this.#discard());
      committed = true;
      this.#tracker.committed(this.#nextSeq - 1);
      return result;
    } finally {
      this.#documents.closed(committed);
      this.#opened = undefined;
    }
  }

  /**
   * Queues what the open transaction wrote as multi-row statements. Reads
   * call it first, so a read inside an open write transaction sees it.
   */
  flushPending(): void {
    if (!this.#conn.inTransaction) return;
    queueRows(this.#conn, INSERT_EVENTS_JSON, this.#events);
    this.#events = [];
    for (const kind of ["flow", "task"] as const) {
      const table = kind === "flow" ? "flow_runs" : "task_runs";
      const inserts = [...this.#inserted.values()].filter((run) => run.kind === kind);
      queueRows(this.#conn, insertRunsJson(table), inserts.map(runToRow));
      const updates = [...this.#updated.values()].filter((run) => run.kind === kind);
      queueRows(this.#conn, updateRunsJson(table), updates.map(runUpdateRow));
    }
    this.#inserted.clear();
    this.#updated.clear();
    queueRows(this.#conn, INSERT_LOGS_JSON, this.#logs);
    this.#logs = [];
    queueCounts(this.#conn, this.#changes);
    this.#changes = new CountChanges();
    this.#documents.flushPuts(this.#opened?.writes);
  }

  /** Deletes the trees of `rootIds` that may go, in one transaction (see `Store.purgeRuns`). */
  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    return this.#conn.transaction(() => {
      this.#conn.queue(RESET_WRITE_SQL);
      this.#documents.forget();
      const result = this.#purge.purgeRuns(rootIds, options, this.#documents);
      this.#documents.flushPuts();
      // Engines that cache runs drop them at their next batch.
      this.#tracker.forget();
      return result;
    }, () => this.#documents.closed(false));
  }

  /** Appends already-sequenced events verbatim, in one transaction. */
  importEvents(events: Iterable<EngineEvent>): void {
    this.#conn.transaction(() => {
      this.#conn.queue(RESET_WRITE_SQL);
      let last = this.#queries.lastSeq();
      let rows: unknown[][] = [];
      for (const event of events) {
        checkImportedSeq(event.seq, last);
        rows.push(eventToRow(event, event.seq));
        last = event.seq;
        if (rows.length === ROWS_PER_STATEMENT) {
          this.#conn.execute(INSERT_EVENTS_JSON, [rows]);
          rows = [];
        }
      }
      queueRows(this.#conn, INSERT_EVENTS_JSON, rows);
      this.#tracker.forget();
    });
  }

  /** Deletes every run and inserts them again from `apply` over the log, in one transaction. */
  rebuildProjections(apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord): void {
    this.#conn.transaction(() => {
      this.#conn.queue(RESET_WRITE_SQL);
      this.#conn.queue("DELETE FROM flow_runs");
      this.#conn.queue("DELETE FROM task_runs");
      const runs: Record<RunKind, unknown[][]> = { flow: [], task: [] };
      const insert = (run: RunRecord | undefined) => {
        if (!run) return;
        runs[run.kind].push(runToRow(run));
        if (runs[run.kind].length === ROWS_PER_STATEMENT) this.#queueRuns(runs, run.kind);
      };
      let current: RunRecord | undefined;
      for (let offset = 0;; offset += ROWS_PER_STATEMENT) {
        const rows = this.#conn.query<Row>(EVENTS_BY_RUN_SQL, [ROWS_PER_STATEMENT, offset]);
        for (const row of rows) {
          const event = rowToEvent(row);
          if (current && current.id !== event.runId) {
            insert(current);
            current = undefined;
          }
          current = apply(current, event);
        }
        if (rows.length < ROWS_PER_STATEMENT) break;
      }
      insert(current);
      this.#queueRuns(runs, "flow");
      this.#queueRuns(runs, "task");
      for (const statement of PG_RECOUNT_RUNS_SQL.split(";")) {
        if (statement.trim()) this.#conn.queue(statement);
      }
      this.#tracker.forget();
    });
  }

  #queueRuns(runs: Record<RunKind, unknown[][]>, kind: RunKind): void {
    queueRows(this.#conn, insertRunsJson(kind === "flow" ? "flow_runs" : "task_runs"), runs[kind]);
    runs[kind] = [];
  }

  // Takes the writers' turn; what other servers changed since our last
  // write is told to the engine (it forgets those runs) and to the
  // documents' cache.
  #open(): void {
    const opened = this.#tracker.open(this.#conn);
    this.#opened = opened;
    if (opened.external) this.#externalChanges = true;
    this.#documents.opened(opened.external, opened.documents);
    this.#nextSeq = opened.nextSeq;
    this.#nextLogId = opened.nextLogId;
  }

  // What `fn` of write() may do.
  #transaction(): StoreTx {
    const documents = this.#documents;
    const limits = this.#limits;
    return {
      getDocument: (collection, key) => documents.getDocument(collection, key),
      listDocuments: (query) => documents.listDocuments(query),
      putDocument: (document) => documents.putDocument(document),
      deleteDocument: (collection, key) => documents.deleteDocument(collection, key),
      getConcurrencyLimit: (name) => limits.getConcurrencyLimit(name),
      putConcurrencyLimit: (limit) => limits.putConcurrencyLimit(limit),
      deleteConcurrencyLimit: (name) => limits.deleteConcurrencyLimit(name),
      externalChanges: () => {
        const changed = this.#externalChanges;
        this.#externalChanges = false;
        return changed;
      },
      externallyChangedRuns: () => this.#opened?.runs,
      getRun: (id) => this.#inserted.get(id) ?? this.#updated.get(id) ?? this.#queries.getRun(id),
      existingRunIds: (ids) => this.#existingRunIds(ids),
      runTokens: (id) => this.#tokensOf(id),
      appendEvent: (event) => this.#appendEvent(event),
      appendLog: (log) => this.#appendLog(log),
      insertRun: (run) => {
        if (this.#inserted.has(run.id)) throw new Error(`Run "${run.id}" already exists`);
        this.#inserted.set(run.id, run);
        this.#changes.created(run);
      },
      updateRun: (run, previous) => this.#updateRun(run, previous),
    };
  }

  #appendEvent(event: PendingEvent): number {
    const seq = this.#nextSeq++;
    this.#events.push(eventToRow(event, seq));
    return seq;
  }

  #appendLog(log: LogRecord): number {
    const id = this.#nextLogId++;
    this.#logs.push([id, ...logToRow(log)]);
    return id;
  }

  #tokensOf(runId: string): Map<string, number> {
    this.flushPending();
    const tokens = new Map<string, number>();
    const rows = this.#conn.query<{ token: string; version: number }>(RUN_TOKENS_SQL, [runId]);
    for (const row of rows) tokens.set(row.token, row.version);
    return tokens;
  }

  // A run created in this transaction is replaced in memory; any other is updated at commit.
  #updateRun(run: RunRecord, previous: RunRecord | undefined): void {
    const pending = this.#inserted.get(run.id) ?? this.#updated.get(run.id);
    const before = previous?.state ?? pending?.state ?? this.#stateOf(run);
    if (before !== undefined && before !== run.state) this.#changes.moved(run, before);
    if (this.#inserted.has(run.id)) this.#inserted.set(run.id, run);
    else this.#updated.set(run.id, run);
  }

  #stateOf(run: RunRecord): StateType | undefined {
    return this.#conn.query<{ state: StateType }>(RUN_STATE_SQL[run.kind], [run.id])[0]?.state;
  }

  #existingRunIds(ids: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const id of ids) if (this.#inserted.has(id)) found.add(id);
    if (ids.length === 0) return found;
    for (const row of this.#conn.query<{ id: string }>(EXISTING_IDS_SQL, [ids])) found.add(row.id);
    return found;
  }

  // The transaction failed: nothing it kept is written, and the next write
  // reads the ids again.
  #discard(): void {
    this.#events = [];
    this.#logs = [];
    this.#inserted.clear();
    this.#updated.clear();
    this.#changes = new CountChanges();
    this.#tracker.forget();
  }
}

// The fields an update changes, after the id (see updateRunsJson).
function runUpdateRow(run: RunRecord): unknown[] {
  return [
    run.id,
    run.state,
    run.stateName,
    run.version,
    run.updatedAt,
    run.startTime,
    run.endTime,
    run.runCount,
    run.totalRunTimeMs,
    run.message,
    run.expectedStartTime,
  ];
}
