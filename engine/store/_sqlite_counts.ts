/**
 * The counts the SQLite store keeps beside its runs (runs by kind and state,
 * flow runs by flow name, flow runs per hour and state), changed once per
 * transaction rather than once per run.
 *
 * Task runs are counted from the event log instead: `run_counts` holds their
 * counts as of the event `run_counts_folded` names, and the moves of the
 * events after it are added when the counts are read. A writer folds those
 * moves in once they are {@linkcode TASK_COUNT_FOLD_EVENTS} events behind, so
 * a task run's transitions write no counter page (a chained task's two
 * commits each wrote one), and every process reads the same counts.
 *
 * @module
 */
import { ACTIVITY_BUCKET_MS, type RunKind, type RunRecord, type StateType } from "../core/mod.ts";
import type { SqliteConnection } from "./_sqlite_connection.ts";
import { LAST_SEQ_SQL } from "./sqlite_schema.ts";

const ADD_RUN_COUNT_SQL = "UPDATE run_counts SET n = n + ? WHERE kind = ? AND state = ?";
const ADD_FLOW_COUNT_SQL = `INSERT INTO flow_counts (flow_name, runs) VALUES (?, ?)
  ON CONFLICT (flow_name) DO UPDATE SET runs = runs + excluded.runs`;
// Activity buckets: one upsert per (hour, state) and (flow, hour, state) a transaction changed.
const ADD_BUCKET_SQL = `INSERT INTO flow_run_buckets (bucket_start, state, n)
  VALUES (?, ?, ?) ON CONFLICT (bucket_start, state) DO UPDATE SET n = n + excluded.n`;
const ADD_FLOW_BUCKET_SQL = `INSERT INTO flow_run_buckets_by_flow
  (flow_name, bucket_start, state, n) VALUES (?, ?, ?, ?)
  ON CONFLICT (flow_name, bucket_start, state) DO UPDATE SET n = n + excluded.n`;

/** How many events may pass before a writer folds the task-run moves into `run_counts`. */
export const TASK_COUNT_FOLD_EVENTS = 512;

// The state changes of task runs after the folded seq, as (state, +1/-1) rows:
// a creation adds its state, a move takes one from the old state and adds one
// to the new, like the projection's insertRun/updateRun do.
const TASK_MOVES_CTE = `mark(seq) AS (SELECT seq FROM run_counts_folded WHERE kind = 'task'),
  moves(state, n) AS (
    SELECT to_state, 1 FROM events WHERE seq > (SELECT seq FROM mark) AND run_kind = 'task'
      AND (from_state IS NULL OR from_state <> to_state)
    UNION ALL
    SELECT from_state, -1 FROM events WHERE seq > (SELECT seq FROM mark) AND run_kind = 'task'
      AND from_state <> to_state)`;
/** Runs by kind and state: the kept counts and the task-run moves not folded yet, in one read. */
export const RUN_COUNTS_SQL = `WITH ${TASK_MOVES_CTE}
  SELECT kind, state, SUM(n) AS n FROM (
    SELECT kind, state, n FROM run_counts UNION ALL SELECT 'task', state, n FROM moves)
  GROUP BY kind, state HAVING SUM(n) > 0`;
const TASK_MOVES_SQL = `WITH ${TASK_MOVES_CTE}
  SELECT state, SUM(n) AS n FROM moves GROUP BY state HAVING SUM(n) <> 0`;
const FOLDED_SEQ_SQL = "SELECT seq FROM run_counts_folded WHERE kind = 'task'";
const SET_FOLDED_SEQ_SQL = "UPDATE run_counts_folded SET seq = ? WHERE kind = 'task'";

/** The seq through which the task-run moves are in `run_counts`. */
export function foldedTaskSeq(conn: SqliteConnection): number {
  return (conn.statement(FOLDED_SEQ_SQL).get() as { seq: number }).seq;
}

/**
 * Adds the task-run moves of the events after the folded seq to `run_counts`
 * and marks them folded through `lastSeq` (the log's last seq, read when not
 * given). Call it in a write transaction, and before deleting events (a purge).
 */
export function foldTaskCounts(conn: SqliteConnection, lastSeq?: number): void {
  lastSeq ??= (conn.statement(LAST_SEQ_SQL).get() as { seq: number }).seq;
  const moves = conn.statement(TASK_MOVES_SQL).all() as { state: StateType; n: number }[];
  const add = conn.statement(ADD_RUN_COUNT_SQL);
  for (const { state, n } of moves) add.run(n, "task", state);
  markTaskCountsFolded(conn, lastSeq);
}

/** Marks the events through `seq` as counted, without adding their moves (imported events). */
export function markTaskCountsFolded(conn: SqliteConnection, seq: number): void {
  conn.statement(SET_FOLDED_SEQ_SQL).run(seq);
}

/** A change of one flow's activity bucket (hour and state) within a write transaction. */
export interface BucketDelta {
  flowName: string;
  hour: number;
  state: StateType;
  n: number;
}

/** Changes of the kept counts collected during one transaction, written by `apply()`. */
export class CountChanges {
  readonly #runs = new Map<string, number>();
  readonly #flows = new Map<string, number>();
  // Flow runs only, made on first use: most batches move task runs alone.
  #buckets: Map<string, BucketDelta> | undefined;
  readonly #countsTaskRuns: boolean;

  /**
   * `taskRunsFromLog`: task runs are counted from the event log (the SQLite
   * store, see TASK_MOVES_CTE), so `created` and `moved` leave them out.
   */
  constructor(options: { taskRunsFromLog?: boolean } = {}) {
    this.#countsTaskRuns = options.taskRunsFromLog !== true;
  }

  /** `by` more runs of `kind` in `state`. */
  run(kind: RunKind, state: StateType, by: number): void {
    const key = `${kind}\u0000${state}`;
    this.#runs.set(key, (this.#runs.get(key) ?? 0) + by);
  }

  /** `by` more flow runs of `flowName`. */
  flow(flowName: string, by: number): void {
    this.#flows.set(flowName, (this.#flows.get(flowName) ?? 0) + by);
  }

  /** `by` more flow runs like `run` (flow name, hour of creation) in `state`. */
  bucket(run: RunRecord, state: StateType, by: number): void {
    const hour = run.createdAt - run.createdAt % ACTIVITY_BUCKET_MS;
    const key = `${hour}\u0000${state}\u0000${run.flowName}`;
    this.#buckets ??= new Map();
    const delta = this.#buckets.get(key);
    if (delta) delta.n += by;
    else this.#buckets.set(key, { flowName: run.flowName, hour, state, n: by });
  }

  /** A run created: counted by state, and a flow run as one of its flow and hour. */
  created(run: RunRecord): void {
    if (run.kind === "flow") {
      this.run("flow", run.state, 1);
      this.flow(run.flowName, 1);
      this.bucket(run, run.state, 1);
    } else if (this.#countsTaskRuns) this.run("task", run.state, 1);
  }

  /** A run that moved from state `before` to its state now. */
  moved(run: RunRecord, before: StateType): void {
    if (run.kind === "task" && !this.#countsTaskRuns) return;
    this.run(run.kind, before, -1);
    this.run(run.kind, run.state, 1);
    if (run.kind === "flow") {
      this.bucket(run, before, -1);
      this.bucket(run, run.state, 1);
    }
  }

  /** The changes as rows: runs as (kind, state, by), flows as (name, by), buckets per flow. */
  deltas(): {
    runs: [RunKind, StateType, number][];
    flows: [string, number][];
    buckets: BucketDelta[];
  } {
    const runs: [RunKind, StateType, number][] = [];
    for (const [key, by] of this.#runs) {
      const [kind, state] = key.split("\u0000") as [RunKind, StateType];
      if (by !== 0) runs.push([kind, state, by]);
    }
    const flows = [...this.#flows].filter(([, by]) => by !== 0);
    const buckets = [...this.#buckets?.values() ?? []].filter((delta) => delta.n !== 0);
    return { runs, flows, buckets };
  }

  /** Writes the changes: one statement per count that changed. */
  apply(conn: SqliteConnection): void {
    const addRun = conn.statement(ADD_RUN_COUNT_SQL);
    for (const [key, by] of this.#runs) {
      if (by === 0) continue;
      const [kind, state] = key.split("\u0000");
      addRun.run(by, kind!, state!);
    }
    const addFlow = conn.statement(ADD_FLOW_COUNT_SQL);
    for (const [name, by] of this.#flows) addFlow.run(name, by);
    if (this.#buckets !== undefined) applyBuckets(conn, this.#buckets);
  }
}

// One upsert per (flow, hour, state) and per (hour, state) the transaction changed.
function applyBuckets(conn: SqliteConnection, buckets: Map<string, BucketDelta>): void {
  const addFlowBucket = conn.statement(ADD_FLOW_BUCKET_SQL);
  const totals = new Map<string, BucketDelta>();
  for (const delta of buckets.values()) {
    if (delta.n === 0) continue;
    addFlowBucket.run(delta.flowName, delta.hour, delta.state, delta.n);
    const key = `${delta.hour}\u0000${delta.state}`;
    const total = totals.get(key);
    if (total) total.n += delta.n;
    else totals.set(key, { ...delta });
  }
  const addBucket = conn.statement(ADD_BUCKET_SQL);
  for (const total of totals.values()) {
    if (total.n !== 0) addBucket.run(total.hour, total.state, total.n);
  }
}
