/**
 * The durable store: `node:sqlite` (built into Deno and its compiled
 * binaries), WAL, one transaction per engine batch.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  ACTIVITY_BUCKET_MS,
  type ActivityBucket,
  type ActivityQuery,
  checkActivityQuery,
  checkImportedSeq,
  type ConcurrencyLimit,
  decodeCursor,
  type DocumentQuery,
  emptyPurgeResult,
  encodeCursor,
  type EngineEvent,
  type EventQuery,
  type FlowStat,
  type Json,
  type LogQuery,
  type LogRecord,
  type Page,
  type PendingEvent,
  type PurgeKeptReason,
  type PurgeOptions,
  type PurgeResult,
  queryShape,
  type RunKind,
  type RunQuery,
  type RunRecord,
  type RunSortKey,
  type StateType,
  StorageError,
  StorageErrorCode,
  storageErrorOf,
  type Store,
  type StoredDocument,
  type StoreSummary,
  type StoreTx,
  type TaskGraph,
  type TaskGraphEdge,
  type UpstreamEdge,
} from "../core/mod.ts";
import { RowBatch } from "./_row_batch.ts";
import {
  activitySql,
  ADD_BUCKET_SQL,
  ADD_FLOW_BUCKET_SQL,
  ADD_FLOW_COUNT_SQL,
  ADD_RUN_COUNT_SQL,
  DELETE_DOCUMENT_SQL,
  DELETE_LIMIT_SQL,
  EVENT_COLUMN_COUNT,
  FLOW_COUNTS_SQL,
  FLOW_LAST_RUN_SQL,
  FLOW_NAMES_SQL,
  GET_DOCUMENT_SQL,
  GET_LIMIT_SQL,
  INSERT_EVENT_HEAD,
  INSERT_EVENT_SQL,
  INSERT_LOG_SQL,
  LAST_SEQ_SQL,
  LIST_LIMITS_SQL,
  MIGRATIONS,
  PURGE_BUCKETS_SQL,
  PURGE_DOCUMENTS_BY_KEY_SQL,
  PURGE_DOCUMENTS_BY_REF_SQL,
  PURGE_EVENTS_SQL,
  PURGE_FLOW_COUNTS_SQL,
  PURGE_FLOW_RUNS_SQL,
  PURGE_LINEAGE_SQL,
  PURGE_LOGS_SQL,
  PURGE_MARK_TREE_SQL,
  PURGE_NEWEST_EVENT_SQL,
  PURGE_NEWEST_LOG_SQL,
  PURGE_ROOT_SQL,
  PURGE_RUN_COUNTS_SQL,
  PURGE_TABLE_SQL,
  PURGE_TASK_RUNS_SQL,
  PURGE_TREE_CHECK_SQL,
  PUT_DOCUMENT_SQL,
  PUT_LIMIT_SQL,
  RECOUNT_RUNS_SQL,
  RUN_COLUMN_NAMES,
  RUN_COUNTS_SQL,
  RUN_TOKENS_SQL,
  runSql,
  SCHEMA_VERSION,
  TASK_EDGES_SQL,
  TASK_GROUPS_SQL,
  TASK_NAME_SQL,
} from "./sqlite_schema.ts";

/** Options of {@linkcode createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Milliseconds a writer waits for another process's lock. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * SQLite's `synchronous` setting in WAL mode. `"normal"`: a commit is safe
   * from a crash of the process, but a power loss or OS crash may undo the
   * last commits (the database stays consistent). `"full"`: each commit is
   * flushed to the disk (fsync) before it returns, so it survives a power
   * loss too, at a cost per transaction.
   * @default "normal"
   */
  synchronous?: SqliteSynchronous;
  /**
   * Run `PRAGMA quick_check` when opening and refuse a damaged database with a
   * {@linkcode StorageError} (`storage_corrupt`) that says how to recover.
   * Costs a read of the whole file (about 1 s per GB).
   * @default false
   */
  integrityCheck?: boolean;
}

/** Values of {@linkcode SqliteStoreOptions.synchronous}. */
export type SqliteSynchronous = "normal" | "full";

/** Opens (and migrates) the SQLite store at `path` (`":memory:"` works too). */
export function createSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return new SqliteStore(path, options);
}

type Row = Record<string, SQLInputValue>;

// A write outside write(): SQLite's full-disk and I/O errors become StorageErrors.
function mapStorageErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw storageErrorOf(error) ?? error;
  }
}

type StateCounts = Partial<Record<StateType, number>>;

/** A change of one flow's activity bucket (hour and state) within a write transaction. */
interface BucketDelta {
  flowName: string;
  hour: number;
  state: StateType;
  n: number;
}

const SORT_COLUMNS: Readonly<Record<RunSortKey, string>> = {
  created: "created_at",
  updated: "updated_at",
  start: "IFNULL(start_time, 0)",
  end: "IFNULL(end_time, 0)",
  name: "run_name",
  expected: "IFNULL(expected_start_time, 0)",
};

// Flow and task runs in one listing; `run_kind` tells them apart.
const ALL_RUNS_SQL = `(SELECT *, 'flow' AS run_kind FROM flow_runs
  UNION ALL SELECT *, 'task' AS run_kind FROM task_runs)`;

class SqliteStore implements Store {
  readonly schemaVersion = SCHEMA_VERSION;
  readonly #db: DatabaseSync;
  readonly #insertEvent: StatementSync;
  readonly #runTokens: StatementSync;
  readonly #insertLog: StatementSync;
  readonly #dataVersion: StatementSync;
  readonly #runs: Record<
    RunKind,
    { inserts: RowBatch; update: StatementSync; get: StatementSync; state: StatementSync }
  >;
  /** Events appended by the open write transaction, written many rows per statement. */
  readonly #events: RowBatch;
  /** The `seq` the next appended event gets; 0 until read again from the log. */
  #nextSeq = 0;
  readonly #addCount: StatementSync;
  readonly #addFlowCount: StatementSync;
  readonly #addBucket: StatementSync;
  readonly #addFlowBucket: StatementSync;
  #lastDataVersion = -1;
  /** Whether another connection committed since `externalChanges()` last answered. */
  #externalChanges = false;
  /**
   * Runs inserted by the open write transaction, written when it ends: a run
   * created and moved on in the same batch (a task run proposing RUNNING with
   * its creation) costs one row insert, not an insert and an update.
   */
  readonly #pendingRuns = new Map<string, RunRecord>();
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions) {
    const synchronous = options.synchronous ?? "normal";
    if (synchronous !== "normal" && synchronous !== "full") {
      throw new RangeError(
        `Unknown SQLite synchronous setting "${synchronous}": use "normal" or "full"`,
      );
    }
    try {
      this.#db = new DatabaseSync(path);
    } catch (error) {
      throw storageErrorOf(error) ?? error;
    }
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      if (options.integrityCheck) this.#checkIntegrity(path);
      this.#db.exec("PRAGMA journal_mode = WAL");
    } catch (error) {
      this.#db.close();
      throw storageErrorOf(error) ?? error;
    }
    this.#db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
    this.#db.exec("PRAGMA foreign_keys = OFF");
    this.#db.exec("PRAGMA cache_size = -65536");
    this.#db.exec("PRAGMA wal_autocheckpoint = 8192");
    this.#migrate();
    this.#insertEvent = this.#db.prepare(INSERT_EVENT_SQL);
    this.#runTokens = this.#db.prepare(RUN_TOKENS_SQL);
    this.#insertLog = this.#db.prepare(INSERT_LOG_SQL);
    this.#dataVersion = this.#db.prepare("PRAGMA data_version");
    this.#addCount = this.#db.prepare(ADD_RUN_COUNT_SQL);
    this.#addFlowCount = this.#db.prepare(ADD_FLOW_COUNT_SQL);
    this.#addBucket = this.#db.prepare(ADD_BUCKET_SQL);
    this.#addFlowBucket = this.#db.prepare(ADD_FLOW_BUCKET_SQL);
    const prepare = (table: "flow_runs" | "task_runs") => {
      const sql = runSql(table);
      return {
        inserts: new RowBatch(this.#db, sql.insertHead, RUN_COLUMN_NAMES.length),
        update: this.#db.prepare(sql.update),
        get: this.#db.prepare(sql.get),
        state: this.#db.prepare(sql.state),
      };
    };
    this.#runs = { flow: prepare("flow_runs"), task: prepare("task_runs") };
    this.#events = new RowBatch(this.#db, INSERT_EVENT_HEAD, EVENT_COLUMN_COUNT);
  }

  // A damaged file must not take writes: they would spread the damage, and
  // reads may answer wrong data. quick_check verifies every page and index
  // structure without cross-checking index contents (integrity_check).
  #checkIntegrity(path: string): void {
    let problems: string[];
    try {
      problems = (this.#db.prepare("PRAGMA quick_check(5)").all() as { quick_check: string }[])
        .map((row) => row.quick_check);
    } catch (error) {
      problems = [(error as Error).message];
    }
    if (problems.length === 1 && problems[0] === "ok") return;
    // One line: the operator reads it in a terminal or a log.
    const found = problems.join("; ").replace(/\s*\n\s*/g, "; ").slice(0, 300);
    throw new StorageError(
      StorageErrorCode.CORRUPT,
      `Database "${path}" failed its integrity check (${found}). Stop every IronFlow ` +
        `process on it, save what is readable with "ironflow db export --skip-integrity-check ` +
        `--out events.jsonl" and restore a backup (docs/backup_restore.md); ` +
        `IRONFLOW_SKIP_INTEGRITY_CHECK=1 opens it anyway`,
    );
  }

  #migrate(): void {
    this.#begin();
    try {
      this.#db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
      const row = this.#db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as
        | { v: number | null }
        | undefined;
      const current = row?.v ?? 0;
      if (current > SCHEMA_VERSION) {
        throw new Error(
          `Database schema version ${current} is newer than this build supports (${SCHEMA_VERSION})`,
        );
      }
      for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
        this.#db.exec(MIGRATIONS[version - 1]!);
        this.#db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(version);
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#rollback();
      throw storageErrorOf(error) ?? error;
    }
  }

  write<T>(fn: (tx: StoreTx) => T): T {
    this.#assertOpen();
    this.#begin();
    // Another connection committed since our last transaction: readers that
    // cache (the engine) are told once, and the next seq is read again.
    const version = (this.#dataVersion.get() as { data_version: number }).data_version;
    if (version !== this.#lastDataVersion) {
      this.#lastDataVersion = version;
      this.#externalChanges = true;
      this.#nextSeq = 0;
    }
    // Events get their seq here, in order, and are written at the end (or before a read).
    if (this.#nextSeq === 0) this.#nextSeq = this.#lastSeq() + 1;
    // Changes of the run counts by state, applied once at the end of the batch.
    const counts = new Map<string, number>();
    const flows = new Map<string, number>();
    const count = (kind: RunKind, state: StateType, by: number) => {
      const key = `${kind}\u0000${state}`;
      counts.set(key, (counts.get(key) ?? 0) + by);
    };
    // Changes of the activity buckets, flow runs only (made on first use: most
    // batches move task runs alone), applied once at the end like the counts.
    let buckets: Map<string, BucketDelta> | undefined;
    const bucket = (run: RunRecord, state: StateType, by: number) => {
      const hour = run.createdAt - run.createdAt % ACTIVITY_BUCKET_MS;
      const key = `${hour}\u0000${state}\u0000${run.flowName}`;
      buckets ??= new Map();
      const delta = buckets.get(key);
      if (delta) delta.n += by;
      else buckets.set(key, { flowName: run.flowName, hour, state, n: by });
    };
    const tx: StoreTx = {
      getDocument: (collection, key) => this.#getDocument(collection, key),
      listDocuments: (query) => this.#listDocuments(query),
      putDocument: (document) => this.#putDocument(document),
      deleteDocument: (collection, key) => this.#deleteDocument(collection, key),
      getConcurrencyLimit: (name) => this.getConcurrencyLimit(name),
      putConcurrencyLimit: (limit) => this.putConcurrencyLimit(limit),
      deleteConcurrencyLimit: (name) => this.deleteConcurrencyLimit(name),
      externalChanges: () => {
        const changed = this.#externalChanges;
        this.#externalChanges = false;
        return changed;
      },
      getRun: (id) => this.#pendingRuns.get(id) ?? this.#getRun(id),
      existingRunIds: (ids) => this.#existingRunIds(ids),
      runTokens: (id) => {
        this.#events.flush();
        const tokens = new Map<string, number>();
        for (
          const row of this.#runTokens.iterate(id) as Iterable<{ token: string; version: number }>
        ) {
          tokens.set(row.token, row.version);
        }
        return tokens;
      },
      appendEvent: (event) => {
        const seq = this.#nextSeq++;
        this.#events.add(eventToRow(event, seq));
        return seq;
      },
      appendLog: (log) =>
        Number(
          this.#insertLog.run(
            log.flowRunId,
            log.taskRunId,
            log.level,
            log.name,
            log.message,
            log.at,
          )
            .lastInsertRowid,
        ),
      insertRun: (run) => {
        if (this.#pendingRuns.has(run.id)) throw new Error(`Run "${run.id}" already exists`);
        this.#pendingRuns.set(run.id, run);
        count(run.kind, run.state, 1);
        if (run.kind === "flow") {
          flows.set(run.flowName, (flows.get(run.flowName) ?? 0) + 1);
          bucket(run, run.state, 1);
        }
      },
      updateRun: (run, previous) => {
        const pending = this.#pendingRuns.get(run.id);
        const before = previous?.state ?? pending?.state ??
          (this.#runs[run.kind].state.get(run.id) as { state: StateType } | undefined)?.state;
        if (before !== undefined && before !== run.state) {
          count(run.kind, before, -1);
          count(run.kind, run.state, 1);
          if (run.kind === "flow") {
            bucket(run, before, -1);
            bucket(run, run.state, 1);
          }
        }
        if (pending !== undefined) {
          this.#pendingRuns.set(run.id, run);
          return;
        }
        this.#runs[run.kind].update.run(
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
          run.id,
        );
      },
    };
    let result: T;
    try {
      result = fn(tx);
      this.#writePending();
      for (const [key, by] of counts) {
        if (by === 0) continue;
        const [kind, state] = key.split("\u0000");
        this.#addCount.run(by, kind!, state!);
      }
      for (const [name, by] of flows) this.#addFlowCount.run(name, by);
      if (buckets !== undefined) this.#addBuckets(buckets);
    } catch (error) {
      this.#pendingRuns.clear();
      this.#events.clear();
      this.#nextSeq = 0;
      this.#runs.flow.inserts.clear();
      this.#runs.task.inserts.clear();
      this.#rollback();
      throw storageErrorOf(error) ?? error;
    }
    this.#commit();
    // Our own commit does not change data_version for this connection.
    return result;
  }

  // A failed COMMIT (full disk, I/O error) may leave the transaction open or
  // rolled back by SQLite itself: either way nothing of it is kept, and the
  // next write reads the log's last seq again.
  #commit(): void {
    try {
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#nextSeq = 0;
      this.#rollback();
      throw storageErrorOf(error) ?? error;
    }
  }

  #begin(): void {
    try {
      this.#db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      throw storageErrorOf(error) ?? error;
    }
  }

  #rollback(): void {
    if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
  }

  // One upsert per (flow, hour, state) and per (hour, state) the transaction changed.
  #addBuckets(buckets: Map<string, BucketDelta>): void {
    const totals = new Map<string, BucketDelta>();
    for (const delta of buckets.values()) {
      if (delta.n === 0) continue;
      this.#addFlowBucket.run(delta.flowName, delta.hour, delta.state, delta.n);
      const key = `${delta.hour}\u0000${delta.state}`;
      const total = totals.get(key);
      if (total) total.n += delta.n;
      else totals.set(key, { ...delta });
    }
    for (const total of totals.values()) {
      if (total.n !== 0) this.#addBucket.run(total.hour, total.state, total.n);
    }
  }

  // Ids among `ids` that name a run: a few IN (...) lookups instead of two per id.
  #existingRunIds(ids: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const id of ids) if (this.#pendingRuns.has(id)) found.add(id);
    for (let start = 0; start < ids.length; start += EXISTING_IDS_CHUNK) {
      const chunk = ids.slice(start, start + EXISTING_IDS_CHUNK);
      const sql = existingRunIdsSql(chunk.length);
      for (const row of this.#statement(sql).all(...chunk, ...chunk) as { id: string }[]) {
        found.add(row.id);
      }
    }
    return found;
  }

  #getRun(id: string): RunRecord | undefined {
    const flow = this.#runs.flow.get.get(id) as Row | undefined;
    if (flow) return rowToRun(flow, "flow");
    const task = this.#runs.task.get.get(id) as Row | undefined;
    return task ? rowToRun(task, "task") : undefined;
  }

  getRun(runId: string): RunRecord | undefined {
    this.#assertOpen();
    return this.#getRun(runId);
  }

  listRuns(query: RunQuery): Page<RunRecord> {
    this.#assertOpen();
    const { sort, order, limit } = queryShape(query);
    const { table, where, params } = runFilter(query);
    const column = SORT_COLUMNS[sort];
    const direction = order === "asc" ? "ASC" : "DESC";
    const cmp = order === "asc" ? ">" : "<";
    if (query.cursor) {
      const after = decodeCursor(query.cursor, sort, order);
      const value = after.value ?? 0;
      // The first bound is one an index on the sort column can seek to (the
      // OR alone makes every page scan the range from its start again).
      where.push(`${column} ${cmp}= ? AND (${column} ${cmp} ? OR (${column} = ? AND id ${cmp} ?))`);
      params.push(value, value, value, after.id);
    }
    const orderBy = `ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`;
    let rows: Row[];
    const states = [...new Set(query.states ?? [])];
    if (table === "flow_runs" && sort === "created" && states.length > 1) {
      // One ordered index range per state, merged: a single IN (...) would sort every match.
      const [, ...rest] = where;
      const restParams = params.slice(states.length);
      const one = `SELECT * FROM (SELECT * FROM flow_runs WHERE ${
        ["state = ?", ...rest].join(" AND ")
      } ${orderBy})`;
      const sql = `SELECT * FROM (${states.map(() => one).join(" UNION ALL ")}) ${orderBy}`;
      const all = states.flatMap((state) => [state, ...restParams, limit + 1]);
      rows = this.#db.prepare(sql).all(...all, limit + 1) as Row[];
    } else {
      const sql = `SELECT * FROM ${table} ${
        where.length ? `WHERE ${where.join(" AND ")}` : ""
      } ${orderBy}`;
      rows = this.#db.prepare(sql).all(...params, limit + 1) as Row[];
    }
    const items = rows.slice(0, limit).map((row) =>
      rowToRun(row, query.kind ?? (row["run_kind"] as RunKind))
    );
    const last = items.at(-1);
    const nextCursor = rows.length > limit && last
      ? encodeCursor({ sort, order, value: sortValue(last, sort), id: last.id })
      : null;
    return { items, nextCursor };
  }

  countRuns(query: RunQuery): Partial<Record<StateType, number>> {
    this.#assertOpen();
    const { table, where, params } = runFilter(query);
    const rows = this.#db.prepare(
      `SELECT state, COUNT(*) AS n FROM ${table} ${
        where.length ? `WHERE ${where.join(" AND ")}` : ""
      } GROUP BY state`,
    ).all(...params) as { state: StateType; n: number }[];
    const counts: Partial<Record<StateType, number>> = {};
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  flowRunActivity(query: ActivityQuery): ActivityBucket[] {
    this.#assertOpen();
    checkActivityQuery(query);
    const params: SQLInputValue[] = [query.bucketMs];
    let table = "flow_run_buckets";
    let filter = "";
    if (query.flowName !== undefined) {
      table = "flow_run_buckets_by_flow";
      filter = "flow_name = ? AND ";
      params.push(query.flowName);
    }
    const states = [...new Set(query.states ?? [])];
    if (states.length > 0) {
      filter += `state IN (${states.map(() => "?").join(", ")}) AND `;
      params.push(...states);
    }
    params.push(query.since, query.until);
    const rows = this.#statement(activitySql(table, filter)).all(...params) as {
      start: number;
      state: StateType;
      n: number;
    }[];
    const buckets: ActivityBucket[] = [];
    for (const row of rows) {
      let last = buckets.at(-1);
      if (last?.start !== row.start) buckets.push(last = { start: row.start, counts: {} });
      last.counts[row.state] = row.n;
    }
    return buckets;
  }

  flowStats(): FlowStat[] {
    this.#assertOpen();
    const last = this.#db.prepare(FLOW_LAST_RUN_SQL);
    const rows = this.#db.prepare(FLOW_COUNTS_SQL).all() as { flow_name: string; runs: number }[];
    return rows.map((row) => {
      const run = last.get(row.flow_name) as { id: string; state: StateType; created_at: number };
      return {
        flowName: row.flow_name,
        runs: row.runs,
        lastRunId: run.id,
        lastRunState: run.state,
        lastRunCreatedAt: run.created_at,
      };
    });
  }

  flowNames(limit = 1000): string[] {
    this.#assertOpen();
    return (this.#db.prepare(FLOW_NAMES_SQL).all(limit) as { name: string }[]).map((r) => r.name);
  }

  taskGraph(flowRunId: string): TaskGraph {
    this.#assertOpen();
    const groups = new Map<string, { first: string; runs: number; states: StateCounts }>();
    const rows = this.#db.prepare(TASK_GROUPS_SQL).all(flowRunId) as {
      key: string;
      state: StateType;
      runs: number;
      first: string;
    }[];
    for (const row of rows) {
      const group = groups.get(row.key);
      if (!group) {
        groups.set(row.key, {
          first: row.first,
          runs: row.runs,
          states: { [row.state]: row.runs },
        });
        continue;
      }
      group.runs += row.runs;
      group.states[row.state] = row.runs;
      if (row.first < group.first) group.first = row.first;
    }
    const nameOf = this.#db.prepare(TASK_NAME_SQL);
    const nodes = [...groups.entries()]
      .sort((a, b) => a[1].first < b[1].first ? -1 : 1)
      .map(([key, group]) => {
        const firstRunId = group.first.slice(20);
        const { name } = nameOf.get(firstRunId) as { name: string };
        return { key, name, runs: group.runs, states: group.states, firstRunId };
      });
    const edges = this.#db.prepare(TASK_EDGES_SQL).all(flowRunId) as unknown as TaskGraphEdge[];
    return { nodes, edges: edges.map((e) => ({ ...e })) };
  }

  events(query: EventQuery = {}): EngineEvent[] {
    this.#assertOpen();
    const where: string[] = ["seq > ?"];
    const params: SQLInputValue[] = [query.afterSeq ?? 0];
    if (query.runId !== undefined) {
      where.push("run_id = ?");
      params.push(query.runId);
    }
    const limit = query.limit !== undefined ? " LIMIT ?" : "";
    if (query.limit !== undefined) params.push(query.limit);
    const rows = this.#db.prepare(
      `SELECT * FROM events WHERE ${where.join(" AND ")} ORDER BY seq${limit}`,
    ).all(...params) as Row[];
    return rows.map(rowToEvent);
  }

  logs(query: LogQuery): LogRecord[] {
    this.#assertOpen();
    const where: string[] = ["id > ?"];
    const params: SQLInputValue[] = [query.afterId ?? 0];
    if (query.flowRunId !== undefined) {
      where.push("flow_run_id = ?");
      params.push(query.flowRunId);
    }
    if (query.taskRunId !== undefined) {
      where.push("task_run_id = ?");
      params.push(query.taskRunId);
    }
    if (query.minLevel !== undefined) {
      where.push("level >= ?");
      params.push(query.minLevel);
    }
    if (query.text) {
      where.push("message LIKE ? ESCAPE '\\'");
      params.push(`%${query.text.replaceAll(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const rows = this.#db.prepare(
      `SELECT * FROM logs WHERE ${where.join(" AND ")} ORDER BY id LIMIT ?`,
    ).all(...params, query.limit ?? 1000) as Row[];
    return rows.map((row) => ({
      id: row["id"] as number,
      flowRunId: row["flow_run_id"] as string,
      taskRunId: row["task_run_id"] as string | null,
      level: row["level"] as number,
      name: row["name"] as string,
      message: row["message"] as string,
      at: row["at"] as number,
    }));
  }

  lastSeq(): number {
    this.#assertOpen();
    return this.#lastSeq();
  }

  #lastSeq(): number {
    return (this.#statement(LAST_SEQ_SQL).get() as { seq: number }).seq;
  }

  summary(): StoreSummary {
    this.#assertOpen();
    const summary: StoreSummary = {
      flowRuns: 0,
      taskRuns: 0,
      events: this.lastSeq(),
      flowRunsByState: {},
      taskRunsByState: {},
    };
    // Triggers keep these counts: no scan of the run tables.
    const rows = this.#db.prepare(RUN_COUNTS_SQL).all() as {
      kind: RunKind;
      state: StateType;
      n: number;
    }[];
    for (const { kind, state, n } of rows) {
      if (kind === "flow") {
        summary.flowRuns += n;
        summary.flowRunsByState[state] = n;
      } else {
        summary.taskRuns += n;
        summary.taskRunsByState[state] = n;
      }
    }
    return summary;
  }

  rebuildProjections(
    apply: (prev: RunRecord | undefined, event: EngineEvent) => RunRecord,
  ): void {
    this.#assertOpen();
    this.#begin();
    try {
      this.#db.exec("DELETE FROM flow_runs; DELETE FROM task_runs;");
      // Events of one run are contiguous in this order, so one record is held at a time.
      const rows = this.#db.prepare("SELECT * FROM events ORDER BY run_id, seq")
        .iterate() as Iterable<Row>;
      let current: RunRecord | undefined;
      const flush = () => {
        if (current) this.#runs[current.kind].inserts.add(runToRow(current));
      };
      for (const row of rows) {
        const event = rowToEvent(row);
        if (current && current.id !== event.runId) {
          flush();
          current = undefined;
        }
        current = apply(current, event);
      }
      flush();
      this.#runs.flow.inserts.flush();
      this.#runs.task.inserts.flush();
      this.#db.exec(RECOUNT_RUNS_SQL);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#runs.flow.inserts.clear();
      this.#runs.task.inserts.clear();
      this.#rollback();
      throw storageErrorOf(error) ?? error;
    }
  }

  importEvents(events: Iterable<EngineEvent>): void {
    this.#assertOpen();
    // The log grows here without write(): its next seq is read again.
    this.#nextSeq = 0;
    this.#begin();
    try {
      let last = this.lastSeq();
      for (const event of events) {
        checkImportedSeq(event.seq, last);
        this.#insertEvent.run(...eventToRow(event, event.seq));
        last = event.seq;
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#rollback();
      throw storageErrorOf(error) ?? error;
    }
  }

  purgeRuns(rootIds: readonly string[], options: PurgeOptions = {}): PurgeResult {
    this.#assertOpen();
    const result = emptyPurgeResult();
    this.#begin();
    try {
      this.#db.exec(PURGE_TABLE_SQL);
      const event = this.#statement(PURGE_NEWEST_EVENT_SQL).get() as { run_id: string } | undefined;
      const log = this.#statement(PURGE_NEWEST_LOG_SQL).get() as
        | { flow_run_id: string }
        | undefined;
      const newest: [string, string] = [event?.run_id ?? "", log?.flow_run_id ?? ""];
      const endedBefore = options.endedBefore ?? Number.MAX_SAFE_INTEGER;
      for (const rootId of new Set(rootIds)) {
        const reason = this.#purgeTree(rootId, endedBefore, newest);
        if (reason === null) result.purged.push(rootId);
        else result.kept.push({ runId: rootId, reason });
      }
      if (result.purged.length > 0) this.#purgeMarked(result, options);
      const audit = options.record?.(result);
      if (audit) this.#putDocument(audit);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#rollback();
      throw storageErrorOf(error) ?? error;
    }
    // Readers that cache runs (the engine) ask externalChanges() before each
    // batch: answering true once makes them drop what they hold of purged runs.
    if (result.purged.length > 0) this.#lastDataVersion = -1;
    return result;
  }

  // Marks a root's tree for purging, or says why it stays.
  #purgeTree(
    rootId: string,
    endedBefore: number,
    newest: readonly [string, string],
  ): PurgeKeptReason | null {
    const root = this.#statement(PURGE_ROOT_SQL).get(rootId) as Row | undefined;
    if (!root) return "not_found";
    if (root["parent_id"] !== null) return "not_root";
    const lineage = this.#statement(PURGE_LINEAGE_SQL).get(endedBefore, root["lineage_id"]!) as {
      live: number;
      recent: number;
    };
    if (lineage.live > 0) return "live";
    if (lineage.recent > 0) return "recent";
    const tree = this.#statement(PURGE_TREE_CHECK_SQL).get(rootId, ...newest) as {
      live: number;
      newest: number;
    };
    if (tree.live > 0) return "live";
    if (tree.newest > 0) return "newest";
    this.#statement(PURGE_MARK_TREE_SQL).run(rootId);
    return null;
  }

  // Deletes the runs marked in temp.purge_runs with what belongs to them.
  #purgeMarked(result: PurgeResult, options: PurgeOptions): void {
    const counts = this.#statement(PURGE_RUN_COUNTS_SQL).all() as {
      kind: RunKind;
      state: StateType;
      n: number;
    }[];
    for (const { kind, state, n } of counts) {
      this.#addCount.run(-n, kind, state);
      if (kind === "flow") result.flowRuns += n;
      else result.taskRuns += n;
    }
    const flows = this.#statement(PURGE_FLOW_COUNTS_SQL).all() as {
      flow_name: string;
      n: number;
    }[];
    for (const { flow_name, n } of flows) this.#addFlowCount.run(flow_name, -n);
    this.#db.exec(PURGE_BUCKETS_SQL);
    const changes = (sql: string, ...params: SQLInputValue[]) =>
      Number(this.#statement(sql).run(...params).changes);
    for (const collection of options.documentsByRef ?? []) {
      result.documents += changes(PURGE_DOCUMENTS_BY_REF_SQL, collection);
    }
    for (const collection of options.documentsByKey ?? []) {
      result.documents += changes(PURGE_DOCUMENTS_BY_KEY_SQL, collection);
    }
    result.events = changes(PURGE_EVENTS_SQL);
    result.logs = changes(PURGE_LOGS_SQL);
    changes(PURGE_TASK_RUNS_SQL);
    changes(PURGE_FLOW_RUNS_SQL);
  }

  concurrencyLimits(): ConcurrencyLimit[] {
    this.#assertOpen();
    return (this.#db.prepare(LIST_LIMITS_SQL).all() as Row[]).map(rowToLimit);
  }

  getConcurrencyLimit(name: string): ConcurrencyLimit | undefined {
    this.#assertOpen();
    const row = this.#db.prepare(GET_LIMIT_SQL).get(name) as Row | undefined;
    return row ? rowToLimit(row) : undefined;
  }

  putConcurrencyLimit(limit: ConcurrencyLimit): void {
    this.#assertOpen();
    mapStorageErrors(() =>
      this.#db.prepare(PUT_LIMIT_SQL).run(
        limit.name,
        limit.limit,
        limit.slotDecayPerSecond,
        limit.activeSlots,
        limit.createdAt,
        limit.updatedAt,
      )
    );
  }

  deleteConcurrencyLimit(name: string): boolean {
    this.#assertOpen();
    return mapStorageErrors(() => Number(this.#db.prepare(DELETE_LIMIT_SQL).run(name).changes) > 0);
  }

  // Prepared once per SQL text: document queries run in every scheduler tick.
  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, statement = this.#db.prepare(sql));
    return statement;
  }

  getDocument(collection: string, key: string): StoredDocument | undefined {
    this.#assertOpen();
    return this.#getDocument(collection, key);
  }

  listDocuments(query: DocumentQuery): StoredDocument[] {
    this.#assertOpen();
    return this.#listDocuments(query);
  }

  putDocument(document: StoredDocument): void {
    this.#assertOpen();
    mapStorageErrors(() => this.#putDocument(document));
  }

  deleteDocument(collection: string, key: string): boolean {
    this.#assertOpen();
    return mapStorageErrors(() => this.#deleteDocument(collection, key));
  }

  #getDocument(collection: string, key: string): StoredDocument | undefined {
    const row = this.#statement(GET_DOCUMENT_SQL).get(collection, key) as Row | undefined;
    return row ? rowToDocument(row) : undefined;
  }

  #listDocuments(query: DocumentQuery): StoredDocument[] {
    const where = ["collection = ?"];
    const params: SQLInputValue[] = [query.collection];
    if (query.ref !== undefined) {
      where.push("ref = ?");
      params.push(query.ref);
    }
    if (query.afterKey !== undefined) {
      where.push("key > ?");
      params.push(query.afterKey);
    }
    const rows = this.#statement(
      `SELECT * FROM documents WHERE ${where.join(" AND ")} ORDER BY key LIMIT ?`,
    ).all(...params, query.limit ?? 1000) as Row[];
    return rows.map(rowToDocument);
  }

  #putDocument(document: StoredDocument): void {
    this.#statement(PUT_DOCUMENT_SQL).run(
      document.collection,
      document.key,
      document.ref,
      JSON.stringify(document.data),
      document.createdAt,
      document.updatedAt,
      document.expiresAt,
    );
  }

  #deleteDocument(collection: string, key: string): boolean {
    return Number(this.#statement(DELETE_DOCUMENT_SQL).run(collection, key).changes) > 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  // Writes what the open transaction queued: its events, then the runs it
  // created (see #pendingRuns).
  #writePending(): void {
    this.#events.flush();
    if (this.#pendingRuns.size === 0) return;
    for (const run of this.#pendingRuns.values()) this.#runs[run.kind].inserts.add(runToRow(run));
    this.#pendingRuns.clear();
    this.#runs.flow.inserts.flush();
    this.#runs.task.inserts.flush();
  }

  // Every public method starts here: a read inside an open write transaction
  // must see the runs that transaction created.
  #assertOpen(): void {
    if (this.#closed) throw new Error("Store is closed");
    this.#writePending();
  }
}

// The table and WHERE clauses of a run query's filters (cursor and paging aside).
function runFilter(query: RunQuery): { table: string; where: string[]; params: SQLInputValue[] } {
  // Without a kind, both tables are listed, like the memory store does.
  const table = query.kind === undefined
    ? ALL_RUNS_SQL
    : query.kind === "flow"
    ? "flow_runs"
    : "task_runs";
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (clause: string, ...values: SQLInputValue[]) => {
    where.push(clause);
    params.push(...values);
  };
  // First, so listRuns can split it per state.
  const states = [...new Set(query.states ?? [])];
  if (states.length) add(`state IN (${states.map(() => "?").join(", ")})`, ...states);
  if (query.flowName !== undefined) add("flow_name = ?", query.flowName);
  if (query.name !== undefined) add("name = ?", query.name);
  if (query.parentId !== undefined) add("parent_id = ?", query.parentId);
  if (query.rootId !== undefined) add("root_id = ?", query.rootId);
  if (query.lineageId !== undefined) add("lineage_id = ?", query.lineageId);
  if (query.deploymentId !== undefined) add("deployment_id = ?", query.deploymentId);
  if (query.createdAfter !== undefined) add("created_at >= ?", query.createdAfter);
  if (query.createdBefore !== undefined) add("created_at < ?", query.createdBefore);
  if (query.expectedStartBefore !== undefined) {
    // The expression of the flow_runs_by_expected index: a due scan is one index range.
    add(
      "IFNULL(expected_start_time, 0) < ? AND expected_start_time IS NOT NULL",
      query.expectedStartBefore,
    );
  }
  const tags = [...new Set(query.tags ?? [])];
  if (tags.length === 1) add("EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)", tags[0]!);
  else if (tags.length > 1) {
    // One clause for any number of tags: an AND per tag overflows SQLite's expression depth.
    add(
      "(SELECT COUNT(DISTINCT value) FROM json_each(tags) WHERE value IN " +
        "(SELECT value FROM json_each(?))) = ?",
      JSON.stringify(tags),
      tags.length,
    );
  }
  if (query.text) {
    const like = `%${query.text.replaceAll(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add(
      "(run_name LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')",
      like,
      like,
      like,
    );
  }
  return { table, where, params };
}

function rowToLimit(row: Row): ConcurrencyLimit {
  return {
    name: row["name"] as string,
    limit: row["slot_limit"] as number,
    slotDecayPerSecond: row["slot_decay_per_second"] as number,
    activeSlots: row["active_slots"] as number,
    createdAt: row["created_at"] as number,
    updatedAt: row["updated_at"] as number,
  };
}

function sortValue(run: RunRecord, sort: RunSortKey): number | string {
  switch (sort) {
    case "created":
      return run.createdAt;
    case "updated":
      return run.updatedAt;
    case "start":
      return run.startTime ?? 0;
    case "end":
      return run.endTime ?? 0;
    case "name":
      return run.runName;
    case "expected":
      return run.expectedStartTime ?? 0;
  }
}

function runToRow(run: RunRecord): SQLInputValue[] {
  return [
    run.id,
    run.name,
    run.flowName,
    run.runName,
    run.parentId,
    run.rootId,
    run.parentTaskRunId,
    run.depth,
    run.deploymentId,
    run.lineageId,
    run.attempt,
    run.state,
    run.stateName,
    run.version,
    run.createdAt,
    run.updatedAt,
    run.expectedStartTime,
    run.startTime,
    run.endTime,
    run.runCount,
    run.totalRunTimeMs,
    run.taskKey,
    run.mapIndex,
    run.tags.length > 0 ? JSON.stringify(run.tags) : null,
    run.parameters === null ? null : JSON.stringify(run.parameters),
    run.upstream.length > 0 ? JSON.stringify(run.upstream) : null,
    run.message,
  ];
}

/** Ids per existence query (each id is bound twice, once per run table). */
const EXISTING_IDS_CHUNK = 500;

function existingRunIdsSql(count: number): string {
  const list = new Array(count).fill("?").join(", ");
  return `SELECT id FROM flow_runs WHERE id IN (${list})
    UNION ALL SELECT id FROM task_runs WHERE id IN (${list})`;
}

function eventToRow(event: PendingEvent, seq: number): SQLInputValue[] {
  return [
    seq,
    event.id,
    event.runId,
    event.runKind,
    event.from,
    event.to,
    event.stateName,
    event.token,
    event.version,
    event.kind,
    event.at,
    event.rules.length > 0 ? event.rules.join(",") : null,
    event.data === null ? null : JSON.stringify(event.data),
  ];
}

function rowToRun(row: Row, kind: RunKind): RunRecord {
  return {
    id: row["id"] as string,
    kind,
    name: row["name"] as string,
    flowName: row["flow_name"] as string,
    runName: row["run_name"] as string,
    parentId: row["parent_id"] as string | null,
    rootId: row["root_id"] as string,
    parentTaskRunId: row["parent_task_run_id"] as string | null,
    depth: row["depth"] as number,
    deploymentId: row["deployment_id"] as string | null,
    lineageId: row["lineage_id"] as string,
    attempt: row["attempt"] as number,
    state: row["state"] as StateType,
    stateName: row["state_name"] as string,
    version: row["version"] as number,
    createdAt: row["created_at"] as number,
    updatedAt: row["updated_at"] as number,
    expectedStartTime: row["expected_start_time"] as number | null,
    startTime: row["start_time"] as number | null,
    endTime: row["end_time"] as number | null,
    runCount: row["run_count"] as number,
    totalRunTimeMs: row["total_run_time_ms"] as number,
    taskKey: row["task_key"] as string | null,
    mapIndex: row["map_index"] as number | null,
    tags: row["tags"] ? JSON.parse(row["tags"] as string) as string[] : [],
    parameters: row["parameters"] ? JSON.parse(row["parameters"] as string) as Json : null,
    upstream: row["upstream"] ? JSON.parse(row["upstream"] as string) as UpstreamEdge[] : [],
    message: row["message"] as string | null,
  };
}

function rowToDocument(row: Row): StoredDocument {
  return {
    collection: row["collection"] as string,
    key: row["key"] as string,
    ref: row["ref"] as string | null,
    data: JSON.parse(row["data"] as string) as Json,
    createdAt: row["created_at"] as number,
    updatedAt: row["updated_at"] as number,
    expiresAt: row["expires_at"] as number | null,
  };
}

function rowToEvent(row: Row): EngineEvent {
  return {
    seq: row["seq"] as number,
    id: row["id"] as string,
    runId: row["run_id"] as string,
    runKind: row["run_kind"] as RunKind,
    from: row["from_state"] as StateType | null,
    to: row["to_state"] as StateType,
    stateName: row["state_name"] as string,
    token: row["token"] as string,
    version: row["version"] as number,
    kind: row["kind"] as string,
    at: row["at"] as number,
    rules: row["rules"] ? (row["rules"] as string).split(",") : [],
    data: row["data"] ? JSON.parse(row["data"] as string) as EngineEvent["data"] : null,
  };
}
