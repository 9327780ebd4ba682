/**
 * ironflow.yaml with Prefect 3's deployment fields: a schedule's `slug` and `parameters`
 * ("Schedules", docs.prefect.io/v3/concepts/schedules), `work_pool.work_queue_name` ("Work
 * pools", docs.prefect.io/v3/concepts/work-pools) and `job_variables` ("Customize job
 * variables", docs.prefect.io/v3/deploy/infrastructure-concepts/customize).
 */
import assert from "node:assert/strict";
import { parseManifest } from "../../cli/manifest.ts";
import { fromDeploymentSpec } from "../../wire/mod.ts";

const MANIFEST = `
deployments:
  - name: sales-daily
    entrypoint: ./flows/sales.ts:sales
    parameters: { pages: 3 }
    work_pool:
      name: etl
      work_queue_name: critical
      job_variables:
        env: { MODE: fast }
        working_directory: ./jobs
        command_prefix: [nice, -n, "10"]
    schedules:
      - cron: "0 6 * * *"
        slug: morning
        parameters: { pages: 10 }
  - name: sales-adhoc
    entrypoint: ./flows/sales.ts:sales
    work_queue: batch
    job_variables: { image: python }
`;

Deno.test("ironflow.yaml: schedule slugs and parameters, work_queue_name and job_variables reach the deployment", () => {
  const [daily, adhoc] = parseManifest(MANIFEST, "ironflow.yaml", "/project");
  const input = fromDeploymentSpec(daily!);
  assert.equal(input.workPool, "etl");
  assert.equal(input.workQueue, "critical");
  assert.deepEqual(input.env, { MODE: "fast" });
  assert.equal(input.workingDirectory, "/project/jobs", "relative to the manifest's folder");
  assert.deepEqual(input.commandPrefix, ["nice", "-n", "10"]);
  assert.deepEqual(input.schedules?.map((s) => [s.slug, s.parameters]), [
    ["morning", { pages: 10 }],
  ]);
  assert.equal(adhoc!.work_queue, "batch");
  assert.throws(
    () => fromDeploymentSpec(adhoc!),
    /Deployment "sales-adhoc": unknown job variable "image"; use "env", "working_directory", "command_prefix"/,
  );
});
