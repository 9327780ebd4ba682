import assert from "node:assert/strict";
import { setRetention } from "../../../engine/catalog/mod.ts";
import { sweepRetention } from "../../../engine/retention/mod.ts";
import { triggerDeploymentRun } from "../../../engine/deployments/mod.ts";
import { DAY, noPause } from "../catalog/_helpers.ts";
import { fixture, onEachStore } from "./_helpers.ts";

const IDEMPOTENCY = "deployment_idempotency";

Deno.test("an idempotency key is forgotten with the run retention purged: a replay makes a new run", async (t) => {
  await onEachStore(t, async (f) => {
    const d = await f.deployments.create({
      name: "nightly",
      entrypoint: "./a.ts:a",
      flowName: "etl",
    });
    const first = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "2024-05-01" });
    assert.equal(first.created, true);
    await f.engine.propose(first.run.id, { to: "CANCELLED", token: "c", kind: "cancel" });
    const kept = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "2024-05-02" });
    const key = `${d.id}|2024-05-01`;
    assert.equal(f.engine.reader.getDocument(IDEMPOTENCY, key)?.ref, first.run.id);

    const replayed = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "2024-05-01" });
    assert.equal(replayed.created, false, "before the purge the key still replays");
    assert.equal(replayed.run.id, first.run.id);

    await setRetention(f.engine, f.clock, "etl", 1);
    f.clock.tick(2 * DAY);
    // A newer run holds the log's newest event, so the cancelled run is not kept for it.
    await f.engine.createFlowRun({ name: "other" });
    const swept = await sweepRetention(f.engine, f.clock, { pause: noPause });
    assert.equal(swept.roots, 1);
    assert.equal(f.engine.reader.getRun(first.run.id), undefined);
    assert.equal(f.engine.reader.getDocument(IDEMPOTENCY, key), undefined, "purged with its run");
    assert.equal(f.engine.reader.getRun(kept.run.id)?.state, "SCHEDULED", "live runs stay");
    assert.ok(f.engine.reader.getDocument(IDEMPOTENCY, `${d.id}|2024-05-02`));

    const again = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "2024-05-01" });
    assert.equal(again.created, true);
    assert.notEqual(again.run.id, first.run.id, "the purged id is never brought back");
    assert.equal(f.engine.reader.getRun(first.run.id), undefined);
    assert.equal(f.engine.reader.getDocument(IDEMPOTENCY, key)?.ref, again.run.id);
    const once = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "2024-05-01" });
    assert.equal(once.run.id, again.run.id, "the new run owns the key from now on");
  });
});

Deno.test("a key written before keys named their run is forgotten when its run is gone", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "nightly", entrypoint: "./a.ts:a" });
  const live = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "live" });
  for (const [key, runId] of [["gone", "purged-run"], ["live", live.run.id]]) {
    // The shape of documents written before: ref is the deployment id.
    await f.engine.transact((tx) =>
      tx.putDocument({
        collection: IDEMPOTENCY,
        key: `${d.id}|${key}`,
        ref: d.id,
        data: { runId: runId! },
        createdAt: 0,
        updatedAt: 0,
        expiresAt: null,
      })
    );
  }
  const gone = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "gone" });
  assert.equal(gone.created, true);
  assert.notEqual(gone.run.id, "purged-run");
  assert.equal(f.engine.reader.getRun("purged-run"), undefined);
  const still = await triggerDeploymentRun(f.engine, d, { idempotencyKey: "live" });
  assert.equal(still.created, false);
  assert.equal(still.run.id, live.run.id);
});
