/**
 * `ironflow demo`: runs the example ETL flow on the embedded store and prints
 * the run's history — the quickest look at what IronFlow records.
 *
 * @module
 */
import { etl } from "../examples/etl.ts";
import { formatEvents } from "./flow_run_view.ts";
import type { CliContext } from "./io.ts";

/** Runs the demo; resolves with the exit code. */
export async function demoCommand(_args: string[], cli: CliContext): Promise<number> {
  const plane = cli.openPlane();
  const outcome = await etl.runWith({ plane }, 4);
  await plane.flush();
  const engine = plane.engine;
  const run = engine.getRun(outcome.runId)!;
  const children = engine.listRuns({ rootId: run.id, kind: "flow", limit: 100 }).items.map((r) =>
    r.id
  );
  const runIds = [...new Set([run.id, ...children])];
  const taskIds = runIds.flatMap((id) =>
    engine.listRuns({ kind: "task", parentId: id, limit: 1000 }).items.map((t) => t.id)
  );
  const events = [...runIds, ...taskIds].flatMap((id) => engine.events(id)).sort((a, b) =>
    a.seq - b.seq
  );
  const label = (id: string) => {
    const r = engine.getRun(id);
    return r ? `${r.kind === "flow" ? "flow" : "task"} ${r.runName}` : id;
  };
  cli.out(
    `Flow run ${run.runName} (${run.id}) ended ${outcome.state.type} with result ${
      JSON.stringify(outcome.result)
    }\n`,
  );
  cli.out(formatEvents(
    events.map((e) => ({
      seq: e.seq,
      run_id: e.runId,
      from: e.from,
      to: e.to,
      state_name: e.stateName,
      kind: e.kind,
      at: new Date(e.at).toISOString(),
    })),
    label,
  ));
  const summary = engine.summary();
  cli.out(
    `\n${events.length} events for this run; the store holds ${summary.flowRuns} flow runs, ${summary.taskRuns} task runs, ${summary.events} events.`,
  );
  cli.out(`Inspect it again with: ironflow flow-run inspect ${run.id}`);
  return outcome.state.type === "COMPLETED" ? 0 : 1;
}
