import assert from "node:assert/strict";
import {
  archiveFlow,
  deleteFlow,
  findFlow,
  getFlow,
  listFlows,
  renameFlow,
  restoreFlow,
  setRetention,
} from "../../../engine/catalog/mod.ts";
import { ConflictError, InvalidArgumentError, NotFoundError } from "../../../engine/mod.ts";
import { DeploymentService } from "../../../engine/deployments/mod.ts";
import { catalogFixture, runIn } from "./_helpers.ts";

Deno.test("renameFlow() keeps the id and the old name resolves to the flow", async () => {
  await using f = catalogFixture();
  const old = await runIn(f.engine, "etl", "COMPLETED");
  const before = await getFlow(f.engine, f.clock, "etl");
  const renamed = await renameFlow(f.engine, f.clock, "etl", "etl-v2");
  assert.equal(renamed.id, before.id);
  assert.deepEqual(renamed.formerly, ["etl"]);
  assert.equal(findFlow(f.store, "etl")?.id, before.id);
  assert.equal((await getFlow(f.engine, f.clock, "etl")).name, "etl-v2");
  assert.equal(f.store.getRun(old.id)?.flowName, "etl", "history keeps the recorded name");
  await runIn(f.engine, "etl", "COMPLETED");
  const listed = listFlows(f.store);
  assert.deepEqual(listed.map((x) => [x.name, x.runs]), [["etl-v2", 2]]);
  const back = await renameFlow(f.engine, f.clock, "etl-v2", "etl");
  assert.equal(back.id, before.id, "renaming back to an alias is allowed");
  assert.deepEqual(back.formerly, ["etl-v2"]);
});

Deno.test("renameFlow() refuses a name another flow holds", async () => {
  await using f = catalogFixture();
  await runIn(f.engine, "etl", "COMPLETED");
  await runIn(f.engine, "report", "COMPLETED");
  await assert.rejects(() => renameFlow(f.engine, f.clock, "etl", "report"), ConflictError);
  await renameFlow(f.engine, f.clock, "report", "report-v2");
  await assert.rejects(
    () => renameFlow(f.engine, f.clock, "etl", "report"),
    ConflictError,
    "a former name stays reserved",
  );
  await runIn(f.engine, "gone", "COMPLETED");
  await deleteFlow(f.engine, f.clock, "gone");
  await assert.rejects(
    () => renameFlow(f.engine, f.clock, "etl", "gone"),
    ConflictError,
    "a deleted flow's runs keep their name",
  );
  await assert.rejects(() => renameFlow(f.engine, f.clock, "nope", "x"), NotFoundError);
  await assert.rejects(() => renameFlow(f.engine, f.clock, "etl", " "), InvalidArgumentError);
});

Deno.test("archiveFlow() hides a flow from listings and restoreFlow() shows it", async () => {
  await using f = catalogFixture();
  await runIn(f.engine, "etl", "COMPLETED");
  await runIn(f.engine, "report", "COMPLETED");
  await archiveFlow(f.engine, f.clock, "etl");
  assert.deepEqual(listFlows(f.store).map((x) => x.name), ["report"]);
  const all = listFlows(f.store, { archived: true });
  assert.deepEqual(all.map((x) => [x.name, x.archived]), [["etl", true], ["report", false]]);
  assert.equal((await restoreFlow(f.engine, f.clock, "etl")).archived, false);
  assert.deepEqual(listFlows(f.store).map((x) => x.name), ["etl", "report"]);
});

Deno.test("deleteFlow() is refused while deployments of the flow exist", async () => {
  await using f = catalogFixture();
  await runIn(f.engine, "etl", "COMPLETED");
  const deployments = new DeploymentService(f.engine);
  await deployments.create({ name: "etl-daily", entrypoint: "./flows/etl.ts:etl" });
  await assert.rejects(() => deleteFlow(f.engine, f.clock, "etl"), (error: unknown) => {
    assert.ok(error instanceof ConflictError);
    assert.equal(error.code, "flow_has_deployments");
    assert.match(error.message, /"etl-daily"/);
    return true;
  });
  await deployments.delete("etl-daily");
  assert.equal((await deleteFlow(f.engine, f.clock, "etl")).name, "etl");
  assert.deepEqual(listFlows(f.store), [], "a deleted flow leaves the listings");
  await assert.rejects(() => getFlow(f.engine, f.clock, "etl"), NotFoundError);
  f.clock.tick(1000);
  await runIn(f.engine, "etl", "COMPLETED");
  assert.deepEqual(listFlows(f.store).map((x) => x.name), ["etl"], "a new run brings it back");
});

Deno.test("deleteFlow() is refused while runs of the flow are live", async () => {
  await using f = catalogFixture();
  const live = await runIn(f.engine, "etl", "RUNNING");
  await assert.rejects(() => deleteFlow(f.engine, f.clock, "etl"), (error: unknown) => {
    assert.ok(error instanceof ConflictError);
    assert.equal(error.code, "flow_has_live_runs");
    return true;
  });
  await f.engine.propose(live.id, { to: "COMPLETED", token: "done", kind: "finish" });
  await f.engine.flush();
  await deleteFlow(f.engine, f.clock, "etl");
});

Deno.test("setRetention() takes whole days from 1 to 36500, or null to keep runs", async () => {
  await using f = catalogFixture();
  await runIn(f.engine, "etl", "COMPLETED");
  assert.equal((await setRetention(f.engine, f.clock, "etl", 7)).retentionDays, 7);
  assert.equal((await getFlow(f.engine, f.clock, "etl")).retentionDays, 7);
  for (const bad of [0, 1.5, 36_501]) {
    await assert.rejects(
      () => setRetention(f.engine, f.clock, "etl", bad),
      InvalidArgumentError,
      String(bad),
    );
  }
  assert.equal((await setRetention(f.engine, f.clock, "etl", null)).retentionDays, null);
});
