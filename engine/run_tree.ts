/**
 * Ending a flow run together with what runs under it: when a flow run ends
 * without its executor (crashed, reaped, cancelled while idle), its live
 * task runs and subflow runs end with it, so nothing stays RUNNING under a
 * finished run and their concurrency slots are freed.
 *
 * @module
 */
import {
  isTerminal,
  type ProposalResult,
  type RunRecord,
  StateType,
  TERMINAL_STATES,
} from "./core/mod.ts";
import type { Engine } from "./engine.ts";
import { releaseHolder } from "./concurrency.ts";

const LIVE_STATES = Object.values(StateType).filter((state) => !TERMINAL_STATES.has(state));

/** How a run tree ends: the state and the recorded cause. */
export interface TreeEnding {
  to: typeof StateType.CRASHED | typeof StateType.CANCELLED;
  kind: string;
  message: string;
}

/** Proposes `ending` for one run, guarded by the version just read. */
export function endRun(
  engine: Engine,
  run: RunRecord,
  ending: TreeEnding,
): Promise<ProposalResult> {
  return engine.propose(run.id, {
    to: ending.to,
    token: `${ending.kind}:${run.id}:${run.version}`,
    expectedVersion: run.version,
    kind: ending.kind,
    data: { message: ending.message },
  });
}

/**
 * Frees the `concurrency()` leases `runIds` hold. A run ended from outside
 * (reaped, cancelled while idle) has no process left to release them, and its
 * slots must not wait for their lease to expire.
 */
function releaseLeasesOf(engine: Engine, runIds: readonly string[]): Promise<number> {
  return engine.transact((tx) => runIds.reduce((freed, id) => freed + releaseHolder(tx, id), 0));
}

/**
 * Ends every live run under the flow run `runId` (task runs and subflow runs,
 * depth first) with `ending`, and frees the leases of the runs it ended.
 * Returns the ids it ended.
 */
export async function endRunsUnder(
  engine: Engine,
  runId: string,
  ending: TreeEnding,
): Promise<string[]> {
  const ended: string[] = [];
  const parents = [runId];
  while (parents.length > 0) {
    const parentId = parents.pop()!;
    let cursor: string | undefined;
    do {
      const page = engine.listRuns({
        parentId,
        states: LIVE_STATES,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      const answers = await Promise.all(page.items.map(async (child) => {
        if (child.kind === "flow") parents.push(child.id);
        return { child, result: await endRun(engine, child, ending) };
      }));
      for (const { child, result } of answers) {
        if (result.status === "accepted" && isTerminal(result.state)) ended.push(child.id);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  await releaseLeasesOf(engine, [runId, ...ended]);
  return ended;
}
