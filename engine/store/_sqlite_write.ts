/**
 * The write side of the SQLite store: the group-commit transaction behind
 * `write()`, the event log's sequence, run inserts and updates with the
 * counts kept beside them, imports, projection rebuilds and purges
 * (`_sqlite_purge.ts`).
 *
 * @module
 */
import type { StatementSync } from "node:sqlite";
import {
  checkImportedSeq,
  type EngineEvent,
  type PendingEvent,
  type PurgeOptions,
  type PurgeResult,
  type RunKind,
  type RunRecord,
  type StateType,
  type StoreTx,
  type StoreWrites,
} from "../core/mod.ts";
import { RowBatch } from "./_row_batch.ts";
import type { SqliteConnection } from "./_sqlite_connection.ts";
import {
  CountChanges,
  foldedTaskSeq,
  foldTaskCounts,
  markTaskCountsFolded,
  TASK_COUNT_FOLD_EVENTS,
} from "./_sqlite_counts.ts";
import type { SqliteDocuments, SqliteLimits } from "./_sqlite_documents.ts";
import { SqlitePurge } from "./_sqlite_purge.ts";
import type { SqliteQueries } from "./_sqlite_queries.ts";
import { eventToRow, logToRow, type Row, rowToEvent, runToRow } from "./_sqlite_rows.ts";
import {
  EVENT_COLUMN_COUNT,
  INDEXED_UPDATE_COLUMNS,
  INSERT_EVENT_HEAD,
  INSERT_EVENT_SQL,
  RECOUNT_RUNS_SQL,
  RUN_COLUMN_NAMES,
  runSql,
  runUpdateSql,
} from "./sqlite_schema.ts";

const RUN_TOKENS_SQL = "SELECT token, version FROM events WHERE run_id = ?";
const INSERT_LOG_SQL =
  "INSERT INTO logs (flow_run_id, task_run_id, level, name, message, at) VALUES (?, ?, ?, ?, ?, ?)";
const DATA_VERSION_SQL = "PRAGMA data_version";
// Events of one run are contiguous in this order, so a rebuild holds one record at a time.
const EVENTS_BY_RUN_SQL = "SELECT * FROM events ORDER BY run_id, seq";
const DELETE_RUNS_SQL = "DELETE FROM flow_runs; DELETE FROM task_runs;";

/** Ids per existence query (each id is bound twice, once per run table). */
const EXISTING_IDS_CHUNK = 500;

function existingRunIdsSql(count: number): string {
  const list = new Array(count).fill("?").join(", ");
  return `SELECT id FROM flow_runs WHERE id IN (${list})
    UNION ALL SELECT id FROM task_runs WHERE id IN (${list})`;
}

/** The statements of one run table on the write path. */
interface RunTable {
  name: "flow_runs" | "task_runs";
  inserts: RowBatch;
  /** UPDATE statements by the bit mask of INDEXED_UPDATE_COLUMNS they set (see runUpdateSql). */
  updates: Map<number, StatementSync>;
  state: StatementSync;
}

/** Every indexed column: the update of a run whose previous record is not at hand. */
const ALL_INDEXED = (1 << INDEXED_UPDATE_COLUMNS.length) - 1;

// Which indexed columns of `run` differ from `previous`, as a bit mask.
function changedIndexedColumns(run: RunRecord, previous: RunRecord | undefined): number {
  if (previous === undefined) return ALL_INDEXED;
  return (run.state !== previous.state ? 1 : 0) |
    (run.startTime !== previous.startTime ? 2 : 0) |
    (run.endTime !== previous.endTime ? 4 : 0) |
    (run.expectedStartTime !== previous.expectedStartTime ? 8 : 0);
}

// The indexed values of `run` that `mask` names, in INDEXED_UPDATE_COLUMNS order.
function indexedValues(run: RunRecord, mask: number): (string | number | null)[] {
  const all = [run.state, run.startTime, run.endTime, run.expectedStartTime];
  return all.filter((_, bit) => (mask & (1 << bit)) !== 0);
}

/** What the writer reads and writes beside runs and events. */
export interface SqliteWriterParts {
  conn: SqliteConnection;
  queries: SqliteQueries;
  documents: SqliteDocuments;
  limits: SqliteLimits;
}

/** Writes of the SQLite store; the store checks that it is open before each. */
export class SqliteWriter implements StoreWrites {
  readonly #conn: SqliteConnection;
  readonly #queries: SqliteQueries;
  readonly #documents: SqliteDocuments;
  readonly #limits: SqliteLimits;
  readonly #purge: SqlitePurge;
  readonly #insertEvent: StatementSync;
  readonly #runTokens: StatementSync;
  readonly #insertLog: StatementSync;
  readonly #dataVersion: StatementSync;
  readonly #runs: Record<RunKind, RunTable>;
  /** Events appended by the open write transaction, written many rows per statement. */
  readonly #events: RowBatch;
  /** The `seq` the next appended event gets; 0 until read again from the log. */
  #nextSeq = 0;
  #lastDataVersion = -1;
  /**
   * The folded seq as last read or written here: a lower bound, as the mark
   * only grows, so a write reads the mark again only when a fold looks due.
   */
  #foldedSeqAtLeast = 0;
  /** Whether another connection committed since `externalChanges()` last answered. */
  #externalChanges = false;
  /**
   * Runs inserted by the open write transaction, written when it ends: a run
   * created and moved on in the same batch (a task run proposing RUNNING with
   * its creation) costs one row insert, not an insert and an update.
   */
  readonly #pendingRuns = new Map<string, RunRecord>();

  constructor({ conn, queries, documents, limits }: SqliteWriterParts) {
    this.#conn = conn;
    this.#queries = queries;
    this.#documents = documents;
    this.#limits = limits;
    this.#purge = new SqlitePurge(conn, documents);
    const db = conn.db;
    this.#insertEvent = db.prepare(INSERT_EVENT_SQL);
    this.#runTokens = db.prepare(RUN_TOKENS_SQL);
    this.#insertLog = db.prepare(INSERT_LOG_SQL);
    this.#dataVersion = db.prepare(DATA_VERSION_SQL);
    const runTable = (table: "flow_runs" | "task_runs"): RunTable => {
      const sql = runSql(table);
      return {
        name: table,
        inserts: new RowBatch(db, sql.insertHead, RUN_COLUMN_NAMES.length),
        updates: new Map(),
        state: db.prepare(sql.state),
      };
    };
    this.#runs = { flow: runTable("flow_runs"), task: runTable("task_runs") };
    this.#events = new RowBatch(db, INSERT_EVENT_HEAD, EVENT_COLUMN_COUNT);
  }

  /** Runs `fn` in one transaction: the engine's group commit. */
  write<T>(fn: (tx: StoreTx) => T): T {
    return this.#conn.transaction(() => {
      this.#noticeExternalCommits();
      const changes = new CountChanges({ taskRunsFromLog: true });
      const result = fn(this.#transaction(changes));
      this.flushPending();
      changes.apply(this.#conn);
      this.#foldTaskCountsWhenDue();
      // Our own commit does not change data_version for this connection.
      return result;
    }, () => this.#discard());
  }

  /**
   * Writes what the open transaction queued: its events, then the runs it
   * created (see #pendingRuns). Reads call it first, so a read inside an
   * open write transaction sees what that transaction wrote.
   */
  flushPending(): void {
    this.#events.flush();
    if (this.#pendingRuns.size === 0) return;
    for (const run of this.#pendingRuns.values()) this.#runs[run.kind].inserts.add(runToRow(run));
    this.#pendingRuns.clear();
    this.#runs.flow.inserts.flush();
    this.#runs.task.inserts.flush();
  }

  /** Deletes the trees of `rootIds` that may go, in one transaction (see `Store.purgeRuns`). */
  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    const result = this.#purge.purgeRuns(rootIds, options);
    // Readers that cache runs (the engine) ask externalChanges() before each
    // batch: answering true once makes them drop what they hold of purged runs.
    if (result.purged.length > 0) this.#lastDataVersion = -1;
    return result;
  }

  /**
   * Appends already-sequenced events verbatim, in one transaction. They make
   * no runs until the projections are rebuilt, so they are not counted.
   */
  importEvents(events: Iterable<EngineEvent>): void {
    // The log grows here without write(): its next seq is read again.
    this.#nextSeq = 0;
    this.#conn.transaction(() => {
      let last = this.#queries.lastSeq();
      foldTaskCounts(this.#conn, last);
      for (const event of events) {
        checkImportedSeq(event.seq, last);
        this.#insertEvent.run(...eventToRow(event, event.seq));
        last = event.seq;
      }
      markTaskCountsFolded(this.#conn, last);
    });
  }

  /** Deletes every run and inserts them again from `apply` over the log, in one transaction. */
  rebuildProjections(apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord): void {
    this.#conn.transaction(() => {
      this.#conn.db.exec(DELETE_RUNS_SQL);
      const rows = this.#conn.db.prepare(EVENTS_BY_RUN_SQL).iterate() as Iterable<Row>;
      let current: RunRecord | undefined;
      const insert = () => {
        if (current) this.#runs[current.kind].inserts.add(runToRow(current));
      };
      for (const row of rows) {
        const event = rowToEvent(row);
        if (current && current.id !== event.runId) {
          insert();
          current = undefined;
        }
        current = apply(current, event);
      }
      insert();
      this.#runs.flow.inserts.flush();
      this.#runs.task.inserts.flush();
      this.#conn.db.exec(RECOUNT_RUNS_SQL);
    }, () => this.#clearRunInserts());
  }

  // Folds the task-run moves into run_counts once enough events wait, so
  // reading the counts never adds up more than that many events.
  #foldTaskCountsWhenDue(): void {
    const lastSeq = this.#nextSeq - 1;
    if (lastSeq - this.#foldedSeqAtLeast < TASK_COUNT_FOLD_EVENTS) return;
    this.#foldedSeqAtLeast = foldedTaskSeq(this.#conn);
    if (lastSeq - this.#foldedSeqAtLeast < TASK_COUNT_FOLD_EVENTS) return;
    foldTaskCounts(this.#conn, lastSeq);
    this.#foldedSeqAtLeast = lastSeq;
  }

  // Another connection committed since our last transaction: readers that
  // cache (the engine) are told once, and the next seq is read again. Events
  // get their seq in order as they are appended, and are written at the end
  // of the transaction (or before a read).
  #noticeExternalCommits(): void {
    const version = (this.#dataVersion.get() as { data_version: number }).data_version;
    if (version !== this.#lastDataVersion) {
      this.#lastDataVersion = version;
      this.#externalChanges = true;
      this.#nextSeq = 0;
    }
    if (this.#nextSeq === 0) this.#nextSeq = this.#queries.lastSeq() + 1;
  }

  // What `fn` of write() may do; run counts change in `changes`, written at the end.
  #transaction(changes: CountChanges): StoreTx {
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
      getRun: (id) => this.#pendingRuns.get(id) ?? this.#queries.getRun(id),
      existingRunIds: (ids) => this.#existingRunIds(ids),
      runTokens: (id) => this.#tokensOf(id),
      appendEvent: (event) => this.#appendEvent(event),
      appendLog: (log) => Number(this.#insertLog.run(...logToRow(log)).lastInsertRowid),
      insertRun: (run) => {
        if (this.#pendingRuns.has(run.id)) throw new Error(`Run "${run.id}" already exists`);
        this.#pendingRuns.set(run.id, run);
        changes.created(run);
      },
      updateRun: (run, previous) => this.#updateRun(changes, run, previous),
    };
  }

  #appendEvent(event: PendingEvent): number {
    const seq = this.#nextSeq++;
    this.#events.add(eventToRow(event, seq));
    return seq;
  }

  #tokensOf(runId: string): Map<string, number> {
    this.#events.flush();
    const tokens = new Map<string, number>();
    const rows = this.#runTokens.iterate(runId) as Iterable<{ token: string; version: number }>;
    for (const row of rows) tokens.set(row.token, row.version);
    return tokens;
  }

  // A run created in this transaction is replaced in memory; any other is updated in place.
  #updateRun(changes: CountChanges, run: RunRecord, previous: RunRecord | undefined): void {
    const table = this.#runs[run.kind];
    const pending = this.#pendingRuns.get(run.id);
    const before = previous?.state ?? pending?.state ??
      (table.state.get(run.id) as { state: StateType } | undefined)?.state;
    if (before !== undefined && before !== run.state) changes.moved(run, before);
    if (pending !== undefined) {
      this.#pendingRuns.set(run.id, run);
      return;
    }
    const mask = changedIndexedColumns(run, previous);
    let update = table.updates.get(mask);
    if (update === undefined) {
      const columns = INDEXED_UPDATE_COLUMNS.filter((_, bit) => (mask & (1 << bit)) !== 0);
      update = this.#conn.db.prepare(runUpdateSql(table.name, columns));
      table.updates.set(mask, update);
    }
    update.run(
      run.stateName,
      run.version,
      run.updatedAt,
      run.runCount,
      run.totalRunTimeMs,
      run.message,
      ...indexedValues(run, mask),
      run.id,
    );
  }

  // Ids among `ids` that name a run: a few IN (...) lookups instead of two per id.
  #existingRunIds(ids: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const id of ids) if (this.#pendingRuns.has(id)) found.add(id);
    for (let start = 0; start < ids.length; start += EXISTING_IDS_CHUNK) {
      const chunk = ids.slice(start, start + EXISTING_IDS_CHUNK);
      const sql = existingRunIdsSql(chunk.length);
      for (const row of this.#conn.statement(sql).all(...chunk, ...chunk) as { id: string }[]) {
        found.add(row.id);
      }
    }
    return found;
  }

  // The transaction failed (or its commit did): nothing it queued is kept,
  // and the next write reads the log's last seq again.
  #discard(): void {
    // A fold of this transaction is gone too.
    this.#foldedSeqAtLeast = 0;
    this.#pendingRuns.clear();
    this.#events.clear();
    this.#nextSeq = 0;
    this.#clearRunInserts();
  }

  #clearRunInserts(): void {
    this.#runs.flow.inserts.clear();
    this.#runs.task.inserts.clear();
  }
}
