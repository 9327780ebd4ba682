/**
 * A flow run through the remote control plane against a real server on
 * 127.0.0.1 records the same history as the same flow run in-process.
 */
import assert from "node:assert/strict";
import { type Engine, latestPlan } from "../../engine/mod.ts";
import { startTestServer } from "./_server.ts";
import {
  createInMemoryControlPlane,
  createRemoteControlPlane,
  flow,
  getRunLogger,
  type LocalControlPlane,
  retryFlowRun,
  task,
} from "../../sdk/mod.ts";

const inc = task((x: number) => x + 1);
const double = task((x: number) => x * 2);
let flakyCalls = 0;
const flaky = task(() => {
  flakyCalls += 1;
  if (flakyCalls % 2 === 1) throw new Error("first attempt fails");
  return "ok";
}, { retries: 1 });
const remoteEtl = flow(async (xs: number[]) => {
  getRunLogger().info("starting");
  const doubled = await Promise.all(double.map(inc.map(xs)));
  await flaky();
  return doubled;
});

/** The shape of a run's history that must not depend on the control plane. */
function historyShape(engine: Engine, flowRunId: string) {
  const tasks = engine.listRuns({ kind: "task", parentId: flowRunId, limit: 100 }).items;
  const ids = [flowRunId, ...tasks.map((t) => t.id)];
  const keyOf = (id: string) =>
    id === flowRunId
      ? "flow"
      : `${engine.getRun(id)!.taskKey}[${engine.getRun(id)!.mapIndex ?? ""}]`;
  return ids.map((id) =>
    `${keyOf(id)}: ` +
    engine.events(id).map((e) => `${e.from ?? "-"}>${e.to}/${e.stateName}/${e.kind}`).join(" ")
  ).sort();
}

Deno.test("a flow through the remote control plane yields the same history as in-process", async () => {
  const local: LocalControlPlane = createInMemoryControlPlane();
  flakyCalls = 0;
  const inProcess = await remoteEtl.runWith({ plane: local }, [1, 2, 3]);
  assert.equal(inProcess.state.type, "COMPLETED");

  await using server = startTestServer();
  const engine = server.engine;
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    flakyCalls = 0;
    const remote = await remoteEtl.runWith({ plane }, [1, 2, 3]);
    await plane.flush();
    assert.equal(remote.state.type, "COMPLETED");
    assert.deepEqual(remote.result, inProcess.result);
    assert.deepEqual(
      historyShape(engine, remote.runId),
      historyShape(local.engine, inProcess.runId),
    );
    const logs = engine.logs({ flowRunId: remote.runId });
    assert.ok(logs.some((log) => log.message === "starting"), "logs reach the server");
    assert.ok(latestPlan(engine.reader, "remoteEtl"), "the run's static plan reaches the server");
  } finally {
    await plane.close();
    await local.close();
  }
});

let publishFails = true;
const prepareRemote = task({ name: "prepare-remote" }, (n: number) => n * 10);
const publishRemote = task({ name: "publish-remote" }, (value: number) => {
  if (publishFails) throw new Error("publish is down");
  return value + 1;
});
const releaseRemote = flow(
  { name: "release-remote", persistResult: true },
  async (n: number) => await publishRemote(await prepareRemote(n)),
);

Deno.test("a retry through the remote control plane restores what the first attempt completed", async () => {
  await using server = startTestServer();
  const engine = server.engine;
  const plane = createRemoteControlPlane({ url: server.url });
  try {
    publishFails = true;
    const first = await releaseRemote.runWith({ plane }, 4);
    assert.equal(first.state.type, "FAILED");
    publishFails = false;
    const second = await retryFlowRun(first.runId, { plane });
    await plane.flush();
    assert.equal(second.state.type, "COMPLETED");
    assert.equal(second.result, 41);
    const tasks = engine.listRuns({ kind: "task", parentId: second.runId }).items;
    assert.deepEqual(tasks.map((t) => `${t.name}:${t.stateName}`).sort(), [
      "prepare-remote:Cached",
      "publish-remote:Completed",
    ]);
  } finally {
    await plane.close();
  }
});
