/**
 * Deployment parity from Prefect 3's "Deploy via Python" (flow.deploy():
 * docs.prefect.io/v3/deploy/infrastructure-concepts/deploy-via-python) and "Artifacts"
 * (create_image_artifact: docs.prefect.io/v3/develop/artifacts): a flow deployed from code is
 * run by a real `ironflow worker start` process, and its image artifact is shown on the run page.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createSqliteControlPlane } from "../../sdk/mod.ts";
import { nightly } from "../testdata/sdk/deployable_flow.ts";
import { testServer } from "../server/_helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("deploy-via-python: flow.deploy() registers a deployment a real worker runs", async () => {
  const home = await Deno.makeTempDir({ prefix: "ironflow_deploy_" });
  const plane = createSqliteControlPlane(`${home}/ironflow.db`);
  try {
    const deployment = await nightly.deploy({
      plane,
      name: "nightly-eu",
      workPool: "reports",
      parameters: { n: 4 },
      schedules: [{ cron: "0 3 * * *", timezone: "Europe/Paris", active: false }],
      tags: ["eu"],
    });
    assert.equal(deployment.flowName, "nightly-report");
    assert.equal(deployment.workPool, "reports");
    assert.equal(deployment.version, "3.1");
    assert.match(deployment.entrypoint, /deployable_flow\.ts:nightly$/);
    assert.deepEqual(deployment.schedules.map((s) => [s.kind, s.active]), [["cron", false]]);
    const again = await nightly.deploy({ plane, name: "nightly-eu", workPool: "reports" });
    assert.equal(again.id, deployment.id, "deploying again updates the same deployment");

    const run = await plane.deployments!.run("nightly-eu", { parameters: { n: 4 } });
    await plane.flush();
    const worker = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}main.ts`,
        "worker",
        "start",
        "--pool",
        "reports",
        "--exit-when-idle",
        "--max-runs",
        "1",
      ],
      env: { IRONFLOW_HOME: home },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(worker.success, new TextDecoder().decode(worker.stderr));
    const ended = plane.engine.getRun(run.id)!;
    assert.equal(ended.state, "COMPLETED", ended.message ?? "");
    const artifacts = await plane.listArtifacts({ flowRunId: run.id });
    assert.deepEqual(artifacts.map((a) => a.type), ["image"]);
  } finally {
    await plane.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("artifacts: an image artifact shows inline on the run page; bad URLs are refused", async () => {
  const server = testServer();
  try {
    const outcome = await nightly.runWith({ plane: server.plane }, 1);
    const page = await (await server.app.request(`/runs/${outcome.runId}?tab=artifacts`)).text();
    assert.match(page, /<img src="data:image\/png;base64,[^"]+" alt="one pixel"/);
    await assert.rejects(
      () =>
        server.plane.createArtifact({
          type: "image",
          data: { url: "javascript:alert(1)" },
          key: null,
          description: null,
          flowRunId: outcome.runId,
          taskRunId: null,
        }),
      /An image artifact needs data.url/,
    );
  } finally {
    server.close();
  }
});
