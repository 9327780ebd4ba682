import assert from "node:assert/strict";
import { setRetention } from "../../engine/catalog/mod.ts";
import { sweepRetention } from "../../engine/retention/mod.ts";
import {
  ARTIFACT_COLLECTIONS,
  type ArtifactKeyPointer,
  createArtifact,
  getArtifact,
  latestArtifact,
  repairArtifactKeys,
  type Store,
} from "../../engine/mod.ts";
import { DAY, noPause, onEachStore, runIn } from "../engine/catalog/_helpers.ts";

function pointer(store: Store, key: string): ArtifactKeyPointer | undefined {
  return store.getDocument(ARTIFACT_COLLECTIONS.key, key)?.data as ArtifactKeyPointer | undefined;
}

Deno.test("a keyed artifact's latest moves to the newest surviving version when retention purges it", async (t) => {
  await onEachStore(t, async ({ engine, clock, store }) => {
    const kept = await runIn(engine, "kept-flow", "COMPLETED");
    const old1 = await runIn(engine, "etl", "COMPLETED");
    const old2 = await runIn(engine, "etl", "COMPLETED");
    const report = (flowRunId: string, data: string, key = "daily-report") =>
      createArtifact(engine, clock, { key, type: "markdown", data, flowRunId });
    const v1 = await report(kept.id, "# v1");
    await report(old1.id, "# v2");
    const v3 = await report(old2.id, "# v3");
    await report(old1.id, "# only", "etl-only");
    assert.equal(latestArtifact(store, "daily-report")?.id, v3.id);

    await setRetention(engine, clock, "etl", 1);
    clock.tick(2 * DAY);
    const fresh = await runIn(engine, "etl", "COMPLETED");
    const f1 = await report(fresh.id, "# fresh", "fresh-report");

    const swept = await sweepRetention(engine, clock, { pause: noPause });
    assert.equal(swept.roots, 2);
    assert.equal(getArtifact(store, v3.id), undefined);
    assert.equal(swept.artifactKeys, 2);
    assert.deepEqual(pointer(store, "daily-report"), {
      version: 3,
      latestId: v1.id,
      indexed: true,
    });
    assert.deepEqual(pointer(store, "etl-only"), { version: 1, latestId: null, indexed: true });
    assert.equal(latestArtifact(store, "fresh-report")?.id, f1.id, "surviving keys stay");
    assert.equal(latestArtifact(store, "daily-report")?.id, v1.id);
    assert.equal(latestArtifact(store, "etl-only"), undefined);

    // A sweep stopped between the purge and the repair: reading skips the purged version.
    const doc = store.getDocument(ARTIFACT_COLLECTIONS.key, "daily-report")!;
    await engine.transact((tx) =>
      tx.putDocument({ ...doc, data: { version: 3, latestId: v3.id, indexed: true } })
    );
    assert.equal(latestArtifact(store, "daily-report")?.id, v1.id);
    assert.equal(await repairArtifactKeys(engine, clock), 1);

    const v4 = await report(kept.id, "# v4");
    assert.equal(v4.version, 4, "a version number is never given twice");
    assert.equal(latestArtifact(store, "daily-report")?.id, v4.id);
    assert.equal((await report(kept.id, "# again", "etl-only")).version, 2);

    const idle = await sweepRetention(engine, clock, { pause: noPause });
    assert.equal(idle.artifactKeys, 0, "nothing purged, nothing to move");
  });
});

Deno.test("a key whose versions predate version entries finds its survivor by a scan", async (t) => {
  await onEachStore(t, async ({ engine, clock, store }) => {
    const kept = await runIn(engine, "kept-flow", "COMPLETED");
    const old = await runIn(engine, "etl", "COMPLETED");
    const v1 = await createArtifact(engine, clock, {
      key: "legacy",
      type: "markdown",
      data: "# v1",
      flowRunId: kept.id,
    });
    const v2 = await createArtifact(engine, clock, {
      key: "legacy",
      type: "markdown",
      data: "# v2",
      flowRunId: old.id,
    });
    // As written before version entries: no entries and a pointer without `indexed`.
    const doc = store.getDocument(ARTIFACT_COLLECTIONS.key, "legacy")!;
    await engine.transact((tx) => {
      for (const version of [1, 2]) {
        tx.deleteDocument(
          ARTIFACT_COLLECTIONS.version,
          `legacy|${String(version).padStart(10, "0")}`,
        );
      }
      tx.putDocument({ ...doc, data: { version: 2, latestId: v2.id } });
    });

    await setRetention(engine, clock, "etl", 1);
    clock.tick(2 * DAY);
    await runIn(engine, "other", "COMPLETED");
    const swept = await sweepRetention(engine, clock, { pause: noPause });
    assert.equal(swept.roots, 1);
    assert.equal(latestArtifact(store, "legacy")?.id, v1.id);
    assert.deepEqual(pointer(store, "legacy"), { version: 2, latestId: v1.id });
  });
});
