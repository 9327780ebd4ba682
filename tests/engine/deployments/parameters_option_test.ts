import assert from "node:assert/strict";
import {
  createDeploymentRun,
  DeploymentError,
  DeploymentService,
  runParameters,
} from "../../../engine/deployments/mod.ts";
import {
  createInMemoryControlPlane,
  flow,
  type LocalControlPlane,
  serve,
} from "../../../sdk/mod.ts";
import { InvalidOptionError } from "../../../sdk/errors.ts";
import { executeRun } from "../../../sdk/execute_run.ts";
import { InvalidParametersError } from "../../../sdk/flow.ts";
import { typed, TYPED_SCHEMA } from "../../testdata/deployments/typed.ts";

const FLOWS = new URL("../../testdata/deployments/", import.meta.url).pathname;

function plane(): LocalControlPlane & AsyncDisposable {
  const p = createInMemoryControlPlane();
  return Object.assign(p, { [Symbol.asyncDispose]: () => p.close() });
}

async function until(ready: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > 10_000) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("flow.bindParameters checks the parameters schema, with the deployments' wording", async () => {
  assert.deepEqual(await typed.bindParameters({ name: "ab", count: 2 }), ["ab", 2]);
  assert.deepEqual(await typed.bindParameters({ name: "ab" }), ["ab"]);
  const bad = { name: 3, count: 0 };
  let flowError: InvalidParametersError | undefined;
  try {
    await typed.bindParameters(bad);
  } catch (e) {
    flowError = e as InvalidParametersError;
  }
  assert.ok(flowError instanceof InvalidParametersError);
  assert.match(flowError.message, /^Invalid parameters for flow "typed": name: .*; count: /);
  // A deployment with the same schema gives the very same problems.
  await using p = plane();
  const d = await new DeploymentService(p.engine).create({
    name: "typed-deployment",
    entrypoint: "./typed.ts:typed",
    parameterSchema: TYPED_SCHEMA,
  });
  let deploymentError: DeploymentError | undefined;
  try {
    runParameters(d, bad);
  } catch (e) {
    deploymentError = e as DeploymentError;
  }
  assert.ok(deploymentError instanceof DeploymentError);
  assert.deepEqual(flowError.problems, deploymentError.problems);
  // Positional parameters are bound as they are.
  assert.deepEqual(await typed.bindParameters(["x", 3]), ["x", 3]);
});

Deno.test("a parameters schema that is not an object is refused when the flow is defined", () => {
  assert.throws(
    () => flow({ name: "not-a-schema", parameters: [] as never }, async () => {}),
    (e: unknown) =>
      e instanceof InvalidOptionError &&
      /Invalid option of flow "not-a-schema": parameters: parameter schema must be a JSON schema object/
        .test(e.message),
  );
});

Deno.test("a parameters schema that does not compile refuses the flow's runs, bindParameters, serve() and deploy(), recording nothing", async () => {
  // Compiled when first needed: the validator loads on demand, not with the SDK.
  const broken = flow(
    { name: "broken-schema", parameters: { type: "nonsense" } },
    () => "ran",
  );
  const refused = (e: unknown) =>
    e instanceof InvalidOptionError &&
    /Invalid option of flow "broken-schema": parameters: .*Unsupported type: nonsense/.test(
      e.message,
    );
  await using p = plane();
  await assert.rejects(broken.runWith({ plane: p }), refused);
  await assert.rejects(broken.runWith({ plane: p }), refused, "and again");
  await assert.rejects(broken.bindParameters({}), refused);
  await assert.rejects(broken.serve({ plane: p, schedule: false }), refused);
  await assert.rejects(broken.deploy({ entrypoint: "./broken.ts:broken" }), refused);
  assert.equal(p.engine.listRuns({}).items.length, 0);
  assert.deepEqual(await p.deployments!.list(), []);
});

Deno.test("a deployment run with invalid parameters fails at start, naming the path", async () => {
  await using p = plane();
  // The deployment has no schema of its own: the flow's is checked when the run starts.
  const d = await new DeploymentService(p.engine).create({
    name: "typed-worker",
    entrypoint: "./typed.ts:typed",
    workingDirectory: FLOWS,
  });
  const bad = await createDeploymentRun(p.engine, d, { parameters: { name: "x", count: 0 } });
  const outcome = await executeRun(bad.id, { entrypoint: d.entrypoint, cwd: FLOWS, plane: p });
  assert.equal(outcome.state.type, "FAILED");
  assert.ok(outcome.error instanceof InvalidParametersError);
  const failed = p.engine.getRun(bad.id)!;
  assert.equal(failed.state, "FAILED");
  assert.match(failed.message ?? "", /Invalid parameters for flow "typed": count: Too small/);
  assert.equal(p.engine.listRuns({ kind: "task", parentId: bad.id }).items.length, 0);
  assert.deepEqual(p.engine.events(bad.id).map((e) => `${e.kind}:${e.to}`), [
    "create:SCHEDULED",
    "validate_parameters:PENDING",
    "fail:FAILED",
  ]);

  const good = await createDeploymentRun(p.engine, d, { parameters: { name: "ab", count: 2 } });
  const ok = await executeRun(good.id, { entrypoint: d.entrypoint, cwd: FLOWS, plane: p });
  assert.equal(ok.state.type, "COMPLETED", String(ok.error));
  assert.equal(ok.result, "abab");
});

Deno.test("a deployment run of a flow whose schema does not compile fails at start with the reason", async () => {
  await using p = plane();
  const d = await new DeploymentService(p.engine).create({
    name: "unusable-worker",
    entrypoint: "./typed.ts:unusableSchema",
    workingDirectory: FLOWS,
  });
  const run = await createDeploymentRun(p.engine, d);
  const outcome = await executeRun(run.id, { entrypoint: d.entrypoint, cwd: FLOWS, plane: p });
  assert.equal(outcome.state.type, "FAILED");
  assert.ok(outcome.error instanceof InvalidOptionError);
  assert.match(
    p.engine.getRun(run.id)!.message ?? "",
    /Invalid option of flow "unusable-schema": parameters: .*Unsupported type: nonsense/,
  );
  assert.deepEqual(p.engine.events(run.id).map((e) => `${e.kind}:${e.to}`), [
    "create:SCHEDULED",
    "validate_parameters:PENDING",
    "fail:FAILED",
  ]);
});

Deno.test("serve() registers the flow's schema as the deployment's parameter_schema", async () => {
  await using p = plane();
  const handle = await serve({ flow: typed, options: { name: "typed-served" } }, {
    plane: p,
    pollMs: 10,
    schedule: false,
  });
  try {
    assert.deepEqual(handle.deployments[0]!.parameterSchema, TYPED_SCHEMA);
    await assert.rejects(
      p.deployments!.run("typed-served", { parameters: { name: "x", count: 0 } }),
      /count: Too small/,
    );
    // A run that reached the queue with bad parameters (made outside the API) fails at start.
    const d = handle.deployments[0]!;
    const sneaked = await createDeploymentRun(p.engine, { ...d, parameterSchema: null }, {
      parameters: { name: 5 },
    });
    const run = await p.deployments!.run("typed-served", { parameters: { name: "z", count: 3 } });
    await until(() => p.engine.getRun(run.id)?.state === "COMPLETED", "the valid served run");
    await until(() => p.engine.getRun(sneaked.id)?.state === "FAILED", "the invalid served run");
    assert.match(
      p.engine.getRun(sneaked.id)!.message ?? "",
      /Invalid parameters for flow "typed": name: Invalid input: expected string/,
    );
  } finally {
    await handle.stop();
  }
  // A schema given to serve() wins over the flow's.
  const own = { type: "object", properties: { name: { type: "string", minLength: 2 } } };
  const again = await serve({
    flow: typed,
    options: { name: "typed-own", parameterSchema: own },
  }, { plane: p, pollMs: 10, schedule: false });
  try {
    assert.deepEqual(again.deployments[0]!.parameterSchema, own);
  } finally {
    await again.stop();
  }
});
