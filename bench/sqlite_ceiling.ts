/**
 * The physical ceiling of the SQLite store: the rows the engine writes for a
 * transition (one event insert plus one projection update), written with raw
 * `node:sqlite` statements on the engine's own schema, no engine in between.
 *
 * `bench/engine_bench.ts` and `bench/engine_throughput.ts` compare the engine
 * against it.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import {
  INSERT_EVENT_SQL,
  MIGRATIONS,
  RUN_COLUMN_NAMES,
  runSql,
  runUpdateSql,
} from "../engine/store/sqlite_schema.ts";

const T0 = 1_700_000_000_000;

/** A raw connection on the engine schema, with the statements of the hot path. */
export interface RawSqlite extends Disposable {
  /** Inserts `n` PENDING flow runs and their creation events; returns their ids. */
  seed(n: number): string[];
  /** Writes the rows of one PENDING → RUNNING transition per id, in one transaction. */
  writeBatch(ids: readonly string[]): void;
  /** Writes the same rows with one transaction per transition. */
  writeEach(ids: readonly string[]): void;
}

/** Opens `path` with the pragmas the SQLite store uses and creates the schema. */
export function openRawSqlite(path: string): RawSqlite {
  const db = new DatabaseSync(path);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  for (const migration of MIGRATIONS) db.exec(migration);
  const sql = runSql("flow_runs");
  const insertRun = db.prepare(sql.insert);
  const insertEvent = db.prepare(INSERT_EVENT_SQL);
  // PENDING → RUNNING changes the state and start time: the engine's update sets those two.
  const updateRun = db.prepare(runUpdateSql("flow_runs", ["state", "start_time"]));
  let counter = 0;
  let now = T0;

  function transition(id: string): void {
    now += 1;
    insertEvent.run(
      null,
      `${id}.2`,
      id,
      "flow",
      "PENDING",
      "RUNNING",
      "Running",
      `start-${id}`,
      2,
      "start",
      now,
      "SetStartTime,IncrementRunCount",
      null,
    );
    // state_name, version, updated_at, run_count, total_run_time_ms, message,
    // then the indexed columns it sets (state, start_time), then id.
    updateRun.run("Running", 2, now, 1, 0, null, "RUNNING", now, id);
  }

  function inTransaction(body: () => void): void {
    db.exec("BEGIN IMMEDIATE");
    try {
      body();
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }

  return {
    seed(n) {
      const ids: string[] = [];
      inTransaction(() => {
        for (let i = 0; i < n; i++) {
          const id = `raw-${++counter}`;
          ids.push(id);
          insertRun.run(...runRow(id, now));
          // The creation event too, so the log is as large as the engine's.
          insertEvent.run(
            null,
            `${id}.1`,
            id,
            "flow",
            null,
            "PENDING",
            "Pending",
            `create:${id}`,
            1,
            "create",
            now,
            null,
            JSON.stringify({ name: "bench" }),
          );
        }
      });
      return ids;
    },
    writeBatch(ids) {
      inTransaction(() => {
        for (const id of ids) transition(id);
      });
    },
    writeEach(ids) {
      for (const id of ids) inTransaction(() => transition(id));
    },
    [Symbol.dispose]() {
      db.close();
    },
  };
}

// A PENDING flow run row in the column order of the schema's insert statement.
function runRow(id: string, now: number): SQLInputValue[] {
  const values: Partial<Record<(typeof RUN_COLUMN_NAMES)[number], SQLInputValue>> = {
    id,
    name: "bench",
    flow_name: "bench",
    run_name: id,
    root_id: id,
    depth: 0,
    lineage_id: id,
    attempt: 1,
    state: "PENDING",
    state_name: "Pending",
    version: 1,
    created_at: now,
    updated_at: now,
    run_count: 0,
    total_run_time_ms: 0,
  };
  return RUN_COLUMN_NAMES.map((column) => values[column] ?? null);
}
