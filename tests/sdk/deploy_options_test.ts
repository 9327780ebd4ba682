/**
 * `flow.deploy()` options from Prefect 3's "Schedules" page
 * (docs.prefect.io/v3/concepts/schedules): schedules with a slug, their own
 * parameters and `active`.
 */
import assert from "node:assert/strict";
import { nightly } from "../testdata/sdk/deployable_flow.ts";
import { runDeployment } from "../../sdk/mod.ts";
import { testPlane } from "./_helpers.ts";

Deno.test("flow.deploy() keeps each schedule's slug, parameters and active flag", async () => {
  await using plane = testPlane();
  const deployment = await nightly.deploy({
    plane,
    name: "nightly-eu",
    parameters: { n: 4 },
    schedules: [
      { cron: "0 3 * * *", slug: "night", parameters: { n: 8 } },
      { interval: 3600, slug: "hourly", active: false },
    ],
  });
  assert.deepEqual(
    deployment.schedules.map((s) => [s.slug, s.active, s.parameters ?? null]),
    [["night", true, { n: 8 }], ["hourly", false, null]],
  );
  await assert.rejects(
    nightly.deploy({
      plane,
      name: "nightly-bad",
      schedules: [{ cron: "0 3 * * *", slug: "x" }, { cron: "0 4 * * *", slug: "x" }],
    }),
    /slug "x" is used by another schedule/,
  );
});

// Prefect 3 "Work pools" (docs.prefect.io/v3/concepts/work-pools) and "Customize job variables"
// (docs.prefect.io/v3/deploy/infrastructure-concepts/customize).
Deno.test("flow.deploy() names a work queue and sets job variables", async () => {
  await using plane = testPlane();
  const deployment = await nightly.deploy({
    plane,
    name: "nightly-queued",
    workPool: "reports",
    workQueue: "critical",
    jobVariables: { env: { MODE: "fast" }, command_prefix: ["nice", "-n", "5"] },
  });
  assert.equal(deployment.workQueue, "critical");
  assert.deepEqual(deployment.env, { MODE: "fast" });
  assert.deepEqual(deployment.commandPrefix, ["nice", "-n", "5"]);
  await assert.rejects(
    nightly.deploy({ plane, name: "nightly-bad", jobVariables: { image: "x" } }),
    /unknown job variable "image"/,
  );
});

// Prefect 3 run_deployment(job_variables=...) ("Customize job variables",
// docs.prefect.io/v3/deploy/infrastructure-concepts/customize).
Deno.test("runDeployment() passes job variables to the run it creates", async () => {
  await using plane = testPlane();
  await nightly.deploy({ plane, name: "nightly-jobs", workPool: "reports" });
  const child = runDeployment("nightly-jobs", { n: 1 }, {
    plane,
    detach: true,
    jobVariables: { env: { MODE: "fast" }, working_directory: "/srv/reports" },
  });
  const run = await child.run;
  assert.deepEqual(plane.engine.events(run.id)[0]!.data?.["jobVariables"], {
    env: { MODE: "fast" },
    working_directory: "/srv/reports",
  });
  const refused = runDeployment("nightly-jobs", { n: 1 }, {
    plane,
    detach: true,
    jobVariables: { image: "x" } as never,
  });
  await assert.rejects(refused.run, /unknown job variable "image"/);
});
