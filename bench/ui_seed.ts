/**
 * Seeds a SQLite store for the dashboard render benchmark: many flow runs
 * written with raw batched inserts (a bench-only shortcut: no events; the
 * counts the store keeps are recounted after), and one
 * flow run with thousands of task runs made through the real engine, so its
 * events, upstream edges and logs are genuine.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import {
  createEngine,
  createSqliteStore,
  type Engine,
  FakeClock,
  SequentialIds,
  type StateType,
} from "../engine/mod.ts";
import { RECOUNT_RUNS_SQL, RUN_COLUMN_NAMES, runSql } from "../engine/store/sqlite_schema.ts";

/** The end of the seeded period: "now" for the pages under test. */
export const BENCH_NOW = 1_750_000_000_000;
const DAY = 86_400_000;

/** What {@linkcode seedUiBench} made. */
export interface UiBenchSeed {
  /** The flow run with `detailTasks` task runs. */
  detailRunId: string;
  flowNames: string[];
}

const FLOWS = Array.from({ length: 20 }, (_, i) => `flow-${String(i).padStart(2, "0")}`);
// Mostly completed, some failed, a few still going: roughly what a busy server holds.
const STATES: readonly [StateType, string][] = [
  ...Array<[StateType, string]>(80).fill(["COMPLETED", "Completed"]),
  ...Array<[StateType, string]>(10).fill(["FAILED", "Failed"]),
  ...Array<[StateType, string]>(4).fill(["CANCELLED", "Cancelled"]),
  ...Array<[StateType, string]>(3).fill(["CRASHED", "Crashed"]),
  ...Array<[StateType, string]>(2).fill(["RUNNING", "Running"]),
  ["SCHEDULED", "Scheduled"],
];

/**
 * Writes `runs` flow runs spread evenly over the 30 days before
 * {@linkcode BENCH_NOW} into the store at `path` (which must be new), the
 * newest 1,000 with five task runs each, then one flow run with
 * `detailTasks` task runs (a map of extracts feeding a map of transforms).
 */
export async function seedUiBench(
  path: string,
  options: { runs: number; detailTasks: number },
): Promise<UiBenchSeed> {
  createSqliteStore(path).close(); // creates the schema
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = OFF");
  const insertFlow = db.prepare(runSql("flow_runs").insert);
  const insertTask = db.prepare(runSql("task_runs").insert);
  const step = (30 * DAY) / options.runs;
  const start = BENCH_NOW - 30 * DAY;
  const BATCH = 20_000;
  for (let from = 0; from < options.runs; from += BATCH) {
    db.exec("BEGIN");
    for (let i = from; i < Math.min(options.runs, from + BATCH); i++) {
      const created = Math.floor(start + i * step);
      const id = `r${String(i).padStart(8, "0")}`;
      const [state, stateName] = STATES[(i * 7919) % STATES.length]!;
      const flowName = FLOWS[(i * 31) % FLOWS.length]!;
      const terminal = state !== "RUNNING" && state !== "SCHEDULED";
      const started = state === "SCHEDULED" ? null : created + 50;
      const row: Record<(typeof RUN_COLUMN_NAMES)[number], SQLInputValue> = {
        id,
        name: flowName,
        flow_name: flowName,
        run_name: `${flowName}-run-${i}`,
        parent_id: null,
        root_id: id,
        parent_task_run_id: null,
        depth: 0,
        deployment_id: i % 3 === 0 ? `dep-${i % 5}` : null,
        lineage_id: id,
        attempt: 1,
        state,
        state_name: stateName,
        version: terminal ? 3 : 2,
        created_at: created,
        updated_at: created + 1_000,
        expected_start_time: null,
        start_time: started,
        end_time: terminal ? created + 1_050 : null,
        run_count: started === null ? 0 : 1,
        total_run_time_ms: terminal ? 1_000 : 0,
        task_key: null,
        map_index: null,
        tags: null,
        parameters: JSON.stringify({ day: i % 28, region: "eu" }),
        upstream: null,
        message: state === "FAILED" ? "Task run failed" : null,
      };
      insertFlow.run(...RUN_COLUMN_NAMES.map((c) => row[c]));
      if (i >= options.runs - 1_000) {
        for (let t = 0; t < 5; t++) {
          const taskId = `${id}-t${t}`;
          insertTask.run(...RUN_COLUMN_NAMES.map((c) => {
            switch (c) {
              case "id":
                return taskId;
              case "name":
                return `step_${t}`;
              case "run_name":
                return `step_${t}-0`;
              case "parent_id":
                return id;
              case "task_key":
                return `step_${t}#0`;
              case "parameters":
                return null;
              case "deployment_id":
                return null;
              case "created_at":
                return created + t;
              default:
                return row[c];
            }
          }));
        }
      }
    }
    db.exec("COMMIT");
  }
  // The raw inserts bypassed the counts the store keeps (by state, by flow, per hour).
  db.exec(`BEGIN; ${RECOUNT_RUNS_SQL} COMMIT`);
  db.close();
  const clock = new FakeClock(BENCH_NOW - 60_000);
  const engine = createEngine({
    store: createSqliteStore(path),
    clock,
    ids: new SequentialIds("detail"),
  });
  try {
    const detailRunId = await seedDetailRun(engine, clock, options.detailTasks);
    return { detailRunId, flowNames: FLOWS };
  } finally {
    await engine.close();
  }
}

async function seedDetailRun(engine: Engine, clock: FakeClock, tasks: number): Promise<string> {
  const run = await engine.createFlowRun({
    name: "big-map",
    runName: "big-map-run",
    parameters: { items: tasks / 2 },
  });
  await engine.propose(run.id, { to: "RUNNING", token: "start", kind: "start" });
  const half = Math.floor(tasks / 2);
  const make = (name: string, i: number, upstream: string | null) =>
    engine.createTaskRun({
      name,
      flowName: "big-map",
      parentId: run.id,
      rootId: run.id,
      taskKey: `${name}#0`,
      mapIndex: i,
      runName: `${name}-${i}`,
      parameters: { i },
      upstream: upstream ? [{ runId: upstream, kind: "data" }] : [],
    });
  const extracts = await Promise.all(
    Array.from({ length: half }, (_, i) => make("extract", i, null)),
  );
  const transforms = await Promise.all(
    extracts.map((e, i) => make("transform", i, e.id)),
  );
  for (const [i, task] of [...extracts, ...transforms].entries()) {
    clock.tick(i % 10 === 0 ? 1 : 0);
    void engine.propose(task.id, { to: "RUNNING", token: `s-${task.id}`, kind: "start" });
  }
  await engine.flush();
  for (const [i, task] of [...extracts, ...transforms].entries()) {
    clock.tick(i % 10 === 0 ? 1 : 0);
    const to = i % 97 === 0 ? "FAILED" : "COMPLETED";
    void engine.propose(task.id, { to, token: `e-${task.id}`, kind: "end" });
  }
  engine.log(
    Array.from({ length: 2_000 }, (_, i) => ({
      flowRunId: run.id,
      taskRunId: i % 2 === 0 ? transforms[i % transforms.length]!.id : null,
      level: i % 50 === 0 ? 40 : 20,
      message: `processed batch ${i}`,
      at: clock.now(),
      name: "ironflow.task",
    })),
  );
  await engine.flush();
  return run.id;
}
