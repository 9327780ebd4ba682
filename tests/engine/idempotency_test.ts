import assert from "node:assert/strict";
import { STORE_ADAPTERS, testEngine } from "./_helpers.ts";

for (const adapter of STORE_ADAPTERS) {
  Deno.test(`propose() applies one token once under 32 concurrent sends (${adapter.name})`, async () => {
    await using fixture = await adapter.open();
    const { engine } = testEngine(fixture.store);
    const run = await engine.createFlowRun({ name: "etl" });
    const results = await Promise.all(
      Array.from(
        { length: 32 },
        () => engine.propose(run.id, { to: "RUNNING", token: "start-once", kind: "start" }),
      ),
    );
    const count = (status: string) => results.filter((r) => r.status === status).length;
    assert.equal(count("accepted"), 1);
    assert.equal(count("duplicate"), 31);
    for (const result of results) {
      assert.equal(result.state, "RUNNING");
      assert.equal(result.version, 2);
    }
    const events = engine.events(run.id).filter((e) => e.token === "start-once");
    assert.equal(events.length, 1);
    assert.equal(engine.events().length, 2);
    assert.equal(engine.getRun(run.id)!.version, 2);
    await engine.close();
  });

  Deno.test(`propose() answers duplicate for a token sent again after a restart (${adapter.name})`, async () => {
    await using fixture = await adapter.open();
    const { engine } = testEngine(fixture.store);
    const run = await engine.createFlowRun({ name: "etl" });
    await engine.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
    // A second engine on the same store has no cache: tokens come from the log.
    const { engine: fresh } = testEngine(fixture.store);
    const again = await fresh.propose(run.id, { to: "RUNNING", token: "t1", kind: "start" });
    assert.equal(again.status, "duplicate");
    assert.equal(fresh.events().length, 2);
  });
}
