/**
 * `POST /api/batch`: the remote control plane's one round trip. Creations,
 * proposals and log lines of a request are handed to the engine in the same
 * turn, so they commit in one engine transaction (group commit), and every
 * item gets its own answer.
 *
 * @module
 */
import {
  type ApiLog,
  type ApiNewRun,
  type ApiProposal,
  fromApiLog,
  toApiRun,
} from "../../wire/mod.ts";
import type { AppDeps } from "../deps.ts";
import type { ApiRouter } from "./router.ts";
import { flowRunNotFound, itemErrorOf, keepsLogs, propose, RunCreator } from "./_remote_items.ts";
import { ApiBatchAnswerSchema, ApiBatchSchema, type ApiItemError } from "../../wire/run_schemas.ts";

/** Registers `POST /batch`. */
export function remoteBatchRoute(router: ApiRouter, deps: AppDeps): void {
  const { engine } = deps;
  router.add({
    method: "post",
    path: "/batch",
    tag: "Remote SDK",
    summary: "Create runs, propose transitions and ship log lines in one engine transaction",
    description: "Runs are created first, then proposals are judged in order, in one engine " +
      "batch with the log lines. Each run and proposal gets a result or " +
      "`{ error: { code, message, status } }` in its place; a log line of an unknown flow " +
      "run is dropped and listed under `logs.rejected`. The remote control plane never sends " +
      "two items of one run in the same request, nor one before the previous was answered.",
    body: ApiBatchSchema,
    response: ApiBatchAnswerSchema,
  }, async (c, { body }) => {
    const runs = (body.runs ?? []) as ApiNewRun[];
    const proposals = (body.proposals ?? []) as ApiProposal[];
    const logs = (body.logs ?? []) as ApiLog[];
    const created: unknown[] = new Array(runs.length);
    const results: unknown[] = new Array(proposals.length);
    let fatal: unknown;
    const fail = (out: unknown[], i: number) => (error: unknown) => {
      const item = itemErrorOf(error);
      if (item) out[i] = item;
      else fatal ??= error;
    };
    // Everything reaches the engine synchronously, in this turn: one transaction.
    const pending: Promise<void>[] = [];
    const creator = new RunCreator(engine);
    for (let i = 0; i < runs.length; i++) {
      pending.push(
        creator.create(runs[i]!).then(
          (run) => void (created[i] = toApiRun(run)),
          fail(created, i),
        ),
      );
    }
    for (let i = 0; i < proposals.length; i++) {
      pending.push(
        propose(engine, proposals[i]!).then(
          (result) => void (results[i] = result),
          fail(results, i),
        ),
      );
    }
    const rejected = logs.length > 0 ? shipLogs(deps, logs) : [];
    await Promise.all(pending);
    // A failed transaction (store error) fails the request: the client retries it whole.
    if (fatal !== undefined) throw fatal;
    return c.json({
      runs: created,
      results,
      logs: { accepted: logs.length - rejected.length, rejected },
    });
  });
}

// Queues the lines of known flow runs for the engine's current batch; answers the others.
function shipLogs(
  { engine }: AppDeps,
  logs: ApiLog[],
): Array<{ index: number; error: ApiItemError["error"] }> {
  const known = new Map<string, boolean>();
  const rejected: Array<{ index: number; error: ApiItemError["error"] }> = [];
  const kept = [];
  for (let i = 0; i < logs.length; i++) {
    const id = logs[i]!.flow_run_id;
    let ok = known.get(id);
    if (ok === undefined) known.set(id, ok = keepsLogs(engine, id));
    if (ok) kept.push(fromApiLog(logs[i]!));
    else rejected.push({ index: i, error: itemErrorOf(flowRunNotFound(id))!.error });
  }
  if (kept.length > 0) engine.log(kept);
  return rejected;
}
