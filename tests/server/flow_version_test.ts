/**
 * A flow's `version` (Prefect 3's `@flow(version=...)`, "Write and run flows":
 * docs.prefect.io/v3/develop/write-flows) is recorded on each run, shown on the run page, sent
 * by remote clients, and accepted in a deployment manifest.
 */
import assert from "node:assert/strict";
import { parseManifest } from "../../cli/manifest.ts";
import { flow } from "../../sdk/mod.ts";
import { toApiNewRun } from "../../wire/mod.ts";
import { call, testServer } from "./_helpers.ts";

Deno.test("write-flows: a flow's version is recorded on its runs and shown on the run page", async () => {
  const server = testServer();
  try {
    const etl = flow({ name: "etl", version: "2024.05-a1" }, async () => await Promise.resolve(1));
    const outcome = await etl.runWith({ plane: server.plane });

    const created = server.engine.events({ runId: outcome.runId, limit: 1 })[0]!;
    assert.equal(created.data?.["flowVersion"], "2024.05-a1");
    const page = await (await server.app.request(`/runs/${outcome.runId}`)).text();
    assert.match(page, /version <code>2024\.05-a1<\/code>/);
    const region = await (await server.app.request(`/runs/${outcome.runId}/regions/header`)).text();
    assert.match(region, /2024\.05-a1/);
  } finally {
    server.close();
  }
});

Deno.test("write-flows: a remote client's new run carries the version through the API", async () => {
  const server = testServer();
  try {
    const body = { runs: [toApiNewRun({ kind: "flow", name: "etl", flowVersion: "v7" })] };
    const answer = await call(server.app, "/api/runs/batch", { body });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const [run] = server.engine.listRuns({ kind: "flow" }).items;
    assert.equal(
      server.engine.events({ runId: run!.id, limit: 1 })[0]!.data?.["flowVersion"],
      "v7",
    );
  } finally {
    server.close();
  }
});

Deno.test("prefect-yaml: a deployment's version is accepted in ironflow.yaml and listed", async () => {
  const text = "deployments:\n  - name: nightly\n    entrypoint: ./f.ts:f\n    version: 1.4.2\n";
  const [spec] = parseManifest(text, "ironflow.yaml", "/tmp");
  assert.equal(spec!.version, "1.4.2");
  const server = testServer();
  try {
    const created = await call(server.app, "/api/deployments", { body: { ...spec } });
    assert.ok(created.status < 300, JSON.stringify(created.body));
    assert.equal(created.body.version, "1.4.2");
    const page = await (await server.app.request(`/deployments/${created.body.id}`)).text();
    assert.match(page, /<code>1\.4\.2<\/code>/);
  } finally {
    server.close();
  }
});
