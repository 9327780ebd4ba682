/**
 * Work queues, from Prefect 3's "Work pools" page (docs.prefect.io/v3/concepts/work-pools,
 * "Work queues"): a pool has a `default` queue; workers claim from its queues in priority
 * order (lower number first), within each queue's concurrency limit and the pool's; a
 * paused queue hands out nothing; a worker may be restricted to some queues.
 */
import assert from "node:assert/strict";
import {
  claimRuns,
  createDeploymentRun,
  createWorkPool,
  createWorkQueue,
  deleteWorkQueue,
  listWorkQueues,
  releaseClaim,
  updateWorkPool,
  updateWorkQueue,
} from "../../../engine/deployments/mod.ts";
import { createPostgresStore } from "../../../engine/mod.ts";
import { freshPostgresSchema, POSTGRES_SKIP, POSTGRES_URL } from "../_helpers.ts";
import { fixture, onEachStore } from "./_helpers.ts";

Deno.test("work queues: a pool has a default queue; deployments name theirs, created on first use", async () => {
  await using f = fixture();
  await createWorkPool(f.engine, { name: "etl" });
  assert.deepEqual(listWorkQueues(f.engine, "etl").map((q) => [q.name, q.priority]), [
    ["default", 1],
  ]);
  const d = await f.deployments.create({
    name: "a",
    entrypoint: "./a.ts:a",
    workPool: "etl",
    workQueue: "critical",
  });
  assert.equal(d.workQueue, "critical");
  assert.deepEqual(listWorkQueues(f.engine, "etl").map((q) => [q.name, q.priority]), [
    ["default", 1],
    ["critical", 2],
  ]);
  const plain = await f.deployments.create({ name: "b", entrypoint: "./a.ts:a", workPool: "etl" });
  assert.equal(plain.workQueue, "default");
  await assert.rejects(deleteWorkQueue(f.engine, "etl", "critical"), /deployment "a" uses it/);
  await assert.rejects(deleteWorkQueue(f.engine, "etl", "default"), /Cannot delete work queue/);
  await assert.rejects(
    createWorkQueue(f.engine, "etl", "critical"),
    /Work queue "critical" already exists in work pool "etl"/,
  );
  await assert.rejects(
    updateWorkQueue(f.engine, "etl", "low", { priority: 0 }),
    /priority must be a whole number of 1 or more, got 0/,
  );
});

Deno.test("work queues: claims follow queue priority, then due time", async (t) => {
  await onEachStore(t, async (f) => {
    await createWorkQueue(f.engine, "default", "high", { priority: 1 });
    await updateWorkQueue(f.engine, "default", "default", { priority: 5 });
    await createWorkQueue(f.engine, "default", "low", { priority: 9 });
    const deploy = (name: string, workQueue: string) =>
      f.deployments.create({ name, entrypoint: "./a.ts:a", workQueue });
    const low = await deploy("low-d", "low");
    const normal = await deploy("normal-d", "default");
    const high = await deploy("high-d", "high");
    const now = f.clock.now();
    // Oldest first in time: low, then normal, then high.
    const runs = [
      await createDeploymentRun(f.engine, low, { expectedStartTime: now - 3000 }),
      await createDeploymentRun(f.engine, normal, { expectedStartTime: now - 2000 }),
      await createDeploymentRun(f.engine, high, { expectedStartTime: now - 1000 }),
      await createDeploymentRun(f.engine, high, { expectedStartTime: now - 500 }),
    ];

    const claimed = await claimRuns(f.engine, "default", { workerId: "w", limit: 4 });

    assert.deepEqual(claimed.map((c) => c.run.id), [
      runs[2]!.id,
      runs[3]!.id,
      runs[1]!.id,
      runs[0]!.id,
    ]);
    assert.deepEqual(claimed.map((c) => c.claim.queue), ["high", "high", "default", "low"]);
  });
});

Deno.test("work queues: a queue's concurrency limit holds until a claim is released", async (t) => {
  await onEachStore(t, async (f) => {
    await createWorkQueue(f.engine, "default", "gpu", { concurrencyLimit: 1 });
    const gpu = await f.deployments.create({ name: "g", entrypoint: "./a.ts:a", workQueue: "gpu" });
    const other = await f.deployments.create({ name: "o", entrypoint: "./a.ts:a" });
    const first = await createDeploymentRun(f.engine, gpu);
    const second = await createDeploymentRun(f.engine, gpu);
    const plain = await createDeploymentRun(f.engine, other);

    const claimed = await claimRuns(f.engine, "default", { workerId: "w", limit: 10 });

    assert.deepEqual(claimed.map((c) => c.run.id).sort(), [first.id, plain.id].sort());
    assert.deepEqual(await claimRuns(f.engine, "default", { workerId: "w2" }), []);
    const held = claimed.find((c) => c.run.id === first.id)!;
    await releaseClaim(f.engine, first.id, held.claim.claimId);
    const next = await claimRuns(f.engine, "default", { workerId: "w2" });
    assert.deepEqual(next.map((c) => c.run.id), [second.id]);
  });
});

Deno.test("work queues: the pool's concurrency limit caps claims across its queues", async () => {
  await using f = fixture();
  await createWorkPool(f.engine, { name: "small", concurrencyLimit: 2 });
  await createWorkQueue(f.engine, "small", "other");
  const a = await f.deployments.create({ name: "a", entrypoint: "./a.ts:a", workPool: "small" });
  const b = await f.deployments.create({
    name: "b",
    entrypoint: "./a.ts:a",
    workPool: "small",
    workQueue: "other",
  });
  for (const d of [a, b, a, b]) await createDeploymentRun(f.engine, d);
  assert.equal((await claimRuns(f.engine, "small", { workerId: "w", limit: 10 })).length, 2);
  assert.equal((await claimRuns(f.engine, "small", { workerId: "w", limit: 10 })).length, 0);
  await updateWorkPool(f.engine, "small", { concurrencyLimit: 3 });
  assert.equal((await claimRuns(f.engine, "small", { workerId: "w", limit: 10 })).length, 1);
  await assert.rejects(
    updateWorkPool(f.engine, "small", { concurrencyLimit: -1 }),
    /Work pool "small": concurrency limit must be a whole number of 0 or more, got -1/,
  );
});

Deno.test("work queues: a paused queue hands out nothing; a worker restricted to queues claims only from them", async (t) => {
  await onEachStore(t, async (f) => {
    await createWorkQueue(f.engine, "default", "batch");
    const batch = await f.deployments.create({
      name: "batch-d",
      entrypoint: "./a.ts:a",
      workQueue: "batch",
    });
    const plain = await f.deployments.create({ name: "plain-d", entrypoint: "./a.ts:a" });
    const batchRun = await createDeploymentRun(f.engine, batch);
    const plainRun = await createDeploymentRun(f.engine, plain);

    await updateWorkQueue(f.engine, "default", "batch", { paused: true });
    const onlyBatch = await claimRuns(f.engine, "default", { workerId: "w", queues: ["batch"] });
    assert.deepEqual(onlyBatch, [], "the queue is paused");
    await updateWorkQueue(f.engine, "default", "batch", { paused: false });
    const again = await claimRuns(f.engine, "default", {
      workerId: "w",
      queues: ["batch"],
      limit: 5,
    });
    assert.deepEqual(again.map((c) => c.run.id), [batchRun.id], "not the default queue's run");
    const rest = await claimRuns(f.engine, "default", { workerId: "w", limit: 5 });
    assert.deepEqual(rest.map((c) => c.run.id), [plainRun.id]);
    await assert.rejects(
      claimRuns(f.engine, "default", { workerId: "w", queues: ["nope"] }),
      /Work queue "nope" does not exist in work pool "default"/,
    );
  });
});

Deno.test({
  name: `work queues on PostgreSQL: priority order, a queue's limit and a paused queue${
    POSTGRES_URL ? "" : ` (${POSTGRES_SKIP})`
  }`,
  ignore: !POSTGRES_URL,
  async fn() {
    await using pg = freshPostgresSchema();
    await using f = fixture(createPostgresStore(POSTGRES_URL!, { schema: pg.schema }));
    await createWorkQueue(f.engine, "default", "high", { priority: 1, concurrencyLimit: 1 });
    await updateWorkQueue(f.engine, "default", "default", { priority: 2 });
    await createWorkQueue(f.engine, "default", "held", { priority: 3, paused: true });
    const plain = await f.deployments.create({ name: "plain", entrypoint: "./a.ts:a" });
    const high = await f.deployments.create({
      name: "hi",
      entrypoint: "./a.ts:a",
      workQueue: "high",
    });
    const held = await f.deployments.create({
      name: "held",
      entrypoint: "./a.ts:a",
      workQueue: "held",
    });
    const now = f.clock.now();
    const first = await createDeploymentRun(f.engine, plain, { expectedStartTime: now - 3000 });
    await createDeploymentRun(f.engine, held, { expectedStartTime: now - 2500 });
    const urgent = await createDeploymentRun(f.engine, high, { expectedStartTime: now - 1000 });
    await createDeploymentRun(f.engine, high, { expectedStartTime: now - 500 });

    const claimed = await claimRuns(f.engine, "default", { workerId: "w", limit: 10 });

    assert.deepEqual(claimed.map((c) => c.run.id), [urgent.id, first.id]);
  },
});

Deno.test("work queues: a deployment stored before queues is in the default queue and applies unchanged", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "old", entrypoint: "./a.ts:a" });
  // As an older version stored it: no workQueue field.
  const { workQueue: _, ...before } = d;
  await f.engine.transact((tx) => {
    const doc = tx.getDocument("deployment", d.id)!;
    tx.putDocument({ ...doc, data: before as never });
  });
  const result = await f.deployments.apply([{ name: "old", entrypoint: "./a.ts:a" }]);
  assert.deepEqual(result.unchanged.map((x) => x.name), ["old"]);
  const run = await createDeploymentRun(f.engine, f.deployments.get("old"));
  const [claimed] = await claimRuns(f.engine, "default", { workerId: "w", queues: ["default"] });
  assert.equal(claimed?.run.id, run.id);
  assert.equal(claimed?.claim.queue, "default");
});
