/**
 * The work queue forms on a pool's page (Prefect 3 "Work pools", work queues:
 * docs.prefect.io/v3/deploy/infrastructure-concepts/work-pools): create a
 * queue with a priority and a concurrency limit, change them, pause and
 * resume it, delete it (refused while a deployment uses it). A refused post
 * shows its problem under the field and changes nothing; a forged one is
 * refused.
 */
import assert from "node:assert/strict";
import { claimRuns, createDeploymentRun, listWorkQueues } from "../../engine/deployments/mod.ts";
import { type App, csrfOf, fieldError, formApp as setup, postForm as post } from "./_forms.ts";

const tokenOf = (app: App) => csrfOf(app, "/work-pools/default");

Deno.test("work-pools: a queue is created, changed, paused and resumed from the pool's page", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  const created = await post(t.app, "/work-pools/default/queues", {
    _csrf: token,
    name: "urgent",
    priority: "1",
    concurrency_limit: "2",
  });
  assert.equal(created.status, 303);
  const page = await (await t.app.request(created.headers.get("location")!)).text();
  assert.match(page, /Work queue &quot;urgent&quot; created\./);
  assert.match(page, /data-queue="urgent"/);
  const urgent = () => listWorkQueues(t.engine, "default").find((q) => q.name === "urgent")!;
  assert.deepEqual([urgent().priority, urgent().concurrencyLimit, urgent().paused], [1, 2, false]);

  const saved = await post(t.app, "/work-pools/default/queues/urgent/settings", {
    _csrf: token,
    priority: "5",
    concurrency_limit: "",
  });
  assert.equal(saved.status, 303);
  assert.deepEqual([urgent().priority, urgent().concurrencyLimit], [5, null]);

  assert.equal(
    (await post(t.app, "/work-pools/default/queues/urgent/pause", { _csrf: token }))
      .status,
    303,
  );
  assert.equal(urgent().paused, true);
  const d = await t.service.create({ name: "hot", entrypoint: "./a.ts:a", workQueue: "urgent" });
  await createDeploymentRun(t.engine, d);
  assert.deepEqual(await claimRuns(t.engine, "default", { workerId: "w" }), [], "paused: none");
  assert.equal(
    (await post(t.app, "/work-pools/default/queues/urgent/resume", { _csrf: token }))
      .status,
    303,
  );
  assert.equal((await claimRuns(t.engine, "default", { workerId: "w" })).length, 1);
});

Deno.test("work-pools: a refused queue form shows each problem under its field and changes nothing", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  const before = listWorkQueues(t.engine, "default");
  const refused = await post(t.app, "/work-pools/default/queues", {
    _csrf: token,
    name: "bad name!",
    priority: "0",
    concurrency_limit: "-1",
  });
  assert.equal(refused.status, 400);
  const page = await refused.text();
  assert.match(fieldError(page, "new-queue-name")!, /letters, digits/);
  assert.match(fieldError(page, "new-queue-priority")!, /whole number from 1/);
  assert.match(fieldError(page, "new-queue-concurrency_limit")!, /whole number from 0/);
  assert.deepEqual(listWorkQueues(t.engine, "default"), before);

  const twice = await post(t.app, "/work-pools/default/queues", { _csrf: token, name: "default" });
  assert.equal(twice.status, 400);
  assert.match(fieldError(await twice.text(), "new-queue-name")!, /already exists/);

  const edit = await post(t.app, "/work-pools/default/queues/default/settings", {
    _csrf: token,
    priority: "one",
    concurrency_limit: "",
  });
  assert.equal(edit.status, 400);
  assert.match(fieldError(await edit.text(), "queue-default-priority")!, /got "one"/);
  assert.deepEqual(listWorkQueues(t.engine, "default"), before);
});

Deno.test("work-pools: a queue in use is not deleted; a forged post is refused", async () => {
  await using t = setup();
  const token = await tokenOf(t.app);
  await post(t.app, "/work-pools/default/queues", { _csrf: token, name: "batch" });
  await t.service.create({ name: "nightly", entrypoint: "./a.ts:a", workQueue: "batch" });
  const refused = await post(t.app, "/work-pools/default/queues/batch/delete", { _csrf: token });
  assert.equal(refused.status, 303);
  const page = await (await t.app.request(refused.headers.get("location")!)).text();
  assert.match(page, /deployment &quot;nightly&quot; uses it; nothing was deleted/);
  assert.ok(listWorkQueues(t.engine, "default").some((q) => q.name === "batch"));

  const forged = await post(t.app, "/work-pools/default/queues/batch/delete", { _csrf: "x" });
  assert.equal(forged.status, 403);
  assert.ok(listWorkQueues(t.engine, "default").some((q) => q.name === "batch"));
});
