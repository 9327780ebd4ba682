import assert from "node:assert/strict";
import { ConflictError, NotFoundError } from "../../../engine/mod.ts";
import {
  claimRuns,
  CONCURRENCY_LIMIT_REACHED,
  createDeploymentRun,
  DeploymentError,
} from "../../../engine/deployments/mod.ts";
import { fixture } from "./_helpers.ts";

Deno.test("DeploymentService creates, finds by id or name, lists and updates deployments", async () => {
  await using f = fixture();
  const etl = await f.deployments.create({
    name: "etl-daily",
    entrypoint: "./flows/etl.ts:etl",
    parameters: { day: "today" },
    tags: ["nightly"],
  });
  assert.equal(etl.flowName, "etl");
  assert.equal(etl.workPool, "default");
  assert.equal(f.deployments.get(etl.id).name, "etl-daily");
  assert.equal(f.deployments.get("etl-daily").id, etl.id);
  await f.deployments.create({ name: "another", entrypoint: "./b.ts:b" });
  assert.deepEqual(f.deployments.list().items.map((d) => d.name), ["another", "etl-daily"]);
  const page = f.deployments.list({ limit: 1 });
  assert.deepEqual(page.items.map((d) => d.name), ["another"]);
  assert.deepEqual(
    f.deployments.list({ cursor: page.nextCursor! }).items.map((d) => d.name),
    ["etl-daily"],
  );
  const paused = await f.deployments.setPaused("etl-daily", true);
  assert.equal(paused.paused, true);
  await assert.rejects(
    () => f.deployments.create({ name: "etl-daily", entrypoint: "./c.ts:c" }),
    ConflictError,
  );
  assert.throws(() => f.deployments.get("nope"), NotFoundError);
});

Deno.test("DeploymentService lists every problem of an invalid deployment", async () => {
  await using f = fixture();
  await assert.rejects(
    () =>
      f.deployments.create({
        name: "bad name!",
        entrypoint: "",
        concurrencyLimit: 0,
        schedules: [{ kind: "cron", cron: "* *", timezone: "UTC", active: true, catchup: "skip" }],
      }),
    (error: DeploymentError) => {
      assert.equal(error.code, "invalid_deployment");
      assert.equal(error.problems.length, 4, error.problems.join("\n"));
      assert.match(error.message, /schedules\[0\]: cron "\* \*" must have 5 or 6 fields/);
      return true;
    },
  );
});

Deno.test("renaming keeps the id and the old name resolves through formerly", async () => {
  await using f = fixture();
  const old = await f.deployments.create({ name: "old-name", entrypoint: "./a.ts:a" });
  const renamed = await f.deployments.update("old-name", { name: "new-name" });
  assert.equal(renamed.id, old.id);
  assert.deepEqual(renamed.formerly, ["old-name"]);
  assert.equal(f.deployments.get("old-name").id, old.id);
  assert.deepEqual(f.deployments.list().items.map((d) => d.name), ["new-name"]);
  await assert.rejects(
    () => f.deployments.create({ name: "old-name", entrypoint: "./b.ts:b" }),
    ConflictError,
  );
  // A manifest that names the deployment by its new name and lists the old one applies in place.
  const applied = await f.deployments.apply([
    { name: "new-name", entrypoint: "./a.ts:a", formerly: ["old-name"] },
  ]);
  assert.equal(applied.unchanged.length, 1);
});

Deno.test("apply upserts many, reports unchanged ones, prunes the rest and supports dry runs", async () => {
  await using f = fixture();
  await f.deployments.create({ name: "keep", entrypoint: "./a.ts:a" });
  await f.deployments.create({ name: "drop", entrypoint: "./b.ts:b" });
  const dry = await f.deployments.apply([
    { name: "keep", entrypoint: "./a.ts:a" },
    { name: "fresh", entrypoint: "./c.ts:c" },
  ], { prune: true, dryRun: true });
  assert.deepEqual(dry.created.map((d) => d.name), ["fresh"]);
  assert.deepEqual(dry.unchanged.map((d) => d.name), ["keep"]);
  assert.deepEqual(dry.pruned.map((d) => d.name), ["drop"]);
  assert.deepEqual(f.deployments.list().items.map((d) => d.name), ["drop", "keep"], "dry run");
  const real = await f.deployments.apply([
    { name: "keep", entrypoint: "./a.ts:a", tags: ["changed"] },
    { name: "fresh", entrypoint: "./c.ts:c" },
  ], { prune: true });
  assert.deepEqual(real.updated.map((d) => d.name), ["keep"]);
  assert.deepEqual(real.pruned.map((d) => d.name), ["drop"]);
  assert.deepEqual(f.deployments.list().items.map((d) => d.name), ["fresh", "keep"]);
});

Deno.test("apply applies nothing when one entry is invalid", async () => {
  await using f = fixture();
  await assert.rejects(
    f.deployments.apply([
      { name: "good", entrypoint: "./a.ts:a" },
      { name: "bad", entrypoint: "./b.ts:b", concurrencyLimit: -1 },
    ]),
    /deployments\[1\] "bad": concurrency limit must be a whole number/,
  );
  assert.deepEqual(f.deployments.list().items, []);
});

Deno.test("soft delete is refused while runs are live or a schedule is active", async () => {
  await using f = fixture();
  const scheduled = await f.deployments.create({
    name: "scheduled",
    entrypoint: "./a.ts:a",
    schedules: [{
      kind: "interval",
      intervalSeconds: 60,
      anchor: 0,
      timezone: "UTC",
      active: true,
      catchup: "skip",
    }],
  });
  await assert.rejects(() => f.deployments.delete(scheduled.id), (error: ConflictError) => {
    assert.equal(error.code, "deployment_in_use");
    assert.match(error.message, /1 schedule is active/);
    return true;
  });
  const manual = await f.deployments.create({ name: "manual", entrypoint: "./a.ts:a" });
  const run = await createDeploymentRun(f.engine, manual);
  await assert.rejects(() => f.deployments.delete("manual"), /1 run is still live \(1 SCHEDULED\)/);
  await f.engine.propose(run.id, { to: "CANCELLED", token: "c", kind: "user_cancel" });
  const deleted = await f.deployments.delete("manual");
  assert.notEqual(deleted.deletedAt, null);
  assert.equal(f.deployments.find("manual"), undefined);
  // The name is free again.
  await f.deployments.create({ name: "manual", entrypoint: "./other.ts:o" });
});

Deno.test("createDeploymentRun() merges parameters and validates them against the schema", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "typed",
    entrypoint: "./a.ts:a",
    parameters: { n: 1 },
    parameterSchema: {
      type: "object",
      properties: { n: { type: "integer", minimum: 1 }, label: { type: "string" } },
      required: ["n", "label"],
    },
  });
  const run = await createDeploymentRun(f.engine, d, { parameters: { label: "x" } });
  assert.deepEqual(run.parameters, { n: 1, label: "x" });
  assert.equal(run.state, "SCHEDULED");
  assert.equal(run.deploymentId, d.id);
  await assert.rejects(
    createDeploymentRun(f.engine, d, { parameters: { n: 0 } }),
    (error: DeploymentError) => {
      assert.equal(error.code, "invalid_parameters");
      assert.match(error.message, /n: Too small/);
      assert.match(error.message, /label/);
      return true;
    },
  );
});

Deno.test("the same idempotency key returns the same run", async () => {
  await using f = fixture();
  const d = await f.deployments.create({ name: "idem", entrypoint: "./a.ts:a" });
  const [a, b] = await Promise.all([
    createDeploymentRun(f.engine, d, { idempotencyKey: "k1" }),
    createDeploymentRun(f.engine, d, { idempotencyKey: "k1" }),
  ]);
  const c = await createDeploymentRun(f.engine, d, { idempotencyKey: "k1" });
  const other = await createDeploymentRun(f.engine, d, { idempotencyKey: "k2" });
  assert.equal(a.id, b.id);
  assert.equal(a.id, c.id);
  assert.notEqual(a.id, other.id);
  assert.equal(f.deployments.runs(d.id).items.length, 2);
});

Deno.test("CANCEL_NEW at capacity returns a CANCELLED run with 'concurrency limit reached'", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "single",
    entrypoint: "./a.ts:a",
    concurrencyLimit: 1,
    collisionStrategy: "CANCEL_NEW",
  });
  await createDeploymentRun(f.engine, d);
  const [claimed] = await claimRuns(f.engine, "default", { workerId: "w1" });
  await f.engine.propose(claimed!.run.id, { to: "RUNNING", token: "s", kind: "start" });
  const second = await createDeploymentRun(f.engine, d);
  assert.equal(second.state, "CANCELLED");
  assert.equal(second.message, CONCURRENCY_LIMIT_REACHED);
});

Deno.test("ENQUEUE keeps the second run SCHEDULED until the first finishes", async () => {
  await using f = fixture();
  const d = await f.deployments.create({
    name: "queue",
    entrypoint: "./a.ts:a",
    concurrencyLimit: 1,
  });
  const first = await createDeploymentRun(f.engine, d);
  const second = await createDeploymentRun(f.engine, d);
  const claims = await claimRuns(f.engine, "default", { workerId: "w1", limit: 5 });
  assert.deepEqual(claims.map((c) => c.run.id), [first.id]);
  assert.deepEqual(await claimRuns(f.engine, "default", { workerId: "w2" }), []);
  assert.equal(f.engine.getRun(second.id)!.state, "SCHEDULED");
  await f.engine.propose(first.id, { to: "RUNNING", token: "s", kind: "start" });
  await f.engine.propose(first.id, { to: "COMPLETED", token: "c", kind: "complete" });
  const next = await claimRuns(f.engine, "default", { workerId: "w2" });
  assert.deepEqual(next.map((c) => c.run.id), [second.id]);
  assert.equal(next[0]!.run.state, "PENDING");
});
