/**
 * `ironflow work-queue` and `work-pool set-concurrency-limit`, from Prefect 3's "Work pools"
 * page (docs.prefect.io/v3/concepts/work-pools, "Work queues": priority, concurrency limits,
 * pausing).
 */
import assert from "node:assert/strict";
import { runCli } from "../../cli/mod.ts";
import { createInMemoryControlPlane } from "../../sdk/mod.ts";
import { DeploymentService } from "../../engine/deployments/mod.ts";

async function cli(plane: ReturnType<typeof createInMemoryControlPlane>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    cwd: Deno.cwd(),
    isTty: false,
    openPlane: () => plane,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("work-queue create, update, pause, resume, ls, delete in a pool", async () => {
  await using plane = Object.assign(createInMemoryControlPlane(), {
    [Symbol.asyncDispose]() {
      return plane.close();
    },
  });
  assert.equal((await cli(plane, "work-pool", "create", "etl")).code, 0);
  const created = await cli(
    plane,
    "work-queue",
    "create",
    "critical",
    "--pool",
    "etl",
    "--priority",
    "1",
    "--concurrency-limit",
    "2",
  );
  assert.equal(created.code, 0, created.err);
  assert.match(created.out, /^Created work queue critical in work pool etl with priority 1 \(/);
  await cli(plane, "work-queue", "update", "default", "--pool", "etl", "--priority", "3");
  const paused = await cli(plane, "work-queue", "pause", "critical", "--pool", "etl");
  assert.match(paused.out, /^Work queue critical of work pool etl paused/);
  const ls = await cli(plane, "work-queue", "ls", "--pool", "etl");
  assert.match(ls.out, /^critical\s+1\s+2\s+yes\s*$/m);
  assert.match(ls.out, /^default\s+3\s+-\s+no\s*$/m);
  assert.ok(ls.out.indexOf("critical") < ls.out.indexOf("default"), "priority order");
  await cli(plane, "work-queue", "resume", "critical", "--pool", "etl");
  await cli(plane, "work-queue", "update", "critical", "--pool", "etl", "--no-limit");
  const json = JSON.parse(
    (await cli(plane, "work-queue", "inspect", "critical", "--pool", "etl", "--json")).out,
  );
  assert.deepEqual([json.paused, json.concurrency_limit], [false, null]);

  const limit = await cli(plane, "work-pool", "set-concurrency-limit", "etl", "5");
  assert.match(limit.out, /^Work pool etl concurrency limit set to 5/);
  const inspect = await cli(plane, "work-pool", "inspect", "etl");
  assert.match(inspect.out, /Concurrency\s+5/);
  assert.match(inspect.out, /^critical\s+1\s+-\s+no$/m);

  const bad = await cli(plane, "work-queue", "create", "x", "--pool", "etl", "--priority", "high");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--priority must be a whole number of 1 or more, got "high"/);
  const gone = await cli(plane, "work-queue", "delete", "critical", "--pool", "etl");
  assert.match(gone.out, /^Deleted work queue critical of work pool etl/);
  const missing = await cli(plane, "work-queue", "inspect", "critical", "--pool", "etl");
  assert.equal(missing.code, 1);
  assert.match(missing.err, /Work queue "critical" does not exist in work pool "etl"/);
});

// Prefect 3 "Customize job variables" (docs.prefect.io/v3/deploy/infrastructure-concepts/customize).
Deno.test("work-pool set-base-job-variables and deployment run --job-variable record their layers", async () => {
  await using plane = Object.assign(createInMemoryControlPlane(), {
    [Symbol.asyncDispose]() {
      return plane.close();
    },
  });
  await cli(plane, "work-pool", "create", "etl", "--base-job-variables", '{"env":{"TIER":"pool"}}');
  const set = await cli(
    plane,
    "work-pool",
    "set-base-job-variables",
    "etl",
    '{"env":{"TIER":"gold"},"command_prefix":["nice","-n","5"]}',
  );
  assert.equal(set.code, 0, set.err);
  const pool = JSON.parse((await cli(plane, "work-pool", "inspect", "etl", "--json")).out);
  assert.deepEqual(pool.base_job_variables, {
    env: { TIER: "gold" },
    command_prefix: ["nice", "-n", "5"],
  });
  await new DeploymentService(plane.engine).create({
    name: "d",
    entrypoint: "./a.ts:a",
    workPool: "etl",
  });
  const run = await cli(
    plane,
    "deployment",
    "run",
    "d",
    "--job-variable",
    'env={"MODE":"fast"}',
    "--job-variable",
    "working_directory=/srv/run",
    "--json",
  );
  assert.equal(run.code, 0, run.err);
  const id = JSON.parse(run.out).id;
  assert.deepEqual(plane.engine.events(id)[0]!.data?.["jobVariables"], {
    env: { MODE: "fast" },
    working_directory: "/srv/run",
  });
  const bad = await cli(plane, "deployment", "run", "d", "--job-variable", "image=python");
  assert.equal(bad.code, 1);
  assert.match(
    bad.err,
    /--job-variable: unknown job variable "image"; use "env", "working_directory", "command_prefix"/,
  );
  const badPool = await cli(plane, "work-pool", "set-base-job-variables", "etl", "{nope");
  assert.match(badPool.err, /The base job variables must be a JSON object/);
});
