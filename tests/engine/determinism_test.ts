import assert from "node:assert/strict";
import { type Engine, type FakeClock, type ProposalResult } from "../../engine/mod.ts";
import { STORE_ADAPTERS, testEngine } from "./_helpers.ts";

/**
 * A fixed script of creations and proposals, with clock ticks between steps:
 * concurrent batches, rejections, waits, duplicates, retries and messages.
 */
async function script(engine: Engine, clock: FakeClock): Promise<ProposalResult[]> {
  const results: ProposalResult[] = [];
  const flows = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      engine.createFlowRun({
        name: `flow-${i % 3}`,
        tags: i % 2 ? ["odd"] : [],
        parameters: { i },
        ...(i % 4 === 0
          ? { state: "SCHEDULED" as const, expectedStartTime: clock.now() + 50 }
          : {}),
      })),
  );
  const tasks = await Promise.all(
    flows.map((flow, i) =>
      engine.createTaskRun({ name: "extract", parentId: flow.id, rootId: flow.id, mapIndex: i })
    ),
  );
  for (let step = 0; step < 6; step++) {
    clock.tick(17 + step);
    const batch = await Promise.all([
      ...flows.map((run, i) =>
        engine.propose(run.id, {
          to: step % 2 === 0 ? "RUNNING" : i % 3 === 0 ? "FAILED" : "COMPLETED",
          token: `flow-${step}-${i}`,
          kind: "step",
          data: { step, message: `step ${step}`, retries: 1, retryDelayMs: 20 },
        })
      ),
      ...tasks.map((run, i) =>
        engine.propose(run.id, {
          to: ["RUNNING", "PAUSED", "RUNNING", "COMPLETED", "RUNNING", "RUNNING"][step] as
            | "RUNNING"
            | "PAUSED"
            | "COMPLETED",
          token: `task-${i % 4 === 0 ? 0 : step}-${i}`,
          kind: "step",
          ...(i % 5 === 0 ? { expectedVersion: step + 1 } : {}),
        })
      ),
    ]);
    results.push(...batch);
  }
  return results;
}

Deno.test("the same proposals and clock readings give identical event logs on every store", async () => {
  const logs = [];
  for (const adapter of STORE_ADAPTERS) {
    for (let round = 0; round < 2; round++) {
      await using fixture = await adapter.open();
      const { engine, clock } = testEngine(fixture.store);
      const results = await script(engine, clock);
      logs.push({
        name: `${adapter.name} #${round + 1}`,
        results,
        events: engine.events(),
        exported: [...engine.exportEvents()].join("\n"),
        runs: engine.listRuns({ sort: "name", order: "asc", limit: 1000 }).items,
      });
      await engine.close();
    }
  }
  const [reference, ...others] = logs;
  // The script exercises more than the happy path.
  const statuses = new Set(reference!.results.map((r) => r.status));
  assert.deepEqual([...statuses].sort(), ["accepted", "duplicate", "rejected", "wait"]);
  assert.ok(reference!.events.length > 60, `only ${reference!.events.length} events`);
  for (const other of others) {
    assert.deepEqual(other.events, reference!.events, `${other.name} events`);
    assert.deepEqual(other.results, reference!.results, `${other.name} answers`);
    assert.deepEqual(other.runs, reference!.runs, `${other.name} runs`);
    assert.equal(other.exported, reference!.exported, `${other.name} export bytes`);
  }
});
