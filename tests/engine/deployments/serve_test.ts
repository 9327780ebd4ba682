import assert from "node:assert/strict";
import { FakeClock } from "../../../engine/mod.ts";
import {
  createInMemoryControlPlane,
  flow,
  type LocalControlPlane,
  runDeployment,
  serve,
  task,
} from "../../../sdk/mod.ts";

const double = task({ name: "double" }, async (x: number) => await Promise.resolve(x * 2));
const doubler = flow(
  { name: "doubler", persistResult: true },
  async (n: number) => await double(n),
);
const parent = flow({ name: "parent" }, async (n: number) => {
  const child = runDeployment<number>("doubler", { n });
  return (await child) + 1;
});
const fireAndForget = flow({ name: "fire-and-forget" }, async () => {
  const child = runDeployment("doubler", { n: 1 }, { detach: true });
  await child.wait();
  return child.runId;
});

async function until(ready: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > 10_000) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function plane(clock?: FakeClock): LocalControlPlane & AsyncDisposable {
  const p = createInMemoryControlPlane(clock ? { timer: clock } : {});
  return Object.assign(p, { [Symbol.asyncDispose]: () => p.close() });
}

Deno.test("serve() registers deployments and executes their runs in this process", async () => {
  await using p = plane();
  const handle = await serve(
    { flow: doubler, options: { name: "doubler", parameters: { n: 2 }, cron: "@hourly" } },
    { plane: p, pollMs: 10 },
  );
  try {
    assert.deepEqual(handle.deployments.map((d) => d.name), ["doubler"]);
    assert.equal(handle.deployments[0]!.schedules.length, 1);
    const run = await p.deployments!.run("doubler", { parameters: { n: 21 } });
    await until(() => p.engine.getRun(run.id)?.state === "COMPLETED", "the served run");
    const scheduled = p.engine.listRuns({ kind: "flow", states: ["SCHEDULED"] }).items;
    assert.ok(scheduled.length > 0, "serve() scheduled the hourly runs on a local plane");
    assert.ok(scheduled.every((r) => r.expectedStartTime! > Date.now() - 60_000));
  } finally {
    await handle.stop();
  }
});

Deno.test("flow.serve() serves one flow under its own name", async () => {
  await using p = plane();
  const handle = await doubler.serve({ name: "solo", plane: p, pollMs: 10 });
  try {
    const run = await p.deployments!.run("solo", { parameters: { n: 1 } });
    await until(() => p.engine.getRun(run.id)?.state === "COMPLETED", "the served run");
  } finally {
    await handle.stop();
  }
});

Deno.test("runDeployment() from a flow returns a future of the child run", async () => {
  await using p = plane();
  const handle = await serve({ flow: doubler }, { plane: p, pollMs: 10 });
  try {
    const outcome = await parent.runWith({ plane: p }, 20);
    assert.equal(outcome.state.type, "COMPLETED", String(outcome.error));
    assert.equal(outcome.result, 41);
    const child = p.engine.listRuns({ kind: "flow", parentId: outcome.runId }).items;
    assert.equal(child.length, 1);
    assert.equal(child[0]!.deploymentId, handle.deployments[0]!.id);
    assert.equal(child[0]!.state, "COMPLETED");

    const detached = await fireAndForget.runWith({ plane: p });
    assert.equal(detached.state.type, "COMPLETED");
    assert.equal(typeof detached.result, "string", "the detached future settles with the run");
  } finally {
    await handle.stop();
  }
});

Deno.test("runDeployment() of an unknown deployment fails the parent", async () => {
  await using p = plane();
  const broken = flow({ name: "broken-parent" }, async () => await runDeployment("nope", {}));
  const outcome = await broken.runWith({ plane: p });
  assert.equal(outcome.state.type, "FAILED");
  assert.match(outcome.error!.message, /Deployment "nope" does not exist/);
});

Deno.test("serve() claims a run enqueued while it idles without waiting out its poll period", async () => {
  // Time never moves: only the commit of the new run can wake the claim loop.
  await using p = plane(new FakeClock(Date.parse("2030-01-01T00:00:00Z")));
  const handle = await serve({ flow: doubler }, { plane: p, pollMs: 3_600_000 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 20)); // the loop is idle now
    const run = await p.deployments!.run("doubler", { parameters: { n: 4 } });
    await until(() => p.engine.getRun(run.id)?.state === "COMPLETED", "the enqueued run");
  } finally {
    await handle.stop();
  }
});
